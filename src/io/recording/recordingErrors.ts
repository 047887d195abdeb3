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
    const advice =
      code === 'ENOSPC'
        ? 'free some disk space'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'make the folder writable'
          : 'check that the folder exists and is writable';
    super(`cannot write the episode record at ${path} (${why}); ${advice}, or turn recording off for this episode`, {
      cause,
    });
  }
}

/** Wraps a filesystem error for `path`. */
export function recordError(path: string, err: unknown): EpisodeRecordError {
  return err instanceof EpisodeRecordError
    ? err
    : new EpisodeRecordError(path, (err as NodeJS.ErrnoException)?.code, err);
}

/** The camera frame recorder cannot work with these settings (camera names, sizes, fps). */
export class FrameRecordConfigError extends Error {
  override readonly name = 'FrameRecordConfigError';
}

/** How an mp4 encoder child ended: an exit code, a signal, or a failure to start at all. */
export interface VideoEncoderExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** A spawn or pipe error, when that is what ended it. */
  readonly error?: Error;
}

/** The ffmpeg that encodes a camera's mp4 failed to start or ended early; the message says what the recorder did next. */
export class VideoEncoderError extends Error {
  override readonly name = 'VideoEncoderError';
  constructor(
    readonly camera: string,
    /** The mp4 being written. */
    readonly path: string,
    readonly exit: VideoEncoderExit,
    /** ffmpeg's last stderr lines (newest last). */
    readonly stderr: readonly string[],
    /** Sentences a user can act on (empty when the cause is unknown). */
    readonly advice: readonly string[],
    /** What the recorder did about it, e.g. "the rest of the frames are saved as PNG in frames/front/". */
    then: string,
  ) {
    const how = exit.error
      ? `could not run (${exit.error.message})`
      : exit.signal !== null
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.code}`;
    const parts = [`Camera '${camera}': the ffmpeg encoding ${path} ${how}; ${then}.`];
    if (advice.length > 0) parts.push(advice.join(' '));
    if (stderr.length > 0) parts.push(`Last ffmpeg output: ${stderr.slice(-3).join(' | ')}`);
    super(parts.join(' '), { cause: exit.error });
  }
}

/** A recorded frame that cannot be read; the message says why and what to do. */
export class RecordedFrameError extends Error {
  override readonly name = 'RecordedFrameError';
}
