// One camera's mp4, encoded by an ffmpeg child that reads raw rgb24 frames on stdin. write() is the loop-side
// half: it copies the frame into a pooled buffer and hands it to the pipe, or queues it while the pipe is full
// ('drain' pending), or drops and counts it when every pooled buffer is taken. So memory stays at
// poolFrames × frame size however slow the encoder is, and the loop never waits for ffmpeg.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from '../process/lineSplitter';
import { LogRing } from '../process/logRing';
import { ffmpegVideoArgs, type VideoEncoder, type VideoFormat, type VideoPace } from './ffmpegVideoArgs';
import { DEFAULT_POOL_FRAMES, FramePool } from './framePool';
import { VideoEncoderError, type VideoEncoderExit } from './recordingErrors';
import { adviseVideoEncoder } from './videoEncoderAdvice';

export interface FfmpegVideoWriterConfig extends VideoFormat {
  /** Camera name, used in messages. */
  readonly camera: string;
  /** The mp4 to write (replaced if it exists). */
  readonly path: string;
  readonly ffmpegPath: string;
  readonly encoder: VideoEncoder;
  /** What the encoder is tuned for (default realtime). */
  readonly pace?: VideoPace;
  /** Frames that may wait for the pipe at once (default DEFAULT_POOL_FRAMES, 8). */
  readonly poolFrames?: number;
  /** What the recorder does when ffmpeg ends early; completes the error message. */
  readonly onFailureThen?: string;
}

const STDERR_LINES = 20;

export class FfmpegVideoWriter {
  private readonly pool: FramePool;
  private readonly queue: Uint8Array[] = [];
  private readonly stderrLines = new LogRing<string>(STDERR_LINES);
  private readonly stderrSplitter = new LineSplitter();
  private readonly exited: Promise<VideoEncoderExit>;
  private readonly failureListeners = new Set<(err: VideoEncoderError) => void>();
  private blocked = false;
  private ending = false;
  private closedExit: VideoEncoderExit | undefined;
  private pipeError: Error | undefined;
  /** Frames ffmpeg accepted through the pipe. */
  framesWritten = 0;
  /** Frames not taken because every pooled buffer was waiting for the pipe. */
  framesDropped = 0;
  /** Frames taken but never handed to ffmpeg (it ended first, or the recording was aborted). */
  framesLost = 0;
  /** Set when ffmpeg ended before finish() asked it to, or finished with an error. */
  failure: VideoEncoderError | undefined;

