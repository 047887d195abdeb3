// Failures of the episode record; the message names the path and what to do about it.

/** The record folder or one of its files could not be created or written. */
export class EpisodeRecordError extends Error {
  override readonly name = 'EpisodeRecordError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const advice = code === 'ENOSPC' ? 'free some disk space'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'make the folder writable'
      : 'check that the folder exists and is writable';
    super(`cannot write the episode record at ${path} (${why}); ${advice}, or turn recording off for this episode`, { cause });
  }
}

/** Wraps a filesystem error for `path`. */
export function recordError(path: string, err: unknown): EpisodeRecordError {
  return err instanceof EpisodeRecordError ? err : new EpisodeRecordError(path, (err as NodeJS.ErrnoException)?.code, err);
}
