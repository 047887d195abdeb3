// The frames of one video, asked for by rising frame number (replay walks an episode tick by tick): one ffmpeg
// decodes the video from its start and hands out PPM images in order, so reaching frame n costs the frames since the
// last one asked for, not n. Frames are pulled from ffmpeg's stdout only when asked for: while none is wanted the pipe
// fills and ffmpeg waits, so memory stays at one chunk and one frame. A frame number below the last one asked for
// restarts the decoder from the start (rare: replay asks in order). Whoever opens it closes it, which ends ffmpeg.
import { spawn, type ChildProcess } from 'node:child_process';
import type { RgbFrame } from '../../core/convert';
import { PpmFrameSplitter, PpmStreamError } from '../../core/image';
import { RecordedFrameError } from './recordingErrors';

interface Decoder {
  readonly child: ChildProcess;
  readonly chunks: AsyncIterator<Buffer>;
  readonly splitter: PpmFrameSplitter;
  /** The number of the frame the decoder gives next. */
  next: number;
  /** ffmpeg's exit code (null: killed), once it has exited. */
  readonly exited: Promise<number | null>;
  spawnError?: NodeJS.ErrnoException;
  stderr: string;
}

export class SequentialVideoFrames {
  private decoder: Decoder | undefined;
  /** The last frame handed out, kept for ticks whose own frame was dropped (the same frame asked for again). */
  private held: { readonly n: number; readonly frame: RgbFrame } | undefined;
  /** Calls run one after another: each moves the one decoder. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Exits of decoders still ending (one stopped by an abort is not waited for there): `close` waits for them. */
  private readonly exiting = new Set<Promise<unknown>>();

  constructor(
    /** The video's path (named in errors). */
    readonly file: string,
    private readonly ffmpegPath = 'ffmpeg',
  ) {}

  /** Frame `n` (0 = the first), a copy of its own; `signal` ends the wait and ffmpeg with it. */
  frame(n: number, signal?: AbortSignal): Promise<RgbFrame> {
    const run = this.queue.then(() => this.frameNow(n, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends ffmpeg and resolves once it has exited; later calls to `frame` are refused. */
  async close(): Promise<void> {
    this.closed = true;
    this.held = undefined;
    await this.stop();
    await Promise.all(this.exiting);
  }

  private async frameNow(n: number, signal?: AbortSignal): Promise<RgbFrame> {
    if (this.closed) throw new Error(`the frames of ${this.file} are closed`);
    signal?.throwIfAborted();
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`a frame number is a whole number ≥ 0, got ${n}`);
    // The same frame again (its tick's own frame was dropped): a copy, so the caller may keep or change each one.
    if (this.held?.n === n) return { ...this.held.frame, data: this.held.frame.data.slice() };
    if (this.decoder && n < this.decoder.next) await this.stop();
    const d = this.decoder ?? this.start();
    const onAbort = () => void this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (d.next <= n) {
        let frame: RgbFrame | undefined;
        try {
          frame = d.splitter.next(d.next === n);
        } catch (err) {
          if (err instanceof PpmStreamError)
            throw new RecordedFrameError(`ffmpeg's frames of ${this.file}: ${err.message}`);
          throw err;
        }
        if (frame) {
          if (d.next === n) {
            d.next++;
            this.held = { n, frame };
            return { ...frame, data: frame.data.slice() };
          }
          d.next++;
          continue;
        }
        const chunk = await d.chunks.next().catch(() => ({ done: true, value: undefined }) as const);
        signal?.throwIfAborted();
        if (this.decoder !== d) throw new Error(`the frames of ${this.file} were closed while frame ${n} was read`);
        if (chunk.done) throw await this.ended(d, n);
        d.splitter.push(chunk.value);
      }
      throw new Error(`frame ${n} of ${this.file} is behind the decoder`); // not reached: n < next restarts
    } catch (err) {
      // A decoder that failed or was cut off mid-frame is not reused.
      if (this.decoder === d) await this.stop();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private start(): Decoder {
    const args = ['-hide_banner', '-loglevel', 'error', '-i', this.file, '-an', '-f', 'image2pipe'];
    args.push('-c:v', 'ppm', '-pix_fmt', 'rgb24', 'pipe:1');
    const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const d: Decoder = {
      child,
      chunks: (child.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator](),
      splitter: new PpmFrameSplitter(),
      next: 0,
      stderr: '',
      exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    };
    child.on('error', (e: NodeJS.ErrnoException) => (d.spawnError = e));
    child.stderr!.on('data', (b: Buffer) => {
      if (d.stderr.length < 4000) d.stderr += b.toString();
    });
    this.decoder = d;
    return d;
  }

  /** Ends the running ffmpeg, if any, and waits for it to be gone. */
  private async stop(): Promise<void> {
    const d = this.decoder;
    if (!d) return;
    this.decoder = undefined;
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    d.child.stdout?.destroy();
    this.exiting.add(d.exited);
    await d.exited;
    this.exiting.delete(d.exited);
  }

  /** Why the video ended before frame `n`, once ffmpeg has exited. */
  private async ended(d: Decoder, n: number): Promise<RecordedFrameError> {
    const code = await d.exited;
    const e = d.spawnError;
    if (e)
      return new RecordedFrameError(
        e.code === 'ENOENT'
          ? `the frames are in ${this.file}; taking them out needs ffmpeg, which was not found ("${this.ffmpegPath}"). Install ffmpeg, or set so100.ffmpegPath to it.`
          : `cannot run ffmpeg ("${this.ffmpegPath}") to read ${this.file}: ${e.message}`,
      );
    if (code !== 0)
      return new RecordedFrameError(
        `ffmpeg could not read frame ${n} of ${this.file}: ${d.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`}`,
      );
    if (d.splitter.midImage)
      return new RecordedFrameError(
        `ffmpeg's output for ${this.file} ends inside frame ${d.next}; the video may be damaged`,
      );
    return new RecordedFrameError(
      `${this.file} has no frame ${n} (it holds ${d.next}; the video is shorter than the episode's steps)`,
    );
  }
}
