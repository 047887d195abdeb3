// One camera frame of an episode record, for inspecting a recorded tick: the PNG of that tick (or the last one
// kept before it, PNGs being kept every Nth tick), else that frame taken out of the camera's mp4 with ffmpeg.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbFrame } from '../../core/convert';
import { pngFramesDir, videoFileName } from './frameRecorder';
import { decodePngFrame } from './pngFrameReader';

/** A recorded frame that cannot be read; the message says why and what to do. */
export class RecordedFrameError extends Error {
  override readonly name = 'RecordedFrameError';
}

export interface RecordedFrame {
  readonly frame: RgbFrame;
  /** The tick the frame is from (an earlier one when PNGs were kept every Nth tick). */
  readonly tick: number;
  /** The file it came from, relative to the episode folder. */
  readonly file: string;
}

/** The frame of `camera` at `tick`, or undefined when the record has no frames of that camera. */
export async function readRecordedFrame(
  episodeDir: string,
  camera: string,
  tick: number,
  ffmpegPath = 'ffmpeg',
): Promise<RecordedFrame | undefined> {
  const pngDir = pngFramesDir(camera);
  const names = await readdir(join(episodeDir, pngDir)).catch(() => [] as string[]);
  const ticks = names
    .map((n) => /^(\d+)\.png$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const at = ticks.filter((t) => t <= tick).at(-1);
  if (at !== undefined) {
    const name = names.find((n) => n.endsWith('.png') && Number(n.slice(0, -4)) === at)!;
    const file = join(pngDir, name);
    return { frame: await decodePngFrame(await readFile(join(episodeDir, file)), file), tick: at, file };
  }
  const video = videoFileName(camera);
  if (!(await stat(join(episodeDir, video)).catch(() => undefined))) return undefined;
  const png = await frameOfVideo(join(episodeDir, video), tick, ffmpegPath);
  return { frame: await decodePngFrame(png, `${video} frame ${tick}`), tick, file: video };
}

/** Frame number `n` of a video as PNG bytes, through ffmpeg. */
function frameOfVideo(file: string, n: number, ffmpegPath: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      file,
      '-vf',
      `select=eq(n\\,${n})`,
      '-frames:v',
      '1',
      '-f',
      'image2pipe',
      '-c:v',
      'png',
      'pipe:1',
    ];
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        new RecordedFrameError(
          e.code === 'ENOENT'
            ? `the frames are in ${file}; taking one out needs ffmpeg, which was not found ("${ffmpegPath}"). Install ffmpeg, or set so100.ffmpegPath to it.`
            : `cannot run ffmpeg ("${ffmpegPath}") to read ${file}: ${e.message}`,
        ),
      );
    });
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      if (code === 0 && bytes.length > 0) resolve(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      else if (code === 0)
        reject(new RecordedFrameError(`${file} has no frame ${n} (the video is shorter than the episode's steps)`));
      else if (code !== null)
        reject(
          new RecordedFrameError(
            `ffmpeg could not read frame ${n} of ${file}: ${err.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`}`,
          ),
        );
    });
  });
}