  private constructor(
    readonly config: FfmpegVideoWriterConfig,
    private readonly child: ChildProcess,
  ) {
    this.pool = new FramePool(config.width * config.height * 3, config.poolFrames ?? DEFAULT_POOL_FRAMES);
    const stdin = child.stdin!;
    stdin.on('drain', () => this.onDrain());
    // EPIPE when ffmpeg dies: the exit is reported through 'close'; an unhandled 'error' would end the process.
    stdin.on('error', (err) => {
      this.pipeError ??= err;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const line of this.stderrSplitter.push(chunk)) if (line.trim() !== '') this.stderrLines.push(line);
    });
    child.on('error', () => {});
    // 'close' comes after stderr is drained, so the last lines are in the ring when the failure is built.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        const exit = { code, signal };
        this.onClose(exit);
        resolve(exit);
      }),
    );
  }

  /** Spawns ffmpeg; resolves once it runs. Rejects with VideoEncoderError when it cannot be started. */
  static async start(config: FfmpegVideoWriterConfig): Promise<FfmpegVideoWriter> {
    const child = spawn(config.ffmpegPath, ffmpegVideoArgs(config, config.encoder, config.path, config.pace), {
      stdio: ['pipe', 'ignore', 'pipe'],
      windowsHide: true,
      // Own process group: a Ctrl-C in the terminal reaches only the runtime, which then ends the file itself.
      // Should the runtime die instead, stdin reaches EOF and ffmpeg still writes a complete mp4 and exits.
      detached: process.platform !== 'win32',
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('error', resolve);
      child.once('spawn', () => {
        child.off('error', resolve);
        resolve(undefined);
      });
    });
    if (spawnError) {
      child.stdin?.destroy();
      throw new VideoEncoderError(
        config.camera,
        config.path,
        { code: null, signal: null, error: spawnError },
        [],
        [],
        config.onFailureThen ?? 'no video is recorded for it',
      );
    }
    return new FfmpegVideoWriter(config, child);
  }

  /** The ffmpeg child's pid (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while frames can still go to ffmpeg. */
  get accepting(): boolean {
    return !this.ending && this.closedExit === undefined;
  }

  /** Bytes held by the frame pool; never more than poolFrames × width × height × 3. */
  get bufferedBytesBound(): number {
    return this.pool.frameBytes * this.pool.capacity;
  }

  /** Bytes the frame pool has allocated so far. */
  get allocatedBytes(): number {
    return this.pool.allocatedBytes;
  }

  /** Calls `listener` once if ffmpeg ends before finish() or abort(). */
  onFailure(listener: (err: VideoEncoderError) => void): void {
    this.failureListeners.add(listener);
  }

  /**
   * Copies one width × height × 3 frame and sends it to ffmpeg, or queues it while the pipe is full.
   * Returns false (and counts a drop) when the pool is exhausted or ffmpeg is gone. O(frame copy), never waits.
   */
  /** Resolves when write() would take a frame (or will never take one again); see FramePool.whenFree. */
  room(): Promise<void> {
    return this.accepting ? this.pool.whenFree() : Promise.resolve();
  }

  write(rgb: Uint8Array): boolean {
    if (!this.accepting) return false;
    const buffer = this.pool.acquire();
    if (!buffer) {
      this.framesDropped++;
      return false;
    }
    buffer.set(rgb);
    if (this.blocked) this.queue.push(buffer);
    else this.send(buffer);
    return true;
  }

  /**
   * Sends what is queued, ends stdin and waits for ffmpeg to write the file's end; SIGKILL after `timeoutMs`.
   * Resolves with the failure, if any (ended early, or a non-zero exit now). Idempotent; never rejects.
   */
  async finish(timeoutMs: number): Promise<VideoEncoderError | undefined> {
    if (this.closedExit === undefined && !this.ending) {
      this.ending = true;
      // end() writes after the queued frames; those still in the queue are written on the next 'drain'.
      if (this.queue.length === 0) this.child.stdin!.end();
      const exit = await this.waitExit(timeoutMs);
      if (exit === undefined) {
        this.kill();
        await this.exited;
        this.failure ??= this.error(
          `it did not finish within ${timeoutMs} ms and was killed; the mp4 holds the fragments written before that`,
        );
      } else if (exit.code !== 0 && !this.failure) {
        this.failure = this.error('the mp4 may be incomplete', exit);
      }
    }
    await this.exited;
    return this.failure;
  }

  /**
   * Stops at once: drops what is queued, ends stdin so ffmpeg closes the file, and kills it after `graceMs`
   * (0 kills right away; the fragmented mp4 stays readable up to its last complete fragment). Never rejects.
   */
  async abort(graceMs: number): Promise<void> {
    if (this.closedExit === undefined && !this.ending) {
      this.ending = true;
      this.framesLost += this.queue.length;
      for (const b of this.queue.splice(0)) this.pool.release(b);
      if (graceMs <= 0) this.kill();
      else {
        this.child.stdin!.end();
        if ((await this.waitExit(graceMs)) === undefined) this.kill();
      }
    }
    await this.exited;
  }

  private send(buffer: Uint8Array): void {
    const ok = this.child.stdin!.write(buffer, (err) => {
      // The pipe no longer needs the bytes (written, or failed with the child gone).
      this.pool.release(buffer);
      if (err) this.framesLost++;
      else this.framesWritten++;
    });
    if (!ok) this.blocked = true;
  }

  private onDrain(): void {
    this.blocked = false;
    while (!this.blocked && this.queue.length > 0) this.send(this.queue.shift()!);
    if (this.ending && this.queue.length === 0 && this.closedExit === undefined) this.child.stdin!.end();
  }

  private onClose(exit: VideoEncoderExit): void {
    this.closedExit = exit;
    for (const line of this.stderrSplitter.flush()) if (line.trim() !== '') this.stderrLines.push(line);
    this.framesLost += this.queue.length;
    for (const b of this.queue.splice(0)) this.pool.release(b);
    if (this.ending) return;
    this.failure = this.error(this.config.onFailureThen ?? 'no more video is recorded for it', exit);
    for (const listener of [...this.failureListeners]) {
      try {
        listener(this.failure);
      } catch {
        // A faulty listener must not keep the others from hearing about it.
      }
    }
  }

  private error(
    then: string,
    exit: VideoEncoderExit = this.closedExit ?? { code: null, signal: null },
  ): VideoEncoderError {
    const stderr = this.stderrLines.toArray();
    const withPipe =
      exit.error === undefined && this.pipeError !== undefined && exit.signal === null && exit.code === null
        ? { ...exit, error: this.pipeError }
        : exit;
    return new VideoEncoderError(
      this.config.camera,
      this.config.path,
      withPipe,
      stderr,
      adviseVideoEncoder(stderr, exit.signal),
      then,
    );
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private async waitExit(timeoutMs: number): Promise<VideoEncoderExit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
