// Camera frames into the dataset's videos: one ffmpeg encoder per camera for the whole export. A recorded mp4
// with one frame per tick (or without a frame index) is decoded by an ffmpeg whose stdout *is* the encoder's stdin, so its pixels never pass
// through this process (a frame in JS memory is an ArrayBuffer the garbage collector frees late: tens of MB
// between collections); its image stats come from a second decode scaled to a quarter per side. PNGs and mp4s
// whose frame index has gaps (frames the recorder's encoder dropped) are fed one rgb24 frame at a time. Every data
// row t gets exactly one video frame: the one recorded at or before tick t (frameIndex.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStatsAccumulator } from '../../core/lerobot';
import { frameForTick, isIdentityIndex } from '../recording/frameIndex';
import { decodePngFrame } from '../recording/pngFrameReader';
import type { CameraSource } from './episodeSource';
import { pngName } from './episodeSource';
import { DatasetExportError } from './exportErrors';
import { evenSizePad, rawRgbPipeInput } from '../recording/ffmpegVideoArgs';

/** The dataset's encoder: H.264 (libx264) plays in LeRobot's decoders, browsers and VS Code webviews alike. */
export const DATASET_VIDEO = {
  codec: 'h264',
  pixFmt: 'yuv420p',
  // LeRobot's own encoder uses a keyframe every 2 frames so that random frame access stays cheap.
  encoderInfo: { g: 2, crf: 23, preset: 'veryfast' },
} as const;

/** Whether ffmpeg runs; the export refuses to start without it when an episode has frames. */
export function ffmpegAvailable(ffmpegPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 20_000 });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

export class CameraVideoEncoder {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  framesWritten = 0;

  constructor(
    readonly camera: string,
    readonly width: number,
    readonly height: number,
    fps: number,
    outPath: string,
    ffmpegPath: string,
  ) {
    const { g, crf, preset } = DATASET_VIDEO.encoderInfo;
    this.child = spawn(
      ffmpegPath,
      [
        ...rawRgbPipeInput(width, height, fps),
        ...evenSizePad(width, height),
        '-c:v',
        'libx264',
        '-preset',
        preset,
        '-crf',
        String(crf),
        '-g',
        String(g),
        '-pix_fmt',
        DATASET_VIDEO.pixFmt,
        '-y',
        outPath,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    ) as unknown as ChildProcessWithoutNullStreams;
    this.child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4000) this.stderr += d.toString();
    });
    this.child.stdin.on('error', () => undefined); // reported through the exit code and stderr below
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.stderr += e.message;
        resolve(-1);
      });
      this.child.on('close', (code) => resolve(code));
    });
  }

  /**
   * Runs a decoder whose stdout is this encoder's stdin (spawned by `start` with that stream as its stdout) and
   * counts its `frames` frames once it exits cleanly. Frames written from JS are flushed first, so the two never
   * interleave.
   */
  async writeFromProcess(
    frames: number,
    start: (stdout: NodeJS.WritableStream) => ChildProcessWithoutNullStreams,
    what: string,
  ): Promise<void> {
    while (this.child.stdin.writableLength > 0) await Promise.race([once(this.child.stdin, 'drain'), this.exited]);
    if (this.child.exitCode !== null || this.child.stdin.destroyed)
      throw new DatasetExportError(`the ${this.camera} video encoder stopped: ${this.stderr.trim() || 'no message'}`);
    const decoder = start(this.child.stdin);
    let stderr = '';
    decoder.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(0, 2000)));
    const code = await new Promise<number | null>((resolve) => {
      decoder.on('error', (e) => ((stderr += e.message), resolve(-1)));
      decoder.on('close', (c) => resolve(c));
    });
    if (code !== 0) throw new DatasetExportError(`${what}: cannot decode it (${stderr.trim() || `exit ${code}`})`);
    this.framesWritten += frames;
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.child.exitCode !== null || this.child.stdin.destroyed)
      throw new DatasetExportError(`the ${this.camera} video encoder stopped: ${this.stderr.trim() || 'no message'}`);
    this.framesWritten++;
    if (!this.child.stdin.write(frame)) {
      await Promise.race([once(this.child.stdin, 'drain'), this.exited]);
    }
  }

  async finish(): Promise<void> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0)
      throw new DatasetExportError(`the ${this.camera} video encoder failed: ${this.stderr.trim() || `exit ${code}`}`);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Writes `length` frames of one camera of one episode into `encoder`, row t getting the frame frameIndex.ts's rule
 * picks for tick t: the last recorded at or before it (the first frame for a tick before it). PNGs kept every Nth
 * tick are held until the next one; an mp4 with a frame index that is not frame n = tick n (frames dropped while
 * recording) is decoded in order, each frame repeated for the ticks whose own frame was dropped, only the current
 * frame held. An mp4 whose index is the identity, or a record without one (read frame n = tick n), is piped
 * straight through. Adds every frame to `stats`.
 */
