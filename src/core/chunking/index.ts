// Public API of action-chunk scheduling: chunks, the scheduler with its settings and aggregation, smoothing.
export * from './actionChunk';
export { ActionQueue, type QueuedSource } from './actionQueue';
export * from './actionSmoothing';
export * from './chunkAggregation';
export * from './chunkScheduler';
export * from './chunkSchedulerConfigError';
export * from './chunkSchedulerOptions';
export * from './seamOptions';
