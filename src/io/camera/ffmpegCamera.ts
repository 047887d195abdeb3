// A real camera read through an ffmpeg child process: raw rgb24 frames on its stdout, assembled into
// preallocated buffers (see frameAssembler.ts for why readers never see half-written frames). The control
// loop never waits: `latest()` returns the newest complete frame or undefined. A camera that goes quiet is
// reported `stalled`, an ffmpeg that dies is reported `failed` with its last error lines turned into advice.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from '../process/lineSplitter';
import { LogRing } from '../process/logRing';
import { errnoCode } from '../process/processGroup';
import { FfmpegNotFoundError } from './cameraErrors';
import { FrameAssembler, type CameraFrame } from './frameAssembler';
import { adviseFfmpegCamera } from './ffmpegCameraAdvice';
import { checkCameraMode, ffmpegCameraArgs, type CameraInput } from './ffmpegInput';

export type { CameraFrame } from './frameAssembler';
export type { CameraInput } from './ffmpegInput';

export interface FfmpegCameraConfig {
  /** Camera name as the robot config has it (`front`, `wrist`); named in every message. */
  readonly name: string;
  readonly input: CameraInput;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** ffmpeg binary; default `ffmpeg` from PATH. */
  readonly ffmpegPath?: string;
  /** No new frame for this long → `stalled`; default 10 frame periods, at least 500 ms. */
  readonly stallAfterMs?: number;
  /** No first frame for this long → `stalled` (devices can be slow to open); default max(5000, stallAfterMs). */
  readonly firstFrameTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL; default 1000 ms. */
  readonly stopGraceMs?: number;
}

export type CameraState = 'starting' | 'streaming' | 'stalled' | 'stopped' | 'failed';

export interface CameraStatus {
  readonly state: CameraState;
  /** For `stalled` and `failed`: what happened, naming the camera and device. */
  readonly message?: string;
  /** For `failed`: ffmpeg's last stderr lines (newest last). */
  readonly stderr?: readonly string[];
  /** For `failed`: advice derived from those lines (empty when the cause is unknown). */
  readonly advice?: readonly string[];
}

const STDERR_LINES = 20;

export class FfmpegCamera implements AsyncDisposable {
  private readonly assembler: FrameAssembler;
  private readonly stderrLines = new LogRing<string>(STDERR_LINES);
  private readonly stderrSplitter = new LineSplitter();
  private readonly listeners = new Set<(status: CameraStatus) => void>();
  private readonly stallAfterMs: number;
  private readonly firstFrameTimeoutMs: number;
  private readonly startedAt = Date.now();
  private current: CameraStatus = { state: 'starting' };
  private lastFrameAt: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly exited: Promise<void>;

