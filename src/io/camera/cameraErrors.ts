// Errors of the ffmpeg camera adapter; each names the camera or binary and how to fix the cause.

export class CameraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The ffmpeg binary could not be started (not installed, or `ffmpegPath` is wrong). */
export class FfmpegNotFoundError extends CameraError {
  constructor(
    readonly ffmpegPath: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot run ffmpeg at '${ffmpegPath}': it is not installed or not at that path. ${ffmpegInstallHint()} ` +
        `Or set the camera's ffmpegPath to the full path of an ffmpeg binary.`,
      options,
    );
  }
}

/** The camera config cannot work (bad size, fps or device). */
export class CameraConfigError extends CameraError {}

/** How to install ffmpeg on this platform, as one sentence. */
export function ffmpegInstallHint(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Install it with `brew install ffmpeg`.';
    case 'win32':
      return 'Install it with `winget install ffmpeg` (or download it from ffmpeg.org) and put it on PATH.';
    default:
      return "Install it with `sudo apt-get install ffmpeg` (Debian/Ubuntu) or your distribution's package manager.";
  }
}
