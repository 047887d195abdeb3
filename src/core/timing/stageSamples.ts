// One stage's durations over an episode in bounded memory: the count and the max exactly, and a uniform sample of
// at most `capacity` values for the percentiles (reservoir sampling). An episode shorter than the capacity keeps
// every value, so its percentiles are exact; an hour at 30 Hz costs the same memory as five minutes.

export class StageSamples {
  count = 0;
  max = Number.NaN;
  private readonly kept: number[] = [];
  /** xorshift32 state: deterministic, so two runs of the same episode summarise alike. */
  private state = 0x9e3779b9;

  constructor(readonly capacity = 8192) {}

  push(ms: number): void {
    this.count++;
    if (Number.isNaN(this.max) || ms > this.max) this.max = ms;
    if (this.kept.length < this.capacity) {
      this.kept.push(ms);
      return;
    }
    // Keep the count-th value with probability capacity / count, in place of a uniformly chosen kept one.
    const j = Math.floor(this.random() * this.count);
    if (j < this.capacity) this.kept[j] = ms;
  }

  /** The kept values (all of them while count ≤ capacity), in no particular order. */
  get values(): readonly number[] {
    return this.kept;
  }

  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}