export async function writeEpisodeFrames(
  source: CameraSource,
  length: number,
  encoder: CameraVideoEncoder,
  stats: ImageStatsAccumulator,
  ffmpegPath: string,
  signal?: AbortSignal,
): Promise<void> {
  if (source.width !== encoder.width || source.height !== encoder.height)
    throw new DatasetExportError(
      `${source.kind === 'mp4' ? source.file : source.dir}: ${source.width}×${source.height} frames, but the dataset's ${source.camera} camera is ${encoder.width}×${encoder.height}`,
    );
  const statsStride = 4; // every 4th pixel: the histogram stays representative at a quarter of the cost
  if (source.kind === 'png') {
    let shown = -1;
    let frame: Uint8Array | undefined;
    for (let t = 0; t < length; t++) {
      signal?.throwIfAborted();
      const at = frameForTick(source.ticks, t)!;
      if (at.frame !== shown) {
        const file = join(source.dir, pngName(at.tick));
        const decoded = await decodePngFrame(await readFile(file), file);
        if (decoded.width !== encoder.width || decoded.height !== encoder.height)
          throw new DatasetExportError(
            `${file}: ${decoded.width}×${decoded.height}, expected ${encoder.width}×${encoder.height}`,
          );
        frame = decoded.data;
        shown = at.frame;
      }
      stats.add(frame!, statsStride);
      await encoder.write(frame!);
    }
    return;
  }
  if (isIdentityIndex(source.frameTicks, length))
    return pipeEpisodeVideo(source, length, encoder, stats, ffmpegPath, signal);
  const frameTicks = source.frameTicks!;
  if (frameTicks.length === 0)
    throw new DatasetExportError(`${source.file}: its frame index lists no frames (a record missing frames)`);
  const frameBytes = source.width * source.height * 3;
  const child = spawn(
    ffmpegPath,
    ['-hide_banner', '-loglevel', 'error', '-i', source.file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(0, 2000)));
  const closed = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code));
  });
  let t = 0;
  let srcIndex = 0;
  let last: Uint8Array | undefined;
  try {
    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    decoding: for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, frameBytes - filled);
        frame.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === frameBytes) {
          // the rows whose frame is this one: its own tick and the ticks after it whose frames were dropped
          while (t < length && frameForTick(frameTicks, t)!.frame === srcIndex) {
            stats.add(frame, statsStride);
            await encoder.write(frame);
            t++;
          }
          last = frame;
          srcIndex++;
          if (t === length) break decoding; // the frames after the last row's are not needed
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const code = await closed;
  if (code !== 0 && t < length)
    throw new DatasetExportError(`${source.file}: cannot decode it (${stderr.trim() || `exit ${code}`})`);
  if (last === undefined) throw new DatasetExportError(`${source.file}: no frames decoded (a record missing frames)`);
  // The index may list frames a killed encoder never stored: hold the last decoded frame for the remaining ticks.
  for (; t < length; t++) {
    stats.add(last, statsStride);
    await encoder.write(last);
  }
}

/** ffmpeg arguments that decode `file` to exactly `length` rgb24 frames (the last held if the decode falls short). */
function decodeArgs(file: string, length: number, scaleDown: boolean): string[] {
  const pad = `tpad=stop_mode=clone:stop=${length}`;
  const filter = scaleDown
    ? `${pad},scale=w='max(1,trunc(iw/${STATS_SCALE}))':h='max(1,trunc(ih/${STATS_SCALE}))':flags=neighbor`
    : pad;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    file,
    '-vf',
    filter,
    '-frames:v',
    String(length),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/** Image stats are taken from frames scaled down this much per side (nearest pixel: a 1-in-16 sample). */
const STATS_SCALE = 4;

/**
 * An mp4 read frame n = tick n (its index is the identity, or it has none; past its last frame the last is held):
 * decoded straight into the encoder, stats from a small decode alongside.
 */
async function pipeEpisodeVideo(
  source: Extract<CameraSource, { kind: 'mp4' }>,
  length: number,
  encoder: CameraVideoEncoder,
  stats: ImageStatsAccumulator,
  ffmpegPath: string,
  signal?: AbortSignal,
): Promise<void> {
  const children: ChildProcessWithoutNullStreams[] = [];
  const onAbort = () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const statsFrames = sampleStats(source.file, source.width, source.height, length, stats, ffmpegPath, (c) =>
      children.push(c),
    );
    await encoder.writeFromProcess(
      length,
      (stdout) => {
        const c = spawn(ffmpegPath, decodeArgs(source.file, length, false), {
          stdio: ['ignore', stdout as unknown as import('node:stream').Writable, 'pipe'],
        }) as unknown as ChildProcessWithoutNullStreams;
        children.push(c);
        return c;
      },
      source.file,
    );
    const counted = await statsFrames;
    signal?.throwIfAborted();
    if (counted !== length)
      throw new DatasetExportError(`${source.file}: ${counted} frames decoded for ${length} ticks`);
  } catch (err) {
    signal?.throwIfAborted(); // a cancel killed the decoders: report the cancel, not their exit
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    onAbort();
  }
}

/** Decodes `file` scaled down and adds every small frame to `stats`; resolves with the frame count (-1: torn). */
async function sampleStats(
  file: string,
  width: number,
  height: number,
  length: number,
  stats: ImageStatsAccumulator,
  ffmpegPath: string,
  started: (c: ChildProcessWithoutNullStreams) => void,
): Promise<number> {
  const probe = spawn(ffmpegPath, decodeArgs(file, length, true), { stdio: ['ignore', 'pipe', 'pipe'] });
  started(probe as unknown as ChildProcessWithoutNullStreams);
  let stderr = '';
  probe.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(0, 2000)));
  const closed = new Promise<number | null>((resolve) => {
    probe.on('error', (e) => ((stderr += e.message), resolve(-1)));
    probe.on('close', (c) => resolve(c));
  });
  const small = (n: number) => Math.max(1, Math.trunc(n / STATS_SCALE));
  const frame = new Uint8Array(small(width) * small(height) * 3);
  let filled = 0;
  let frames = 0;
  for await (const chunk of probe.stdout as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(chunk.length - at, frame.length - filled);
      frame.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === frame.length) {
        stats.add(frame);
        frames++;
        filled = 0;
      }
    }
  }
  const code = await closed;
  if (code !== 0) throw new DatasetExportError(`${file}: cannot decode it (${stderr.trim() || `exit ${code}`})`);
  return filled === 0 ? frames : -1;
}
