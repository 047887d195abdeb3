// Repeated-run statistics for benchmarks: median, p99, max, and the ratio to a limit measured in the same run.
import { percentile } from '../../src/core/timing/percentiles';

export interface BenchFigure {
  readonly name: string;
  readonly unit: 'µs' | 'ms' | 'MB' | 'count';
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  /** The physical or reference limit measured in the same run, and how far above it we are. */
  readonly limit?: { readonly name: string; readonly median: number; readonly ratio: number; readonly target?: number };
  readonly notes?: string;
  /** A target that is not a ratio (an absolute bound, a count), and whether this run met it. */
  readonly verdict?: { readonly target: string; readonly met: boolean };
  /** Counts and rates that go with the figure (starved ticks, frames per second, …). */
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

/** A single count (starved ticks, dropped events): median, p99 and max are that count. */
export function countFigure(
  name: string,
  count: number,
  verdict?: BenchFigure['verdict'],
  extra?: BenchFigure['extra'],
  notes?: string,
): BenchFigure {
  return { name, unit: 'count', median: count, p99: count, max: count, samples: 1, verdict, extra, notes };
}

/** Linear least-squares slope of y over x (units of y per unit of x). */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Times `fn` `runs` times after `warmup` untimed runs; returns per-run microseconds. */
export function timeSync(fn: () => void, runs: number, warmup = Math.min(200, runs)): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out = new Array<number>(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out[i] = (performance.now() - t0) * 1000;
  }
  return out;
}

/** Results of timed calls land here, so the compiler cannot drop a call whose result is unused. */
export let sink: unknown;

/**
 * Times `fn` and its limit in batches, alternating one batch of each, so both see the same machine: on a shared
 * 2-core box other processes come and go within a second, which shifts one series against the other when they
 * run one after the other. Each sample is the mean of a batch sized (after an untimed warm-up) to last about
 * `batchMicros`: for sub-µs work, timing single calls measures mostly the timer. The p99 / max of these samples
 * are of batch means, not of single calls.
 */
export function timeBatchedPair(
  fn: () => unknown,
  limit: () => unknown,
  samples: number,
  batchMicros = 100,
): { fn: number[]; limit: number[] } {
  // Start from a collected heap (npm run bench exposes gc), so garbage of earlier benchmarks is not billed here.
  (globalThis as { gc?: () => void }).gc?.();
  const fnBatch = batchSize(fn, batchMicros);
  const limitBatch = batchSize(limit, batchMicros);
  const out = { fn: new Array<number>(samples), limit: new Array<number>(samples) };
  for (let i = 0; i < samples; i++) {
    out.fn[i] = timeBatch(fn, fnBatch);
    out.limit[i] = timeBatch(limit, limitBatch);
  }
  return out;
}

// Warms `fn` up for ~100 ms (at least 200 calls) and returns how many calls last about `batchMicros`. The gc() above
// drops optimized code whose object shapes died; re-optimizing takes 10–20 ms of a background thread here, so a
// shorter warm-up measures partly unoptimized code.
function batchSize(fn: () => unknown, batchMicros: number): number {
  let calls = 0;
  const start = performance.now();
  while (calls < 200 || performance.now() - start < 100) {
    sink = fn();
    calls++;
  }
  const perCall = ((performance.now() - start) * 1000) / calls;
  return Math.max(1, Math.min(1_000_000, Math.round(batchMicros / perCall)));
}

// Microseconds per call over one batch.
function timeBatch(fn: () => unknown, batch: number): number {
  const t0 = performance.now();
  for (let k = 0; k < batch; k++) sink = fn();
  return ((performance.now() - t0) * 1000) / batch;
}

export function figure(
  name: string,
  unit: BenchFigure['unit'],
  samples: readonly number[],
  limit?: { name: string; samples: readonly number[]; target?: number },
  notes?: string,
): BenchFigure {
  const median = percentile(samples, 50);
  return {
    name,
    unit,
    median,
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    samples: samples.length,
    limit: limit && {
      name: limit.name,
      median: percentile(limit.samples, 50),
      ratio: median / percentile(limit.samples, 50),
      target: limit.target,
    },
    notes,
  };
}

export function printFigure(f: BenchFigure): void {
  const n = (x: number) =>
    Number.isInteger(x) || Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  let line =
    f.samples === 1
      ? `${f.name.padEnd(52)} ${n(f.median)}${f.unit === 'count' ? '' : ` ${f.unit}`}`
      : `${f.name.padEnd(52)} median ${n(f.median)} ${f.unit}  p99 ${n(f.p99)}  max ${n(f.max)}`;
  if (f.limit) {
    const verdict =
      f.limit.target === undefined ? '' : f.limit.ratio <= f.limit.target ? '  ✓' : `  ✗ (target ≤ ${f.limit.target}×)`;
    line += `  | ${n(f.limit.ratio)}× ${f.limit.name} (${n(f.limit.median)} ${f.unit})${verdict}`;
  }
  if (f.verdict) line += `  ${f.verdict.met ? '✓' : '✗'} (target ${f.verdict.target})`;
  console.log(line);
  if (f.extra)
    console.log(
      `${''.padEnd(4)}${Object.entries(f.extra)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? n(v) : String(v)}`)
        .join(', ')}`,
    );
  if (f.notes) console.log(`${''.padEnd(4)}${f.notes}`);
}
