// Order statistics for timing tables.
import { StageSamples } from './stageSamples';

/** The p-th percentile (0–100) of `values` by linear interpolation between ranks; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** The p-th percentile of values already sorted ascending. */
function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export interface StageSummary {
  readonly stage: string;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * p50/p95/p99/max per stage, in the order the stages were first recorded. A StageSamples gives its exact count and
 * max, and percentiles of its kept sample.
 */
export function summarizeStages(samples: ReadonlyMap<string, readonly number[] | StageSamples>): StageSummary[] {
  return [...samples].map(([stage, s]) => {
    const v = s instanceof StageSamples ? s.values : s;
    // One sort per stage; the max is its last element (Math.max(...v) overflows the stack on long episodes).
    const sorted = [...v].sort((a, b) => a - b);
    return {
      stage,
      count: s instanceof StageSamples ? s.count : v.length,
      p50: percentileOfSorted(sorted, 50),
      p95: percentileOfSorted(sorted, 95),
      p99: percentileOfSorted(sorted, 99),
      max: s instanceof StageSamples ? s.max : sorted.length ? sorted[sorted.length - 1] : NaN,
    };
  });
}
