// Public API of the image formats (pure; compression and I/O are the caller's): the PNG encoder and the splitter of
// PPM image streams.
export * from './crc32';
export * from './pngEncoder';
export * from './ppmStream';
