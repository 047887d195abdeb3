// Camera frames of an episode record by tick, for the Episode Viewer: PNG records as their files (the kept tick at
// or before the one asked for), mp4 records decoded once per camera by one ffmpeg into JPEG frames held in memory,
// so every later cursor move is a lookup. Which frame is shown for a tick is frameIndex.ts's rule (the last at or
// before it, by the frame index `<camera>.ticks.csv`; a record made before it had one is read frame n = tick n, and
// says so).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { frameForTick, readFrameIndex } from './frameIndex';
import { pngFramesDir, videoFileName } from './frameRecorder';

export interface EpisodeFrame {
  readonly camera: string;
  /** The tick the picture is from (earlier than asked when frames were kept every Nth tick or dropped). */
  readonly tick: number;
  readonly mime: 'image/png' | 'image/jpeg';
  readonly bytes: Uint8Array;
}

/** A camera whose frame cannot be shown; the message says why and what to do. */
export interface EpisodeFrameProblem {
  readonly camera: string;
  readonly error: string;
}

export type EpisodeFrameResult = EpisodeFrame | EpisodeFrameProblem;

/** Decoded bytes held per camera at most (≈ 15 000 frames of 640×480): past it the rest of the video is not shown. */
export const MAX_DECODED_BYTES = 512 * 1024 * 1024;

/** JPEG quality of decoded mp4 frames (ffmpeg's -q:v, 2 best … 31 worst): ~20–40 KB a 640×480 frame. */
const JPEG_QUALITY = 5;

interface PngCamera {
  readonly kind: 'png';
  readonly name: string;
  readonly ticks: readonly number[];
  readonly files: readonly string[];
}

interface VideoCamera {
  readonly kind: 'mp4';
  readonly name: string;
  /** frame → tick, rising. */
  readonly frameTicks: readonly number[] | undefined;
  decoded: Uint8Array[];
  decodedBytes: number;
  done: boolean;
  error?: string;
  child?: ChildProcess;
  waiters: (() => void)[];
}

type Camera = PngCamera | VideoCamera;

export class EpisodeFrames {
  /** What the reader noticed about the frames (an index missing, say), for the viewer to show. */
  readonly notes: string[] = [];
  private disposed = false;

  private constructor(
    readonly dir: string,
    private readonly cameras: Camera[],
    private readonly ffmpegPath: string,
  ) {}

  /** Finds every camera of the record: `frames/<camera>/` PNG folders and `<camera>.mp4` files. */
  static async open(dir: string, ffmpegPath = 'ffmpeg'): Promise<EpisodeFrames> {
    const cameras: Camera[] = [];
    const pngRoot = join(dir, 'frames');
    for (const name of (await readdir(pngRoot).catch(() => [] as string[])).sort()) {
      const files = (await readdir(join(pngRoot, name)).catch(() => [] as string[]))
        .filter((f) => /^\d+\.png$/.test(f))
        .sort((a, b) => Number(a.slice(0, -4)) - Number(b.slice(0, -4)));
      if (files.length > 0) cameras.push({ kind: 'png', name, files, ticks: files.map((f) => Number(f.slice(0, -4))) });
    }
    const frames = new EpisodeFrames(dir, cameras, ffmpegPath);
    for (const file of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const m = /^(.+)\.mp4$/.exec(file);
      if (!m || !(await stat(join(dir, file))).isFile()) continue;
      const name = m[1];
      const frameTicks = await readFrameIndex(dir, name, frames.notes);
      // A camera whose ffmpeg died mid-episode has both: the video holds the start, the PNGs the rest.
      const existing = cameras.findIndex((c) => c.name === name);
      const video: VideoCamera = {
        kind: 'mp4',
        name,
        frameTicks,
        decoded: [],
        decodedBytes: 0,
        done: false,
        waiters: [],
      };
      if (existing >= 0) frames.notes.push(`${name}: frames are in both ${file} and PNGs; showing the PNGs`);
      else cameras.push(video);
    }
    return frames;
  }

