// A bounded FIFO for rows waiting to be written: push never allocates beyond its capacity and never waits;
// when the disk falls behind, the oldest rows give way and are counted.

export class RecordRing<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Rows pushed out by newer ones since construction. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`a record buffer needs a capacity of at least 1 row, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a row in O(1); when full, the oldest row is overwritten. */
  push(item: T): void {
    const tail = (this.head + this.count) % this.capacity;
    this.slots[tail] = item;
    if (this.count < this.capacity) this.count++;
    else {
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
  }

  /** Removes and returns every row, oldest first. */
  drain(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.capacity;
      out[i] = this.slots[at] as T;
      this.slots[at] = undefined;
    }
    this.head = 0;
    this.count = 0;
    return out;
  }
}
