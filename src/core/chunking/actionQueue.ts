// The scheduler's queue of future actions, indexed by action step (the count of actions executed since the
// episode began). A ring buffer that grows only to the largest queue it ever held, so a steady episode allocates
// nothing per tick.

/** Where a queued action came from: the request whose chunk it belongs to, its row, and whether it was merged. */
export interface QueuedSource {
  readonly requestId: number;
  readonly row: number;
  readonly merged: boolean;
}

/** Contiguous queue of `dims`-wide actions for steps startStep … endStep − 1. */
export class ActionQueue {
  private dimsValue = 0;
  private capacity = 0;
  private values = new Float64Array(0);
  private ids = new Float64Array(0);
  private rows = new Int32Array(0);
  private mergedFlags = new Uint8Array(0);
  /** The newest chunk's row for each entry as it came (values may be blended), and how many chunks predicted it. */
  private raws = new Float64Array(0);
  private votes = new Uint16Array(0);
  private head = 0;
  private count = 0;
  private first = 0;

  /** Values per action; 0 until setDims. */
  get dims(): number {
    return this.dimsValue;
  }

  get length(): number {
    return this.count;
  }

  /** Step of the front entry (the next action to execute). */
  get startStep(): number {
    return this.first;
  }

  /** One past the step of the last entry. */
  get endStep(): number {
    return this.first + this.count;
  }

  /** Empties the queue; the next entry will be for `startStep`. */
  clear(startStep: number): void {
    this.head = 0;
    this.count = 0;
    this.first = startStep;
  }

  /** Sets the width of actions; it may change only while the queue is empty. */
  setDims(dims: number): void {
    if (dims === this.dimsValue) return;
    if (this.count > 0) throw new RangeError(`queue holds ${this.dimsValue}-value actions; cannot switch to ${dims}`);
    this.dimsValue = dims;
    this.allocate(Math.max(this.capacity, 1));
  }

  /** Appends the action for step endStep (values are copied). */
  push(values: Float64Array, requestId: number, row: number, merged = false, raw: Float64Array = values): void {
    if (values.length !== this.dimsValue)
      throw new RangeError(`action of ${values.length} values pushed into a ${this.dimsValue}-value queue`);
    if (this.count === this.capacity) this.grow();
    const slot = (this.head + this.count) % this.capacity;
    this.values.set(values, slot * this.dimsValue);
    this.ids[slot] = requestId;
    this.rows[slot] = row;
    this.mergedFlags[slot] = merged ? 1 : 0;
    this.raws.set(raw, slot * this.dimsValue);
    this.votes[slot] = 1;
    this.count++;
  }

  /** A view of the k-th entry's values (valid until the queue changes). */
  valuesAt(k: number): Float64Array {
    const slot = this.slotOf(k);
    return this.values.subarray(slot * this.dimsValue, (slot + 1) * this.dimsValue);
  }

  /** Replaces the source of the k-th entry, after its values were merged with a newer chunk in place. */
  markMerged(k: number, requestId: number, row: number, raw?: Float64Array): void {
    const slot = this.slotOf(k);
    if (raw) this.raws.set(raw, slot * this.dimsValue);
    this.votes[slot] = Math.min(this.votes[slot] + 1, 0xffff);
    this.ids[slot] = requestId;
    this.rows[slot] = row;
    this.mergedFlags[slot] = 1;
  }

  /** Chunks that predicted the k-th entry so far. */
  votesAt(k: number): number {
    return this.votes[this.slotOf(k)];
  }

  /** Keeps only the first n entries. */
  truncate(n: number): void {
    if (n < this.count) this.count = Math.max(0, n);
  }

  /** Removes the front entry, copying its values into `out` (length dims); returns its source. */
  shift(out: Float64Array, rawOut?: Float64Array): QueuedSource {
    if (this.count === 0) throw new RangeError('shift() on an empty action queue');
    const slot = this.head;
    out.set(this.values.subarray(slot * this.dimsValue, (slot + 1) * this.dimsValue));
    rawOut?.set(this.raws.subarray(slot * this.dimsValue, (slot + 1) * this.dimsValue));
    const source: QueuedSource = {
      requestId: this.ids[slot],
      row: this.rows[slot],
      merged: this.mergedFlags[slot] === 1,
    };
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    this.first++;
    return source;
  }

  private slotOf(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.count)
      throw new RangeError(`entry ${k} is outside a queue of ${this.count}`);
    return (this.head + k) % this.capacity;
  }

  private grow(): void {
    this.allocate(Math.max(8, this.capacity * 2));
  }

  /** Reallocates to `capacity` entries, keeping the current entries in order from slot 0. */
  private allocate(capacity: number): void {
    const d = this.dimsValue;
    const values = new Float64Array(capacity * d);
    const ids = new Float64Array(capacity);
    const rows = new Int32Array(capacity);
    const merged = new Uint8Array(capacity);
    const raws = new Float64Array(capacity * d);
    const votes = new Uint16Array(capacity);
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % this.capacity;
      values.set(this.values.subarray(slot * d, (slot + 1) * d), k * d);
      ids[k] = this.ids[slot];
      rows[k] = this.rows[slot];
      merged[k] = this.mergedFlags[slot];
      raws.set(this.raws.subarray(slot * d, (slot + 1) * d), k * d);
      votes[k] = this.votes[slot];
    }
    this.raws = raws;
    this.votes = votes;
    this.values = values;
    this.ids = ids;
    this.rows = rows;
    this.mergedFlags = merged;
    this.capacity = capacity;
    this.head = 0;
  }
}
