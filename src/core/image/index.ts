// Public API of the image file encoders (pure; compression is the caller's).
export * from './crc32';
export * from './pngEncoder';
