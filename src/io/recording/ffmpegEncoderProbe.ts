// Asks an ffmpeg binary which of the recorder's video encoders it has (`ffmpeg -encoders`), once per episode
// start, before the loop runs. Also the place where "ffmpeg is missing" becomes the reason for PNG frames.
import { spawn } from 'node:child_process';
import { ffmpegInstallHint } from '../camera/cameraErrors';
import { errnoCode } from '../process/processGroup';
import { VIDEO_ENCODERS, type VideoEncoder } from './ffmpegVideoArgs';

export type EncoderProbe =
  | { readonly ok: true; readonly encoder: VideoEncoder }
  /** `reason` is a sentence for the frame summary, naming the binary and what to do. */
  | { readonly ok: false; readonly reason: string };

const PROBE_TIMEOUT_MS = 5000;
/** `ffmpeg -encoders` prints ~30 KB; anything far beyond is not an ffmpeg. */
const MAX_OUTPUT_BYTES = 1 << 20;

/** Runs `<ffmpegPath> -hide_banner -encoders` and picks the best encoder it lists. Never throws. */
export async function probeVideoEncoder(ffmpegPath: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<EncoderProbe> {
  const run = await runEncodersList(ffmpegPath, timeoutMs);
  if ('reason' in run) return { ok: false, reason: run.reason };
  // Lines look like " V....D libx264   libx264 H.264 / AVC …": the encoder name is the second field.
  const listed = new Set(
    run.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[1])
      .filter(Boolean),
  );
  const encoder = VIDEO_ENCODERS.find((e) => listed.has(e));
  if (encoder) return { ok: true, encoder };
  return {
    ok: false,
    reason: `the ffmpeg at '${ffmpegPath}' has neither ${VIDEO_ENCODERS.join(' nor ')} — for mp4, ${lowerFirst(ffmpegInstallHint())}`,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function runEncodersList(ffmpegPath: string, timeoutMs: number): Promise<{ stdout: string } | { reason: string }> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(ffmpegPath, ['-hide_banner', '-encoders'], {
        stdio: ['ignore', 'pipe', 'ignore'],
        windowsHide: true,
      });
    } catch (err) {
      // spawn throws synchronously for malformed arguments (e.g. a NUL in the path).
      resolve({
        reason: `cannot run ffmpeg at '${ffmpegPath}' (${(err as Error).message}); set a valid ffmpeg path for mp4`,
      });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `ffmpeg at '${ffmpegPath}' did not list its encoders within ${timeoutMs} ms; check that it is a working ffmpeg`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_OUTPUT_BYTES) chunks.push(chunk);
    });
    child.once('error', (err) => {
      const code = errnoCode(err);
      failure ??=
        code === 'ENOENT' || code === 'ENOTDIR'
          ? `ffmpeg not found at '${ffmpegPath}' — for mp4, ${lowerFirst(ffmpegInstallHint())}`
          : `cannot run ffmpeg at '${ffmpegPath}' (${err.message}); check the path and its permissions for mp4`;
    });
    // 'close' follows 'error' too, so the child is always reaped before we answer.
    child.once('close', (code) => {
      clearTimeout(timer);
      if (failure) resolve({ reason: failure });
      else if (code !== 0)
        resolve({
          reason: `ffmpeg at '${ffmpegPath}' exited with code ${code} when asked for its encoders; check that it is a working ffmpeg`,
        });
      else resolve({ stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
