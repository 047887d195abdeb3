// A fixed-capacity buffer that overwrites its oldest item: the dashboard's memory stays bounded however long an
// episode runs or however fast telemetry arrives.

export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** i = 0 is the oldest kept item. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.capacity] as T;
  }

  /** The newest `n` items, oldest first. */
  lastN(n: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, this.count - n); i < this.count; i++)
      out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}
