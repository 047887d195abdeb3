// Simulated time that only moves when the episode loop (or the reset glide) drives it. Nothing sleeps: a delay is a
// timer in a queue, fired in time order when the driver passes it; before time moves, the work the clock tracks (a
// conversion on the converter's thread, the continuations of a fired delay) runs to the point where it waits on the
// clock again. Lock-step, so the same inputs give the same sequence of events whatever the machine's load.
import type { Clock } from '../../core/timing/clock';

interface Timer {
  readonly at: number;
  /** Insertion order: timers due at the same time fire in the order they were set. */
  readonly seq: number;
  readonly fire: () => void;
}

/** One turn of the event loop: every pending microtask (promise continuation) runs first. */
const turn = () => new Promise<void>((r) => setImmediate(r));

export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private nowMs: number;
  private seq = 0;
  private readonly timers: Timer[] = [];
  private readonly tracked = new Set<Promise<unknown>>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** Delays not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  async advanceTo(deadline: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > deadline) break;
      this.timers.shift();
      this.nowMs = Math.max(this.nowMs, next.at);
      next.fire();
      await this.settle();
    }
    this.nowMs = Math.max(this.nowMs, deadline);
  }

  delay(ms: number): Promise<void> {
    return new Promise((fire) => {
      const timer = { at: this.nowMs + Math.max(0, ms), seq: this.seq++, fire };
      // Sorted insert (few timers are ever pending: one request, a glide).
      let i = this.timers.length;
      while (
        i > 0 &&
        (this.timers[i - 1].at > timer.at || (this.timers[i - 1].at === timer.at && this.timers[i - 1].seq > timer.seq))
      )
        i--;
      this.timers.splice(i, 0, timer);
    });
  }

  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.tracked.add(settled);
    void settled.then(() => this.tracked.delete(settled));
    return work;
  }

  async drain(): Promise<void> {
    await this.settle();
    while (this.timers.length > 0) await this.advanceTo(this.timers[0].at);
  }

  /** Until no tracked work is left and a turn of the event loop has run every continuation. */
  private async settle(): Promise<void> {
    do {
      while (this.tracked.size > 0) await Promise.all([...this.tracked]);
      await turn();
    } while (this.tracked.size > 0);
  }
}
