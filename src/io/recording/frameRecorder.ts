// Camera frames of one episode record: `<camera>.mp4` per camera through ffmpeg when it is there, else
// `frames/<camera>/<tick>.png` every Nth tick. record() is the loop-side half: it copies frames into bounded
// pools and returns; encoders and files run off the loop. It never throws into the loop and never waits:
// a writer that falls behind drops (and counts) frames, an ffmpeg that dies hands its camera over to PNG.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RgbFrame } from '../../core/convert';
import { probeVideoEncoder } from './ffmpegEncoderProbe';
import type { VideoEncoder, VideoPace } from './ffmpegVideoArgs';
import { FfmpegVideoWriter } from './ffmpegVideoWriter';
import { DEFAULT_POOL_FRAMES } from './framePool';
import { PngFrameWriter } from './pngFrameWriter';
import { FrameRecordConfigError, type VideoEncoderError } from './recordingErrors';

export type FrameRecordMode = 'mp4' | 'png' | 'none';

export interface RecordedCamera {
  /** Camera name as the robot config has it; also the file name, so letters, digits, `_`, `-`, `.` only. */
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

export interface CameraFrameRecorderOptions {
  /** Frames per second the loop records at (the mp4's frame rate). */
  readonly fps: number;
  /** 'mp4' (default) falls back to PNG when ffmpeg is missing or dies; 'png' skips ffmpeg; 'none' records nothing. */
  readonly mode?: FrameRecordMode;
  /** PNG mode keeps one tick in this many (default 10). */
  readonly pngEvery?: number;
  /** ffmpeg binary (default `ffmpeg` from PATH). */
  readonly ffmpegPath?: string;
  /** Frames per camera that may wait for an encoder or the disk; bounds memory (default DEFAULT_POOL_FRAMES, 8). */
  readonly poolFrames?: number;
  /** What the mp4 encoders are tuned for: `throughput` when the episode runs on virtual time (default realtime). */
  readonly pace?: VideoPace;
  /** How long finish() waits for each ffmpeg to close its file before killing it (default 10 000 ms). */
  readonly finishTimeoutMs?: number;
  /** How long abort() lets ffmpeg close its file before killing it (default 2000 ms; 0 kills at once). */
  readonly abortGraceMs?: number;
  /** Called (off the loop) for each failure: an ffmpeg that died, a PNG that could not be written, a wrong frame size. */
  readonly onError?: (err: Error) => void;
}

/** Folder of a camera's PNG frames, relative to the episode folder. */
/** The longest a virtual-time loop waits for a writer with no free buffer (a stuck encoder must not hang it). */
const ROOM_WAIT_LIMIT_MS = 5000;

export function pngFramesDir(camera: string): string {
  return join('frames', camera);
}

/** File name of a camera's video in the episode folder. */
export function videoFileName(camera: string): string {
  return `${camera}.mp4`;
}

/**
 * File name of a camera's frame index: `frame,tick` lines, the tick each frame of the mp4 was taken at. Frames the
 * encoder could not take are dropped, so frame n is not tick n; records made before the index lack this file.
 */
export function videoTicksFileName(camera: string): string {
  return `${camera}.ticks.csv`;
}

export const VIDEO_TICKS_HEADER = 'frame,tick';

export interface CameraFrameSummary {
  readonly camera: string;
  /** How this camera's frames ended up stored; 'mp4+png' when ffmpeg died during the episode. */
  readonly mode: 'mp4' | 'png' | 'mp4+png' | 'none';
  /** Paths relative to the episode folder: `front.mp4`, `frames/front/`. */
  readonly files: readonly string[];
  /** Frames handed to ffmpeg (a killed ffmpeg may have stored fewer: its file ends at the last complete fragment). */
  readonly videoFrames: number;
  /** PNG files written. */
  readonly pngFrames: number;
  readonly framesWritten: number;
  /** Frames given up: writer behind, ffmpeg gone with frames queued, failed writes, wrong frame size. */
  readonly framesDropped: number;
  /** Why PNG was used for this camera, when it was. */
  readonly why?: string;
  /** The first failure, with advice. */
  readonly error?: string;
}

export interface FrameRecordSummary {
  readonly requestedMode: FrameRecordMode;
  /** 'mixed' when cameras ended up stored differently. */
  readonly mode: 'mp4' | 'png' | 'mp4+png' | 'mixed' | 'none';
  /** One sentence on why the mode is what it is. */
  readonly why: string;
  /** The video encoder, when ffmpeg was used. */
  readonly encoder?: VideoEncoder;
  readonly pngEvery: number;
  readonly cameras: readonly CameraFrameSummary[];
  /** The reason given to abort(), when the recording was aborted. */
  readonly aborted?: string;
}

export interface CameraFrameStatus {
  readonly camera: string;
  /** Where this camera's frames go now. */
  readonly mode: 'mp4' | 'png';
  /** The ffmpeg child's pid while it takes frames. */
  readonly pid?: number;
  readonly framesWritten: number;
  readonly framesDropped: number;
  /** Bytes the camera's frame pools hold; never above boundBytes. */
  readonly allocatedBytes: number;
  readonly boundBytes: number;
}

/** Per-camera state while recording. */
interface CameraSink {
  readonly camera: RecordedCamera;
  video?: FfmpegVideoWriter;
  png?: PngFrameWriter;
  why?: string;
  error?: Error;
  wrongSize: number;
  /** The tick of each frame handed to the video encoder, in order (written as the frame index). */
  videoTicks: number[];
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class CameraFrameRecorder implements AsyncDisposable {
  private closing: Promise<FrameRecordSummary> | undefined;
  private abortReason: string | undefined;

  private constructor(
    /** The episode folder. */
    readonly dir: string,
    private readonly sinks: readonly CameraSink[],
    private readonly options: CameraFrameRecorderOptions,
    private readonly requestedMode: FrameRecordMode,
    private readonly pngEvery: number,
    private readonly why: string,
    private readonly encoder: VideoEncoder | undefined,
  ) {}

  /**
   * Starts recording the cameras' frames into the episode folder `dir` (which must exist): probes ffmpeg and
   * starts one encoder per camera, or prepares PNG writers. Throws FrameRecordConfigError for bad camera names,
   * sizes or fps; a missing or broken ffmpeg is not an error but the reason for PNG, told in the summary.
   */
  static async create(
    dir: string,
    cameras: readonly RecordedCamera[],
    options: CameraFrameRecorderOptions,
  ): Promise<CameraFrameRecorder> {
    checkSettings(cameras, options);
    const mode = options.mode ?? 'mp4';
    const pngEvery = options.pngEvery ?? 10;
    const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    if (mode === 'none' || cameras.length === 0) {
      return new CameraFrameRecorder(
        dir,
        [],
        options,
        mode,
        pngEvery,
        mode === 'none' ? "frames are not recorded (mode 'none')" : 'no cameras to record',
        undefined,
      );
    }
    const sinks: CameraSink[] = cameras.map((camera) => ({ camera, wrongSize: 0, videoTicks: [] }));
    let why: string;
    let encoder: VideoEncoder | undefined;
    const probe = mode === 'mp4' ? await probeVideoEncoder(ffmpegPath) : undefined;
    if (probe?.ok) {
      encoder = probe.encoder;
      why = `mp4 through ffmpeg (${probe.encoder})`;
      // Start every camera's ffmpeg at once; the ones that fail to start fall back to PNG on their own.
      await Promise.all(
        sinks.map(async (sink) => {
          const { name, width, height } = sink.camera;
          try {
            sink.video = await FfmpegVideoWriter.start({
              camera: name,
              width,
              height,
              fps: options.fps,
              path: join(dir, videoFileName(name)),
              ffmpegPath,
              encoder: probe.encoder,
              pace: options.pace,
              poolFrames: options.poolFrames,
              onFailureThen: pngThen(name, pngEvery),
            });
          } catch (err) {
            sink.error = err as Error;
            sink.why = `ffmpeg could not start for this camera: ${(err as Error).message}`;
          }
        }),
      );
    } else {
      why =
        mode === 'png'
          ? `PNG every ${pngEvery} ticks, as requested (mode 'png')`
          : `PNG every ${pngEvery} ticks instead of mp4: ${probe?.ok === false ? probe.reason : 'ffmpeg is unavailable'}`;
      for (const sink of sinks) sink.why = why;
    }
    const recorder = new CameraFrameRecorder(dir, sinks, options, mode, pngEvery, why, encoder);
    for (const sink of sinks) {
      const video = sink.video;
      if (!video) {
        recorder.startPng(sink);
        if (sink.error) options.onError?.(sink.error);
        continue;
      }
      video.onFailure((failure) => recorder.videoFailed(sink, failure));
      // It may have ended between its start and now, before anyone listened.
      if (video.failure) recorder.videoFailed(sink, video.failure);
    }
    return recorder;
  }

  /**
   * Records one tick's frames (cameras missing from `frames` are skipped). Synchronous and bounded: copies each
   * frame into a pooled buffer or drops it; never waits, never throws.
   */
  record(tick: number, frames: Readonly<Record<string, RgbFrame>>): void {
    if (this.closing) return;
    for (const sink of this.sinks) {
      const frame = frames[sink.camera.name];
      if (frame === undefined) continue;
      try {
        this.recordCamera(sink, tick, frame);
      } catch (err) {
        // Only a bug gets here; the loop must keep running, and the summary says what happened.
        sink.wrongSize++;
        this.fail(sink, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /**
   * Resolves when every camera's writer can take the next frame, or after `limitMs` (then the frame is dropped and
   * counted, as always). Only a loop on virtual time waits for this: it outruns real time, and the encoder is real.
   */
  room(limitMs = ROOM_WAIT_LIMIT_MS): Promise<void> {
    const waits = this.sinks.map((s) => (s.png ? s.png.room() : s.video?.room()));
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      Promise.all(waits),
      new Promise<void>((r) => {
        timer = setTimeout(r, limitMs);
      }),
    ]).then(() => clearTimeout(timer));
  }

  /** Per camera, now: for diagnostics and tests (allocates; not meant for every tick). */
  get status(): readonly CameraFrameStatus[] {
    const poolFrames = this.options.poolFrames ?? DEFAULT_POOL_FRAMES;
    return this.sinks.map((sink) => {
      const { width, height } = sink.camera;
      const counts = this.counts(sink);
      return {
        camera: sink.camera.name,
        mode: sink.png ? 'png' : 'mp4',
        pid: sink.video?.accepting ? sink.video.pid : undefined,
        framesWritten: counts.written,
        framesDropped: counts.dropped,
        allocatedBytes: (sink.video?.allocatedBytes ?? 0) + (sink.png?.allocatedBytes ?? 0),
        // A camera whose ffmpeg died holds both pools (the video one idle by then).
        boundBytes: poolFrames * ((sink.video ? width * height * 3 : 0) + (width * 3 + 1) * height),
      };
    });
  }

  /** Closes every file: lets each ffmpeg finish its mp4, writes the queued PNGs. Idempotent; never rejects. */
  finish(): Promise<FrameRecordSummary> {
    this.closing ??= this.close(false);
    return this.closing;
  }

  /** Stops at once: queued frames are dropped, ffmpeg is given abortGraceMs to close its file, then killed. */
  abort(reason: string): Promise<FrameRecordSummary> {
    if (!this.closing) {
      this.abortReason = reason;
      this.closing = this.close(true);
    }
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort('the frame recorder was disposed before the episode finished');
  }

  private recordCamera(sink: CameraSink, tick: number, frame: RgbFrame): void {
    // Before touching frame.data: a synthetic camera renders on first read, and PNG keeps one tick in pngEvery.
    if (sink.png && !sink.png.keeps(tick)) return;
    const { width, height } = sink.camera;
    if (frame.width !== width || frame.height !== height || frame.data.length !== width * height * 3) {
      sink.wrongSize++;
      if (sink.wrongSize === 1) {
        this.fail(
          sink,
          new FrameRecordConfigError(
            `Camera '${sink.camera.name}' sent a ${frame.width}×${frame.height} frame ` +
              `(${frame.data.length} bytes) to a recorder set up for ${width}×${height}; such frames are not recorded. ` +
              'Create the recorder with the size the camera really delivers.',
          ),
        );
      }
      return;
    }
    if (sink.png) sink.png.record(tick, frame);
    else if (sink.video?.write(frame.data)) sink.videoTicks.push(tick);
  }

  private fail(sink: CameraSink, err: Error): void {
    sink.error ??= err;
    const report = this.options.onError;
    // Off the loop: a listener that logs or throws must not cost the tick.
    if (report)
      setImmediate(() => {
        try {
          report(err);
        } catch {
          /* a faulty listener must not end the process */
        }
      });
  }

  /** An ffmpeg ended mid-episode: its camera continues as PNG, and the failure is reported. */
  private videoFailed(sink: CameraSink, failure: VideoEncoderError): void {
    if (sink.png) return;
    sink.why = 'its ffmpeg ended during the episode (see error)';
    this.startPng(sink);
    this.fail(sink, failure);
  }

  private startPng(sink: CameraSink): void {
    sink.png = new PngFrameWriter({
      dir: join(this.dir, pngFramesDir(sink.camera.name)),
      width: sink.camera.width,
      height: sink.camera.height,
      every: this.pngEvery,
      poolFrames: this.options.poolFrames,
      onError: (err) => this.fail(sink, err),
    });
  }

  private counts(sink: CameraSink): { written: number; dropped: number } {
    const v = sink.video;
    const p = sink.png;
    return {
      written: (v?.framesWritten ?? 0) + (p?.framesWritten ?? 0),
      dropped: (v ? v.framesDropped + v.framesLost : 0) + (p ? p.framesDropped + p.framesFailed : 0) + sink.wrongSize,
    };
  }

  private async close(aborting: boolean): Promise<FrameRecordSummary> {
    const { finishTimeoutMs = 10_000, abortGraceMs = 2000 } = this.options;
    await Promise.all(
      this.sinks.map(async (sink) => {
        if (sink.video) {
          if (aborting) await sink.video.abort(abortGraceMs);
          else {
            const failure = await sink.video.finish(finishTimeoutMs);
            if (failure && !sink.error) this.fail(sink, failure);
          }
          await this.writeVideoTicks(sink);
        }
        await sink.png?.finish();
      }),
    );
    const cameras = this.sinks.map((sink) => this.cameraSummary(sink));
    const modes = new Set(cameras.map((c) => c.mode));
    const mode = modes.size === 0 ? 'none' : modes.size === 1 ? [...modes][0] : 'mixed';
    const fellBack = cameras.filter((c) => c.mode === 'mp4+png').map((c) => c.camera);
    const why =
      fellBack.length > 0
        ? `${this.why}; ffmpeg ended early for ${fellBack.join(', ')}, whose remaining frames are PNG`
        : this.why;
    return {
      requestedMode: this.requestedMode,
      mode,
      why,
      encoder: this.encoder,
      pngEvery: this.pngEvery,
      cameras,
      ...(this.abortReason !== undefined ? { aborted: this.abortReason } : {}),
    };
  }

  private async writeVideoTicks(sink: CameraSink): Promise<void> {
    const lines = [VIDEO_TICKS_HEADER, ...sink.videoTicks.map((tick, frame) => `${frame},${tick}`), ''];
    try {
      await writeFile(join(this.dir, videoTicksFileName(sink.camera.name)), lines.join('\n'));
    } catch (err) {
      this.fail(sink, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private cameraSummary(sink: CameraSink): CameraFrameSummary {
    const name = sink.camera.name;
    const files: string[] = [];
    if (sink.video) files.push(videoFileName(name));
    if (sink.png) files.push(`${pngFramesDir(name)}/`);
    const counts = this.counts(sink);
    return {
      camera: name,
      mode: sink.video && sink.png ? 'mp4+png' : sink.video ? 'mp4' : 'png',
      files,
      videoFrames: sink.video?.framesWritten ?? 0,
      pngFrames: sink.png?.framesWritten ?? 0,
      framesWritten: counts.written,
      framesDropped: counts.dropped,
      ...(sink.why !== undefined ? { why: sink.why } : {}),
      ...(sink.error !== undefined ? { error: sink.error.message } : {}),
    };
  }
}

/** What the recorder does when a camera's ffmpeg ends early, as the error message's last clause. */
function pngThen(camera: string, every: number): string {
  return `the rest of this camera's frames are saved as PNG every ${every} ticks in ${pngFramesDir(camera)}/ (the mp4 keeps what was written)`;
}

function checkSettings(cameras: readonly RecordedCamera[], options: CameraFrameRecorderOptions): void {
  const { fps, pngEvery = 10, poolFrames = DEFAULT_POOL_FRAMES } = options;
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240)
    throw new FrameRecordConfigError(`frame recording needs an fps in (0, 240], got ${fps}`);
  if (!Number.isInteger(pngEvery) || pngEvery < 1)
    throw new FrameRecordConfigError(`pngEvery must be a whole number ≥ 1 (keep every Nth tick), got ${pngEvery}`);
  if (!Number.isInteger(poolFrames) || poolFrames < 1)
    throw new FrameRecordConfigError(`poolFrames must be a whole number ≥ 1, got ${poolFrames}`);
  const seen = new Set<string>();
  for (const { name, width, height } of cameras) {
    if (!NAME.test(name))
      throw new FrameRecordConfigError(
        `camera name '${name}' cannot name a file: use letters, digits, '_', '-' and '.' (not first)`,
      );
    if (seen.has(name)) throw new FrameRecordConfigError(`camera '${name}' is listed twice`);
    seen.add(name);
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      width > 8192 ||
      height > 8192
    ) {
      throw new FrameRecordConfigError(
        `camera '${name}': width and height must be integers in 1..8192, got ${width}x${height}`,
      );
    }
  }
}
