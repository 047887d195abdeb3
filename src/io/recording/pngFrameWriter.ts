// One camera's frames as PNG files, `<dir>/<tick, 6 digits>.png` every Nth tick: the fallback when ffmpeg is
// missing or dies. record() only copies the frame (as PNG scanlines) into a pooled buffer; deflate runs on
// libuv's thread pool and the file is written with async fs, so the loop never waits. When every pooled buffer
// is busy the frame is dropped and counted.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { constants, deflate } from 'node:zlib';
import type { RgbFrame } from '../../core/convert';
import { pngFile, pngScanlineBytes, pngScanlines } from '../../core/image';
import { DEFAULT_POOL_FRAMES, FramePool } from './framePool';
import { recordError, type EpisodeRecordError } from './recordingErrors';

const deflateAsync = promisify(deflate);

export interface PngFrameWriterConfig {
  /** Folder of this camera's PNGs (created on the first write). */
  readonly dir: string;
  readonly width: number;
  readonly height: number;
  /** Keep one tick in this many (tick % every === 0). */
  readonly every: number;
  /** Frames that may be encoding or writing at once (default DEFAULT_POOL_FRAMES, 8). */
  readonly poolFrames?: number;
  /** Called once, on the first failed write. */
  readonly onError?: (err: EpisodeRecordError) => void;
}

/** `000042.png`: six digits so a plain `ls` sorts the frames (more digits past tick 999999). */
export function pngFrameName(tick: number): string {
  return `${String(tick).padStart(6, '0')}.png`;
}

export class PngFrameWriter {
  private readonly pool: FramePool;
  private readonly inFlight = new Set<Promise<void>>();
  private folder: Promise<unknown> | undefined;
  private stopped = false;
  /** PNG files written. */
  framesWritten = 0;
  /** Frames of a kept tick not taken because every pooled buffer was busy. */
  framesDropped = 0;
  /** Frames whose file could not be written. */
  framesFailed = 0;
  firstError: EpisodeRecordError | undefined;

  constructor(readonly config: PngFrameWriterConfig) {
    this.pool = new FramePool(pngScanlineBytes(config.width, config.height), config.poolFrames ?? DEFAULT_POOL_FRAMES);
  }

  /** Bytes the scanline pool has allocated so far (compressed output is transient, one per pooled buffer). */
  get allocatedBytes(): number {
    return this.pool.allocatedBytes;
  }

  /** Whether `tick`'s frame would be kept (so a caller can skip producing the others). */
  keeps(tick: number): boolean {
    return !this.stopped && tick % this.config.every === 0;
  }

  /** Queues the frame when `tick` is a kept one. Never waits, never throws for a busy disk. */
  /** Resolves when record() would take a frame; see FramePool.whenFree. */
  room(): Promise<void> {
    return this.pool.whenFree();
  }

  record(tick: number, frame: RgbFrame): void {
    if (!this.keeps(tick)) return;
    const buffer = this.pool.acquire();
    if (!buffer) {
      this.framesDropped++;
      return;
    }
    pngScanlines(frame, buffer);
    const job = this.write(tick, buffer).finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  /** Stops taking frames and resolves when every queued file is written (or failed). Never rejects. */
  async finish(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async write(tick: number, scanlines: Uint8Array): Promise<void> {
    const path = join(this.config.dir, pngFrameName(tick));
    try {
      let compressed: Buffer;
      try {
        // Fastest level: PNG is the fallback, and the thread pool is shared with the record's file writes.
        compressed = await deflateAsync(scanlines, { level: constants.Z_BEST_SPEED });
      } finally {
        this.pool.release(scanlines);
      }
      this.folder ??= mkdir(this.config.dir, { recursive: true });
      await this.folder;
      // Temp file + rename: a crash mid-write leaves no truncated PNG under a frame's name.
      const temp = `${path}.tmp`;
      await writeFile(temp, pngFile(this.config.width, this.config.height, compressed));
      await rename(temp, path);
      this.framesWritten++;
    } catch (err) {
      this.framesFailed++;
      // A failed mkdir must not poison later attempts (the disk may come back).
      this.folder = undefined;
      if (!this.firstError) {
        this.firstError = recordError(path, err);
        this.config.onError?.(this.firstError);
      }
    }
  }
}
