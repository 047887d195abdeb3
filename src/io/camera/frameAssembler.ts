// Cuts ffmpeg's raw rgb24 byte stream into whole frames, copying into three preallocated buffers.
//
// Why a reader of `latest()` never sees a half-written frame: a buffer is published only once its last
// byte has been copied, and the writer never fills the buffer `latest()` handed out last (nor the one
// currently published). Three buffers always leave one free for the writer, so a frame the control loop
// got stays intact until it calls `latest()` again and receives a different one — even when it awaits
// something mid-tick while new stdout chunks arrive. No per-frame allocation: buffers and frame records
// are created once and reused.
import type { RgbFrame } from '../../core/convert';

/** One camera frame: RGB HWC bytes, its number in the stream (from 1) and when its last byte arrived (epoch ms). */
export interface CameraFrame extends RgbFrame {
  readonly seq: number;
  readonly capturedAt: number;
}

interface Slot {
  width: number;
  height: number;
  data: Uint8Array;
  seq: number;
  capturedAt: number;
}

const SLOTS = 3;

export class FrameAssembler {
  readonly frameBytes: number;
  private readonly slots: Slot[];
  private filling = 0;
  private offset = 0;
  private published = -1;
  private handedOut = -1;
  private seq = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
      throw new RangeError(`Frame size must be positive integers, got ${width}x${height}`);
    }
    this.frameBytes = width * height * 3;
    this.slots = [];
    for (let i = 0; i < SLOTS; i++)
      this.slots.push({ width, height, data: new Uint8Array(this.frameBytes), seq: 0, capturedAt: 0 });
  }

  /** Copies a stdout chunk in; returns how many frames it completed. */
  push(chunk: Uint8Array): number {
    let completed = 0;
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.min(this.frameBytes - this.offset, chunk.length - pos);
      this.slots[this.filling].data.set(chunk.subarray(pos, pos + n), this.offset);
      this.offset += n;
      pos += n;
      if (this.offset === this.frameBytes) {
        this.complete();
        completed++;
      }
    }
    return completed;
  }

  /** The newest complete frame, or undefined before the first; valid until the next call that returns another. */
  latest(): CameraFrame | undefined {
    if (this.published < 0) return undefined;
    this.handedOut = this.published;
    return this.slots[this.published];
  }

  /** The newest complete frame without marking it handed out (for age and bookkeeping). */
  peek(): CameraFrame | undefined {
    return this.published < 0 ? undefined : this.slots[this.published];
  }

  /** Bytes of the frame currently being assembled (a partial frame when the stream ends). */
  get pendingBytes(): number {
    return this.offset;
  }

  private complete(): void {
    const slot = this.slots[this.filling];
    slot.seq = ++this.seq;
    slot.capturedAt = this.now();
    this.published = this.filling;
    this.offset = 0;
    for (let i = 0; i < SLOTS; i++) {
      if (i !== this.published && i !== this.handedOut) {
        this.filling = i;
        return;
      }
    }
  }
}
