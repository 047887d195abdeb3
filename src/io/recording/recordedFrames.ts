// One camera frame of an episode record, for inspecting a recorded tick and for replay: the PNG of that tick (or the
// last one kept before it, PNGs being kept every Nth tick), else a frame taken out of the camera's mp4 with ffmpeg,
// the one frameIndex.ts's rule picks (the last recorded at or before the tick, by the frame index when the record
// has one: frames dropped by the encoder leave gaps). One frame at a time (readRecordedFrame), or tick after tick
// through one decoder per video (RecordedFrameReader, for replay).
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbFrame } from '../../core/convert';
import { frameForTick, readFrameIndex } from './frameIndex';
import { pngFramesDir, videoFileName } from './frameRecorder';
import { decodePngFrame } from './pngFrameReader';
import { SequentialVideoFrames } from './sequentialVideoFrames';
import { RecordedFrameError } from './recordingErrors';

export { RecordedFrameError };

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

/** Where a camera's frames are in a record, read once: its PNGs (by tick), its mp4 and the mp4's frame index. */
interface CameraFrameFiles {
  readonly pngDir: string;
  /** File names of the PNGs and their ticks, rising. */
  readonly pngs: readonly { readonly name: string; readonly tick: number }[];
  readonly pngTicks: readonly number[];
  /** The mp4, relative to the episode folder, when the record has one. */
  readonly video?: string;
  /** The mp4's frame → tick (undefined: read frame n = tick n, and `notes` says so). */
  readonly frameTicks?: readonly number[];
  readonly notes: readonly string[];
}

async function cameraFrameFiles(episodeDir: string, camera: string): Promise<CameraFrameFiles> {
  const pngDir = pngFramesDir(camera);
  const names = await readdir(join(episodeDir, pngDir)).catch(() => [] as string[]);
  const pngs = names
    .map((n) => /^(\d+)\.png$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => ({ name: m[0], tick: Number(m[1]) }))
    .sort((a, b) => a.tick - b.tick);
  const pngTicks = pngs.map((p) => p.tick);
  const video = videoFileName(camera);
  if (!(await stat(join(episodeDir, video)).catch(() => undefined))) return { pngDir, pngs, pngTicks, notes: [] };
  const notes: string[] = [];
  const frameTicks = await readFrameIndex(episodeDir, camera, notes);
  return { pngDir, pngs, pngTicks, video, frameTicks, notes };
}

/** Which file holds the frame of `tick`: a PNG, or frame `frame` of the mp4; undefined when the camera has none. */
type FrameSource =
  | { readonly kind: 'png'; readonly file: string; readonly tick: number }
  | { readonly kind: 'mp4'; readonly file: string; readonly frame: number; readonly tick: number };

function frameSource(files: CameraFrameFiles, tick: number): FrameSource | undefined {
  const png = frameForTick(files.pngTicks, tick);
  const pngSource = png && {
    kind: 'png' as const,
    file: join(files.pngDir, files.pngs[png.frame].name),
    tick: png.tick,
  };
  // A camera whose ffmpeg died mid-episode has both: the video holds the start, the PNGs the rest.
  if (pngSource && pngSource.tick <= tick) return pngSource;
  if (!files.video) return pngSource;
  const at = frameForTick(files.frameTicks, tick);
  if (!at) throw new RecordedFrameError(`${files.video} holds no frames (its frame index lists none)`);
  return { kind: 'mp4', file: files.video, frame: at.frame, tick: at.tick };
}

async function readPng(episodeDir: string, source: FrameSource): Promise<RecordedFrame> {
  const frame = await decodePngFrame(await readFile(join(episodeDir, source.file)), source.file);
  return { frame, tick: source.tick, file: source.file, notes: [] };
}

/**
 * The frame of `camera` at `tick`, or undefined when the record has no frames of that camera. One frame out of an mp4
 * decodes it from its start: for many ticks in a row, a RecordedFrameReader.
 */
export async function readRecordedFrame(
  episodeDir: string,
  camera: string,
  tick: number,
  ffmpegPath = 'ffmpeg',
): Promise<RecordedFrame | undefined> {
  const files = await cameraFrameFiles(episodeDir, camera);
  const source = frameSource(files, tick);
  if (source?.kind !== 'mp4') return source && readPng(episodeDir, source);
  const bytes = await frameOfVideo(join(episodeDir, source.file), source.frame, ffmpegPath);
  const frame = await decodePngFrame(bytes, `${source.file} frame ${source.frame}`);
  return { frame, tick: source.tick, file: source.file, notes: files.notes };
}

/**
 * The frames of an episode's cameras tick after tick, for replay: each camera's files are listed once, and each mp4 is
 * decoded by one ffmpeg that moves forward as the ticks asked for rise (SequentialVideoFrames), so a replay of every
 * tick decodes each video once. The same frames as readRecordedFrame. Close it when done: that ends the ffmpegs.
 */
export class RecordedFrameReader {
  private readonly cameras = new Map<string, Promise<CameraFrameFiles>>();
  private readonly videos = new Map<string, SequentialVideoFrames>();
  private closed = false;

  constructor(
    readonly episodeDir: string,
    private readonly ffmpegPath = 'ffmpeg',
  ) {}

  /** The frame of `camera` at `tick`, or undefined when the record has no frames of that camera. */
  async read(camera: string, tick: number, signal?: AbortSignal): Promise<RecordedFrame | undefined> {
    if (this.closed) throw new Error(`the frame reader of ${this.episodeDir} is closed`);
    let files = this.cameras.get(camera);
    if (!files) this.cameras.set(camera, (files = cameraFrameFiles(this.episodeDir, camera)));
    const resolved = await files;
    if (this.closed) throw new Error(`the frame reader of ${this.episodeDir} is closed`);
    const source = frameSource(resolved, tick);
    if (source?.kind !== 'mp4') return source && readPng(this.episodeDir, source);
    let video = this.videos.get(source.file);
    if (!video) {
      video = new SequentialVideoFrames(join(this.episodeDir, source.file), this.ffmpegPath);
      this.videos.set(source.file, video);
    }
    const frame = await video.frame(source.frame, signal);
    return { frame, tick: source.tick, file: source.file, notes: resolved.notes };
  }

  /** Ends every ffmpeg it started and resolves once they have exited. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.videos.values()].map((v) => v.close()));
  }
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
