// A blocking sleep of a fraction of a millisecond, for the last moments before a deadline: timers count whole
// milliseconds, and polling the clock in event-loop turns allocates on every turn (see docs/PERFORMANCE.md).

/** Never notified: Atomics.wait on it returns at its timeout, a futex sleep with sub-ms resolution. */
const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the calling thread for `ms` (≤ a fraction of a ms: nothing else runs on this thread meanwhile). The kernel
 * wakes it a few tens of µs after the timeout.
 */
export function sleepBriefly(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
