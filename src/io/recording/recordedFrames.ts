// One camera frame of an episode record, for inspecting a recorded tick and for replay: the PNG of that tick (or the
// last one kept before it, PNGs being kept every Nth tick), else a frame taken out of the camera's mp4 with ffmpeg,
// the one frameIndex.ts's rule picks (the last recorded at or before the tick, by the frame index when the record
// has one: frames dropped by the encoder leave gaps).
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbFrame } from '../../core/convert';
import { frameForTick, readFrameIndex } from './frameIndex';
import { pngFramesDir, videoFileName } from './frameRecorder';
import { decodePngFrame } from './pngFrameReader';

/** A recorded frame that cannot be read; the message says why and what to do. */
export class RecordedFrameError extends Error {
  override readonly name = 'RecordedFrameError';
}

export interface RecordedFrame {
  readonly frame: RgbFrame;
  /**
   * The tick the frame is from: an earlier one when PNGs were kept every Nth tick or the encoder dropped the tick's
   * frame; a later one only for a tick before the camera's first frame.
   */
  readonly tick: number;
  /** The file it came from, relative to the episode folder. */
  readonly file: string;
  /** Said about the record while reading it (an mp4 without its frame index, read frame n = tick n). */
  readonly notes: readonly string[];
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
  const pngs = names
    .map((n) => /^(\d+)\.png$/.exec(n))
    .filter((m) => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  const png = frameForTick(
    pngs.map((m) => Number(m[1])),
    tick,
  );
  const readPng = async (at: number, tickOf: number): Promise<RecordedFrame> => {
    const file = join(pngDir, pngs[at][0]);
    return { frame: await decodePngFrame(await readFile(join(episodeDir, file)), file), tick: tickOf, file, notes: [] };
  };
  // A camera whose ffmpeg died mid-episode has both: the video holds the start, the PNGs the rest.
  if (png && png.tick <= tick) return readPng(png.frame, png.tick);
  const video = videoFileName(camera);
  if (!(await stat(join(episodeDir, video)).catch(() => undefined)))
    return png ? readPng(png.frame, png.tick) : undefined;
  const notes: string[] = [];
  const at = frameForTick(await readFrameIndex(episodeDir, camera, notes), tick);
  if (!at) throw new RecordedFrameError(`${video} holds no frames (its frame index lists none)`);
  const bytes = await frameOfVideo(join(episodeDir, video), at.frame, ffmpegPath);
  return { frame: await decodePngFrame(bytes, `${video} frame ${at.frame}`), tick: at.tick, file: video, notes };
}

/**
 * Why `f` is from another tick than `asked`, for the one who sees it; undefined when it is that tick's own. With
 * `asked` left out, the same reason without tick numbers (said once for many ticks).
 */
export function otherTickNote(camera: string, f: RecordedFrame, asked?: number): string | undefined {
  if (asked !== undefined && f.tick === asked) return undefined;
  const kept = f.file.endsWith('.png') ? 'frames were kept every few ticks' : 'the encoder dropped frames';
  if (asked === undefined) return `${camera}: ${kept}; the last frame recorded at or before each tick is used`;
  if (f.tick > asked)
    return `${camera}: no frame was recorded at or before tick ${asked}; showing the first, tick ${f.tick} (${f.file})`;
  return `${camera}: ${f.file.endsWith('.png') ? kept : `the encoder dropped the frame of tick ${asked}`}; showing tick ${f.tick}, the last recorded before it (${f.file})`;
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
