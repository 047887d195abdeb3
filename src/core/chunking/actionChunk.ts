// A chunk of future actions as a policy returns it: `horizon` steps of `dims` values, row-major.

/** Why an array could not be read as an action chunk; the message names the expected and actual shape. */
export class ActionShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionShapeError';
  }
}

/** `horizon` × `dims` actions; row i is the action for the i-th tick after the observation. */
export class ActionChunk {
  readonly horizon: number;
  readonly dims: number;
  /** Row-major values; length = horizon × dims. */
  readonly values: Float64Array;

  constructor(horizon: number, dims: number, values: Float64Array) {
    if (!Number.isInteger(horizon) || horizon < 1 || !Number.isInteger(dims) || dims < 1) {
      throw new ActionShapeError(
        `an action chunk needs at least one step of at least one value, got (${horizon}, ${dims})`,
      );
    }
    if (values.length !== horizon * dims) {
      throw new ActionShapeError(
        `action chunk (${horizon}, ${dims}) needs ${horizon * dims} values, got ${values.length}`,
      );
    }
    this.horizon = horizon;
    this.dims = dims;
    this.values = values;
  }

  /** A view of step i (no copy). */
  row(i: number): Float64Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.horizon) {
      throw new RangeError(`step ${i} is outside this chunk of ${this.horizon} steps`);
    }
    return this.values.subarray(i * this.dims, (i + 1) * this.dims);
  }

  /** Number of values that are NaN or ±Infinity (a chunk with any must never reach the servos). */
  countNonFinite(): number {
    let n = 0;
    for (const v of this.values) if (!Number.isFinite(v)) n++;
    return n;
  }

  /**
   * Reads an array shaped (H, D) — or (D,) / (1, H, D) with leading batch dims of 1, as one-step servers send —
   * as a chunk. `shape` and `values` come from a decoded ndarray.
   */
  static fromShaped(shape: readonly number[], values: Float64Array, what = 'actions'): ActionChunk {
    let dimsShape = [...shape];
    while (dimsShape.length > 2 && dimsShape[0] === 1) dimsShape = dimsShape.slice(1);
    if (dimsShape.length === 1) dimsShape = [1, dimsShape[0]];
    if (dimsShape.length !== 2) {
      throw new ActionShapeError(`${what} must be shaped (horizon, dims) — got (${shape.join(', ')})`);
    }
    const [h, d] = dimsShape;
    if (h < 1 || d < 1) {
      throw new ActionShapeError(`${what} is empty: shape (${shape.join(', ')}); expected (horizon ≥ 1, dims ≥ 1)`);
    }
    return new ActionChunk(h, d, values);
  }
}
