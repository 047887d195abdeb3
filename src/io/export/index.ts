export * from './exportErrors';
export * from './episodeSource';
export * from './evaluationFolder';
export * from './lerobotExport';
export * from './datasetAppend';
