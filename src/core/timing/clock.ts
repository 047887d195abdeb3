// The time the episode loop and the simulated parts run on: the wall clock, or a virtual one that jumps from event to
// event when nothing real is waited for (the simulated arm and the built-in policy), so episodes run faster than
// real time and the same seed gives the same episode.

export type ClockKind = 'wall' | 'virtual';

export interface Clock {
  readonly kind: ClockKind;
  /** Milliseconds on this clock (wall: performance.now()). */
  now(): number;
  /**
   * The caller drives time to `deadline`: wall time sleeps; virtual time first lets the work it tracks finish, then
   * fires the delays due before `deadline` in order, and stands at `deadline`.
   */
  advanceTo(deadline: number): Promise<void>;
  /** A background wait (simulated wire time, simulated inference): ends when whoever drives time passes now + ms. */
  delay(ms: number): Promise<void>;
  /** Work that takes no time on this clock (a conversion on a worker thread): virtual time waits for it. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Virtual time: fires every pending delay in order (an episode ending with a request in flight). Wall: nothing. */
  drain(): Promise<void>;
}
