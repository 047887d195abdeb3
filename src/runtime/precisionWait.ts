// The wait at the end of each tick's period, on its own because it is a timing technique, not episode logic: timers
// alone fire 1–4 ms late on a busy machine (libuv counts whole ms), so the last moments are slept in sub-ms slices.
// Wall time only (performance.now()): under a virtual clock the loop drives the clock instead and never sleeps here.
import { sleepBriefly } from '../io/clock/shortSleep';

/** The last part of each wait, spent in short sleeps rather than on a timer. */
export const FINE_WAIT_MS = 2;
/**
 * The longest one turn of the fine wait sleeps before it yields to I/O. Turns sleep in Atomics.wait (a futex with a
 * sub-ms timeout), not in a spin: a spin made thousands of setImmediate turns and clock reads per tick, half the
 * runtime's allocation, and the scavenges they caused (2–5 ms on a loaded machine) made ticks late.
 */
export const FINE_WAIT_SLICE_MS = 0.1;

/** One wait at a time, which its owner can cut short (the loop's stop, or a step while paused). */
export class PrecisionWait {
  private finishing: (() => void) | undefined;

  /**
   * Waits until `deadline` (performance.now() clock): a timer for all but the last FINE_WAIT_MS, then sleeps of at
   * most FINE_WAIT_SLICE_MS with a setImmediate turn between them, so I/O still runs; the slices start ticks within
   * a fraction of a ms. Never resolves before the deadline unless cut short; a deadline already past resolves on the
   * next event-loop turn.
   */
  sleepUntil(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.finishing = undefined;
        resolve();
      };
      const poll = () => {
        if (done) return;
        const remaining = deadline - performance.now();
        sleepBriefly(Math.min(remaining, FINE_WAIT_SLICE_MS));
        if (performance.now() >= deadline) finish();
        else setImmediate(poll);
      };
      this.finishing = finish;
      const coarse = deadline - performance.now() - FINE_WAIT_MS;
      if (coarse > 0) timer = setTimeout(poll, coarse);
      else setImmediate(poll);
    });
  }

  /** Ends the wait in progress now (it resolves); nothing when none is. A function, so it can be handed around. */
  readonly cutShort = (): void => {
    this.finishing?.();
  };
}