  private constructor(
    readonly config: FfmpegCameraConfig,
    private readonly child: ChildProcess,
  ) {
    this.assembler = new FrameAssembler(config.width, config.height);
    const period = 1000 / config.fps;
    this.stallAfterMs = config.stallAfterMs ?? Math.max(500, 10 * period);
    this.firstFrameTimeoutMs = config.firstFrameTimeoutMs ?? Math.max(5000, this.stallAfterMs);
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const line of this.stderrSplitter.push(chunk)) if (line.trim() !== '') this.stderrLines.push(line);
    });
    // 'close' comes after both pipes are drained, so the last stderr lines are in the ring by then.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.onExit(code, signal);
        resolve();
      }),
    );
    const checkEvery = Math.max(20, Math.min(250, this.stallAfterMs / 4));
    this.watchdog = setInterval(() => this.checkStall(), checkEvery);
    this.watchdog.unref();
  }

  /**
   * Spawns ffmpeg for this camera; resolves once the process runs (state `starting` until the first frame).
   * Throws FfmpegNotFoundError when the binary cannot be run, CameraConfigError for a bad size or fps.
   */
  static async start(config: FfmpegCameraConfig): Promise<FfmpegCamera> {
    checkCameraMode(config.name, config, config.input);
    const ffmpegPath = config.ffmpegPath ?? 'ffmpeg';
    const child = spawn(ffmpegPath, ffmpegCameraArgs(config.input, config), {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        child.off('spawn', onSpawn);
        const code = errnoCode(err);
        reject(
          code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR'
            ? new FfmpegNotFoundError(ffmpegPath, { cause: err })
            : err,
        );
      };
      const onSpawn = () => {
        child.off('error', onError);
        resolve();
      };
      child.once('error', onError);
      child.once('spawn', onSpawn);
    });
    // Errors after spawn (e.g. a failed kill) must not crash the process; exit is reported through 'close'.
    child.on('error', () => {});
    return new FfmpegCamera(config, child);
  }

  /** The newest complete frame, or undefined before the first. Never waits. Valid until the next latest(). */
  latest(): CameraFrame | undefined {
    return this.assembler.latest();
  }

  /** Milliseconds since the newest frame arrived; undefined before the first. */
  frameAgeMs(): number | undefined {
    const frame = this.assembler.peek();
    return frame === undefined ? undefined : Date.now() - frame.capturedAt;
  }

  /** Complete frames received so far (the seq of the newest). */
  get framesReceived(): number {
    return this.assembler.peek()?.seq ?? 0;
  }

  get state(): CameraState {
    return this.current.state;
  }

  get status(): CameraStatus {
    return this.current;
  }

  /** The ffmpeg child's pid (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  onStateChange(listener: (status: CameraStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops ffmpeg: SIGTERM, then SIGKILL after the grace; resolves once the child is reaped. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearWatchdog();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.stopGraceMs ?? 1000)),
      );
      const outcome = await Promise.race([this.exited, graceOver]);
      clearTimeout(timer);
      // SIGKILL also ends a SIGSTOPped child, which would hold SIGTERM pending forever.
      if (outcome === 'timeout') this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private get where(): string {
    return `Camera '${this.config.name}' (${this.config.input.kind} ${this.config.input.device})`;
  }

  private onData(chunk: Buffer): void {
    if (this.stopping) return;
    if (this.assembler.push(chunk) === 0) return;
    this.lastFrameAt = Date.now();
    if (this.current.state === 'starting' || this.current.state === 'stalled') this.setStatus({ state: 'streaming' });
  }

  private checkStall(): void {
    const { state } = this.current;
    if (this.stopping || (state !== 'streaming' && state !== 'starting')) return;
    const now = Date.now();
    if (this.lastFrameAt === undefined) {
      const waited = now - this.startedAt;
      if (waited < this.firstFrameTimeoutMs) return;
      this.setStatus({
        state: 'stalled',
        message: `${this.where} sent no frame in ${waited} ms since ffmpeg started: ${this.stallCauses()}`,
      });
      return;
    }
    const quiet = now - this.lastFrameAt;
    if (quiet < this.stallAfterMs) return;
    const period = Math.round(1000 / this.config.fps);
    this.setStatus({
      state: 'stalled',
      message: `${this.where} sent no new frame for ${quiet} ms (expected one every ${period} ms): ${this.stallCauses()}`,
    });
  }

  private stallCauses(): string {
    return (
      'it may be unplugged, another program may hold it, or two cameras at high resolution may exceed the USB ' +
      'bandwidth (lower width/height/fps or use separate USB ports). Frames resume on their own if it recovers.'
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.clearWatchdog();
    for (const line of this.stderrSplitter.flush()) if (line.trim() !== '') this.stderrLines.push(line);
    if (this.stopping) {
      this.setStatus({ state: 'stopped' });
      return;
    }
    const stderr = this.stderrLines.toArray();
    const advice = adviseFfmpegCamera(stderr, this.config.input);
    const how =
      signal !== null
        ? `was killed by ${signal}`
        : code === 0
          ? 'ended (the input ran out)'
          : `exited with code ${code}`;
    const parts = [`${this.where}: ffmpeg ${how}.`];
    if (advice.length > 0) parts.push(advice.join(' '));
    else if (signal !== null)
      parts.push('Something outside the runtime ended it (out of memory, or a manual kill); restart the camera.');
    if (stderr.length > 0) parts.push(`Last ffmpeg output: ${stderr.slice(-3).join(' | ')}`);
    this.setStatus({ state: 'failed', message: parts.join(' '), stderr, advice });
  }

  private setStatus(status: CameraStatus): void {
    if (status.state === this.current.state) return;
    this.current = status;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch {
        // A faulty listener must not stop the camera or the other listeners.
      }
    }
  }

  private clearWatchdog(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
