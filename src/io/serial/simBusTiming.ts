// Puts a FeetechBusSim on a real clock: host bytes in, servo replies out after their modelled wire time.
import { performance } from 'node:perf_hooks';
import type { FeetechBusSim } from '../../core/sim';
import { sleepBriefly } from '../clock/shortSleep';

/** A monotonic clock in µs. */
export type MicrosecondClock = () => number;

/** performance.now() in µs: monotonic, sub-microsecond resolution. */
export const monotonicUs: MicrosecondClock = () => performance.now() * 1000;

/** Below this wait a timer is too coarse (≥ 1 ms in Node), so the scheduler polls with setImmediate. */
const SPIN_BELOW_US = 2000;
/**
 * Each poll sleeps up to this long (Atomics.wait) before it checks again. Polling with bare setImmediate turns
 * made hundreds of turns per reply, an allocation per turn; on a loaded machine the garbage showed as late ticks.
 */
const POLL_SLEEP_US = 100;

/**
 * Within this much of a delivery, the pty relay watches the clock instead of sleeping: a futex sleep wakes up to
 * ~50 µs late (the kernel's default timer slack), and every reply was handed over that much after its wire time.
 */
const SPIN_WITHIN_US = 60;

/** How a SimBusTiming keeps time beyond the default. */
export interface SimBusTimingOptions {
  /**
   * Hand each reply over at its wire time, not up to a sleep's overshoot later (a short spin on the clock), and keep
   * the host's line busy: a request that arrives while the previous one is still on the wire (the host wrote
   * SYNC_WRITE and SYNC_READ back to back) starts when that one ends. What the pty relay does; the in-process
   * transport keeps the default.
   */
  readonly wireFaithful?: boolean;
}

interface Delivery {
  readonly atUs: number;
  readonly bytes: Uint8Array;
}

/**
 * Feeds host bytes to the simulator and hands each status packet to `deliver` once its last byte would have
 * arrived at the host: request wire time + the servo's return delay + reply wire time, as the sim reports
 * them. Deliveries keep the order of the wire. The sim's clock follows the monotonic clock, so joints move in
 * real time between requests.
 */
export class SimBusTiming {
  private readonly queue: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastAtUs = -Infinity;
  /** When the host's latest request finished arriving (wireFaithful only). */
  private lineFreeUs = -Infinity;
  private readonly wireFaithful: boolean;
  /** Keeps the spin's arithmetic from being optimized away. */
  private spinSink = 0;
  private readonly originClockUs: number;
  private readonly originSimUs: number;
  private stopped = false;

  constructor(
    readonly sim: FeetechBusSim,
    private readonly deliver: (bytes: Uint8Array) => void,
    private readonly clock: MicrosecondClock = monotonicUs,
    /** Hand replies over on the next turn of the event loop, whatever their wire time (a virtual clock stands still meanwhile). */
    private readonly instant = false,
    options: SimBusTimingOptions = {},
  ) {
    this.wireFaithful = options.wireFaithful ?? false;
    this.originClockUs = clock();
    this.originSimUs = sim.nowUs;
  }

  /** The bus time that corresponds to now on the clock. */
  nowUs(): number {
    return this.originSimUs + (this.clock() - this.originClockUs);
  }

  /** Bytes from the host that have just been handed over; replies are scheduled, never delivered synchronously. */
  receive(bytes: Uint8Array): void {
    if (this.stopped || bytes.length === 0) return;
    const startUs = this.wireFaithful ? Math.max(this.nowUs(), this.lineFreeUs) : this.nowUs();
    const arrivedUs = startUs + bytes.length * this.sim.byteTimeUs; // the request's own time on the wire
    this.lineFreeUs = arrivedUs;
    for (const r of this.sim.handle(bytes, arrivedUs)) {
      const atUs = Math.max(arrivedUs + r.replyDelayUs + r.reply.length * this.sim.byteTimeUs, this.lastAtUs);
      this.lastAtUs = atUs;
      this.queue.push({ atUs, bytes: r.reply });
    }
    this.schedule();
  }

  /** Runs the servos' physics up to now (reads do this by themselves; call it to observe the sim directly). */
  advance(): void {
    this.sim.advanceTo(this.nowUs());
  }

  /** Replies scheduled but not yet delivered. */
  get pendingReplies(): number {
    return this.queue.length;
  }

  /** Drops pending replies and stops scheduling. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.immediate || this.queue.length === 0) return;
    const waitUs = this.instant ? 0 : this.queue[0].atUs - this.nowUs();
    if (waitUs > SPIN_BELOW_US) this.timer = setTimeout(this.onTimer, (waitUs - SPIN_BELOW_US / 2) / 1000);
    else this.immediate = setImmediate(this.onPoll);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flush();
  };

  private readonly onPoll = (): void => {
    this.immediate = undefined;
    const waitUs = this.queue.length > 0 && !this.instant ? this.queue[0].atUs - this.nowUs() : 0;
    if (!this.wireFaithful) sleepBriefly(Math.min(waitUs, POLL_SLEEP_US) / 1000);
    else if (waitUs > SPIN_WITHIN_US) sleepBriefly(Math.min(waitUs - SPIN_WITHIN_US, POLL_SLEEP_US) / 1000);
    else if (this.queue.length > 0)
      this.spinSink ^= spinUntil(this.clock, this.queue[0].atUs - this.originSimUs + this.originClockUs);
    this.flush();
  };

  private flush(): void {
    const now = this.instant ? Infinity : this.nowUs();
    while (this.queue.length > 0 && this.queue[0].atUs <= now && !this.stopped) {
      this.deliver(this.queue.shift()!.bytes);
    }
    this.schedule();
  }
}

/** Busy-loop steps per µs, learnt while spinning (it changes once the loop is optimized). */
let stepsPerUs = 100;

/**
 * Busy-waits until `clock` reads `untilUs` (≤ SPIN_WITHIN_US away). Reads the clock a few times per wait, not in a
 * tight loop: performance.now() allocates on every call, and a tight loop made ~25 KB of garbage per bus cycle.
 * Each round spins for ~70 % of what is left, in integer steps that allocate nothing.
 */
function spinUntil(clock: MicrosecondClock, untilUs: number): number {
  let x = 0;
  let now = clock();
  while (now < untilUs) {
    const steps = Math.max(32, Math.floor((untilUs - now) * stepsPerUs * 0.7));
    for (let i = 0; i < steps; i++) x = (x + i) | 0;
    const after = clock();
    if (after > now) stepsPerUs = 0.8 * stepsPerUs + (0.2 * steps) / (after - now);
    now = after;
  }
  return x;
}
