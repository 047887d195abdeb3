// How a chunk's rows line up with recorded ticks: with executed steps, not ticks (the chunk scheduler's alignment: a
// row's step is the observation's step plus its index, and a starved tick executes no step). Row i of a chunk asked
// at tick t runs at the i-th non-starved tick from t on. Replay's deviations and the viewer's overlay both place rows
// by this one rule. No converter import here: the viewer's page bundles it.

/** One recorded tick as row placement needs it. */
export interface StepExecution {
  readonly tick: number;
  /** No row was executed (the queue was empty). */
  readonly starved: boolean;
}

/** The record's executed (non-starved) ticks, ascending, for placing chunks' rows. */
export class ExecutedTicks {
  private readonly ticks: Float64Array;

  /** `steps` in any order. */
  constructor(steps: readonly StepExecution[]) {
    this.ticks = Float64Array.from(steps.filter((s) => !s.starved).map((s) => s.tick)).sort();
  }

  /** The ticks the rows of a chunk asked at `tick` land on: the first `horizon` executed ticks from `tick` on. */
  rowTicks(tick: number, horizon: number): number[] {
    const from = lowerBound(this.ticks, tick);
    return Array.from(this.ticks.subarray(from, Math.min(this.ticks.length, from + Math.max(0, horizon))));
  }
}

/** The row placed at `tick` (rowTicks ascending), or undefined when no row is. */
export function rowAt(rowTicks: readonly number[], tick: number): number | undefined {
  const i = lowerBound(rowTicks, tick);
  return rowTicks[i] === tick ? i : undefined;
}

function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
