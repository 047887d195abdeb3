// Public API of the episode record.
export * from './csvCells';
export * from './episodeFolder';
export * from './episodeRecorder';
export * from './episodeRows';
export * from './recordFileWriter';
export * from './recordingErrors';
export * from './frameRecorder';
export * from './pngFrameWriter';
