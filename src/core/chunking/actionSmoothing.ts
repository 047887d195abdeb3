// The `limit` seam remedy (lerobot#3794): per-joint caps on how far the command moves per tick and on how much that
// move changes per tick. A comfort limit on the command stream; the safety stage's step cap (relative to the
// measured position) and range still apply after it.
import type { JointCaps } from './seamOptions';

/** Which values a single-number cap covers: the SO-100's body joints (the gripper's percent is not degrees). */
const BODY_VALUES = 5;

/** Velocity / acceleration limit over a stream of targets; hold() re-anchors it on the measured position. */
export class ActionSmoother {
  readonly dims: number;
  private readonly maxStep: Float64Array;
  private readonly maxStepChange: Float64Array;
  private readonly last: Float64Array;
  private readonly lastStep: Float64Array;
  private anchored = false;

  constructor(dims: number, maxStep: JointCaps, maxStepChange?: JointCaps) {
    if (!Number.isInteger(dims) || dims < 1)
      throw new RangeError(`an action smoother needs at least one value per action, got ${dims}`);
    this.dims = dims;
    this.maxStep = expand(dims, maxStep);
    this.maxStepChange = expand(dims, maxStepChange);
    this.last = new Float64Array(dims);
    this.lastStep = new Float64Array(dims);
  }

  /** The arm held (no action this tick): the next target starts from `measured`, at rest. */
  hold(measured: ArrayLike<number>): void {
    for (let j = 0; j < this.dims; j++) this.last[j] = measured[j];
    this.lastStep.fill(0);
    this.anchored = true;
  }

  /** Forgets the previous command; the next target passes through unchanged (unless hold() anchors it). */
  reset(): void {
    this.anchored = false;
  }

  /** Limits `target` in place: its step from the last command within ±maxStep and within ±maxStepChange of the last step. */
  apply(target: Float64Array): Float64Array {
    if (target.length !== this.dims)
      throw new RangeError(`target has ${target.length} values; this smoother was made for ${this.dims}`);
    if (this.anchored) {
      for (let j = 0; j < this.dims; j++) {
        const a = this.maxStepChange[j];
        const d = target[j] - this.last[j];
        let want = d;
        if (a !== Infinity) {
          // Brake in time: no faster than steps shrinking by `a` each tick can stop within the distance left.
          const stop = (-a + Math.sqrt(a * a + 8 * a * Math.abs(d))) / 2;
          want = clamp(d, -stop, stop);
        }
        let step = clamp(want, this.lastStep[j] - a, this.lastStep[j] + a);
        step = clamp(step, -this.maxStep[j], this.maxStep[j]);
        // Never past the target: arriving is always allowed, even if it stops harder than `a`.
        if (step * d > 0 && Math.abs(step) > Math.abs(d)) step = d;
        target[j] = this.last[j] + step;
        this.lastStep[j] = step;
      }
    } else this.lastStep.fill(0);
    this.last.set(target);
    this.anchored = true;
    return target;
  }
}

function expand(dims: number, caps: JointCaps | undefined): Float64Array {
  const out = new Float64Array(dims).fill(Infinity);
  if (caps === undefined) return out;
  if (typeof caps === 'number') out.fill(caps, 0, Math.min(BODY_VALUES, dims));
  else caps.forEach((v, j) => j < dims && (out[j] = v));
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
