// Optional post-filter on commanded targets (lerobot#3794): an exponential moving average and a per-joint cap
// on how far the command may move per tick. Off by default; it trades responsiveness for smoothness, so the
// scheduler never applies it on its own. This is a comfort limit on the command stream; the safety stage's
// step cap (relative to the measured position) still applies after it.

export interface ActionSmoothingOptions {
  /** Weight of the new target, in (0, 1]; 1 = no averaging. */
  readonly emaAlpha?: number;
  /** Largest change of each value per tick (one number for all, or one per value); omitted = no cap. */
  readonly maxDeltaPerTick?: number | readonly number[];
}

/** A smoothing setting that cannot be used; `key` names it. */
export class ActionSmoothingConfigError extends Error {
  override readonly name = 'ActionSmoothingConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** EMA + per-value delta cap over a stream of targets; hold() re-anchors it on the measured position. */
export class ActionSmoother {
  readonly dims: number;
  private readonly alpha: number;
  private readonly maxDelta: Float64Array;
  private readonly last: Float64Array;
  private anchored = false;

  constructor(dims: number, options: ActionSmoothingOptions = {}) {
    if (!Number.isInteger(dims) || dims < 1)
      throw new RangeError(`an action smoother needs at least one value per action, got ${dims}`);
    this.dims = dims;
    this.alpha = options.emaAlpha ?? 1;
    if (!(this.alpha > 0 && this.alpha <= 1)) {
      throw new ActionSmoothingConfigError(
        'emaAlpha',
        `emaAlpha must be above 0 and at most 1 (1 turns averaging off), got ${String(options.emaAlpha)}.`,
      );
    }
    this.maxDelta = new Float64Array(dims).fill(Infinity);
    const cap = options.maxDeltaPerTick;
    if (typeof cap === 'number') this.maxDelta.fill(checkCap(cap, 'maxDeltaPerTick'));
    else if (cap !== undefined) {
      if (cap.length !== dims) {
        throw new ActionSmoothingConfigError(
          'maxDeltaPerTick',
          `maxDeltaPerTick lists ${cap.length} caps but actions have ${dims} values; give one per value or a single number.`,
        );
      }
      cap.forEach((v, j) => (this.maxDelta[j] = checkCap(v, `maxDeltaPerTick[${j}]`)));
    }
    this.last = new Float64Array(dims);
  }

  /** True when every setting is neutral, so apply() returns its input unchanged. */
  get isIdentity(): boolean {
    return this.alpha === 1 && this.maxDelta.every((v) => v === Infinity);
  }

  /** The arm held (no action this tick): the next target is smoothed from `measured`, not from a stale command. */
  hold(measured: Float64Array): void {
    this.checkLength(measured, 'measured');
    this.last.set(measured);
    this.anchored = true;
  }

  /** Forgets the previous command; the next target passes through unchanged (unless hold() anchors it). */
  reset(): void {
    this.anchored = false;
  }

  /** Smooths `target` into a new array: EMA toward it, then each value's move capped. */
  apply(target: Float64Array): Float64Array {
    this.checkLength(target, 'target');
    const out = new Float64Array(this.dims);
    if (!this.anchored) {
      out.set(target);
    } else {
      for (let j = 0; j < this.dims; j++) {
        const prev = this.last[j];
        const ema = this.alpha * target[j] + (1 - this.alpha) * prev;
        const cap = this.maxDelta[j];
        out[j] = Math.min(prev + cap, Math.max(prev - cap, ema));
      }
    }
    this.last.set(out);
    this.anchored = true;
    return out;
  }

  private checkLength(v: Float64Array, what: string): void {
    if (v.length !== this.dims)
      throw new RangeError(`${what} has ${v.length} values; this smoother was made for ${this.dims}`);
  }
}

function checkCap(v: number, key: string): number {
  if (typeof v !== 'number' || !(v > 0)) {
    throw new ActionSmoothingConfigError(
      key,
      `${key} must be a positive change per tick, got ${String(v)}; leave it out for no cap.`,
    );
  }
  return v;
}
