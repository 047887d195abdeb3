// A fixed number of frame-sized buffers that the recorder copies camera frames into. The camera adapters reuse
// their buffers, so a frame must be copied before it waits for ffmpeg or for deflate; the pool caps that memory
// at `capacity` frames and makes "the writer is behind" a plain, countable `acquire() === undefined`.

/** Frames per camera the recorder may hold by default: ~270 ms of slack at 30 fps, 7.4 MB for 640×480. */
export const DEFAULT_POOL_FRAMES = 8;

export class FramePool {
  private readonly free: Uint8Array[] = [];
  private created = 0;
  /** Who waits for a free buffer (whenFree); the recorder of one loop is the only caller, so at most a few. */
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly frameBytes: number,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`a frame pool needs at least 1 buffer, got ${capacity}`);
    if (!Number.isInteger(frameBytes) || frameBytes < 1)
      throw new RangeError(`a frame buffer needs at least 1 byte, got ${frameBytes}`);
  }

  /** A free buffer (allocated on first need), or undefined when all `capacity` are in use. O(1), never waits. */
  acquire(): Uint8Array | undefined {
    const reused = this.free.pop();
    if (reused) return reused;
    if (this.created >= this.capacity) return undefined;
    this.created++;
    return new Uint8Array(this.frameBytes);
  }

  /** Gives a buffer back once its bytes are no longer needed. */
  release(buffer: Uint8Array): void {
    this.free.push(buffer);
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Resolves once acquire() would give a buffer. For a loop on virtual time, which may wait for the writer (it runs
   * faster than real time, and dropping frames there would only be the loop outpacing ffmpeg); the wall-time loop
   * never calls it.
   */
  whenFree(): Promise<void> {
    if (this.free.length > 0 || this.created < this.capacity) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Buffers handed out and not released. */
  get inUse(): number {
    return this.created - this.free.length;
  }

  /** Bytes allocated so far; never more than frameBytes × capacity. */
  get allocatedBytes(): number {
    return this.created * this.frameBytes;
  }
}
