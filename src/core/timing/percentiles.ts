// Order statistics for timing tables.

/** The p-th percentile (0–100) of `values` by linear interpolation between ranks; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
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

/** p50/p95/p99/max per stage, in the order the stages were first recorded. */
export function summarizeStages(samples: ReadonlyMap<string, readonly number[]>): StageSummary[] {
  return [...samples].map(([stage, v]) => ({
    stage, count: v.length, p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99),
    max: v.length ? Math.max(...v) : NaN,
  }));
}
