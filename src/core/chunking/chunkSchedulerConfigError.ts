// Its own file so that chunkSchedulerOptions.ts and seamOptions.ts, which both throw it, need not import each other.

/** A scheduler setting that cannot be used; `key` names it. */
export class ChunkSchedulerConfigError extends Error {
  override readonly name = 'ChunkSchedulerConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}