  /** Camera names, PNG ones first. */
  get cameraNames(): string[] {
    return this.cameras.map((c) => c.name);
  }

  /** Every camera's frame at `tick`. */
  at(tick: number): Promise<EpisodeFrameResult[]> {
    return Promise.all(this.cameras.map((c) => this.frameOf(c, tick)));
  }

  /** Stops any decoding ffmpeg and drops the decoded frames. */
  dispose(): void {
    this.disposed = true;
    for (const c of this.cameras) {
      if (c.kind !== 'mp4') continue;
      c.child?.kill('SIGKILL');
      c.decoded = [];
      c.done = true;
      for (const w of c.waiters.splice(0)) w();
    }
  }

  private async frameOf(c: Camera, tick: number): Promise<EpisodeFrameResult> {
    // The viewer shows no later frame for a tick before the first one.
    if (c.kind === 'png') {
      const at = frameForTick(c.ticks, tick);
      if (!at || at.tick > tick) return { camera: c.name, error: `no frame kept at or before tick ${tick}` };
      const bytes = await readFile(join(this.dir, pngFramesDir(c.name), c.files[at.frame]));
      return { camera: c.name, tick: at.tick, mime: 'image/png', bytes: new Uint8Array(bytes) };
    }
    const at = frameForTick(c.frameTicks, tick);
    if (!at || at.tick > tick) return { camera: c.name, error: `no frame at or before tick ${tick}` };
    const { frame } = at;
    this.startDecoding(c);
    while (c.decoded.length <= frame && !c.done) await new Promise<void>((r) => c.waiters.push(r));
    const bytes = c.decoded[frame];
    if (bytes) return { camera: c.name, tick: at.tick, mime: 'image/jpeg', bytes };
    if (c.error) return { camera: c.name, error: c.error };
    return {
      camera: c.name,
      error: `${videoFileName(c.name)} has no frame for tick ${tick} (${c.decoded.length} frames)`,
    };
  }

  /** One ffmpeg per camera decodes the whole video to JPEG frames on stdout, split at the JPEG end markers. */
  private startDecoding(c: VideoCamera): void {
    if (c.child || c.done || this.disposed) return;
    const file = join(this.dir, videoFileName(c.name));
    const args = ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'image2pipe', '-c:v', 'mjpeg'];
    args.push('-q:v', String(JPEG_QUALITY), 'pipe:1');
    const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    c.child = child;
    const wake = () => {
      for (const w of c.waiters.splice(0)) w();
    };
    let pending: Buffer = Buffer.alloc(0);
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (c.done) return; // disposed, or over the bound: what is still in the pipe is dropped
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      for (;;) {
        // JPEG entropy-coded data stuffs every 0xFF with 0x00, so 0xFF 0xD9 is only ever the end marker.
        const end = pending.indexOf(JPEG_END);
        if (end < 0) break;
        const frame = new Uint8Array(pending.subarray(0, end + 2));
        pending = pending.subarray(end + 2);
        if (c.decodedBytes + frame.length > MAX_DECODED_BYTES) {
          c.error = `${videoFileName(c.name)} is too long to hold decoded (${c.decoded.length} frames fill ${MAX_DECODED_BYTES >> 20} MB); later frames are not shown`;
          c.done = true;
          child.kill('SIGKILL');
          break;
        }
        c.decoded.push(frame);
        c.decodedBytes += frame.length;
      }
      wake();
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      c.error =
        e.code === 'ENOENT'
          ? `the frames of '${c.name}' are in ${videoFileName(c.name)}; showing them needs ffmpeg, which was not found ("${this.ffmpegPath}"). Install ffmpeg, or set so100.ffmpegPath to it.`
          : `cannot run ffmpeg ("${this.ffmpegPath}") to read ${videoFileName(c.name)}: ${e.message}`;
      c.done = true;
      wake();
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== null && !c.error)
        c.error = `ffmpeg could not read ${videoFileName(c.name)}: ${stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`}`;
      c.done = true;
      wake();
    });
  }
}

const JPEG_END = Buffer.from([0xff, 0xd9]);
