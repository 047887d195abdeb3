// Repeated-run statistics for benchmarks: median, p99, max, and the ratio to a limit measured in the same run.
import { percentile } from '../../src/core/timing/percentiles';

export interface BenchFigure {
  readonly name: string;
  readonly unit: 'µs' | 'ms';
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  /** The physical or reference limit measured in the same run, and how far above it we are. */
  readonly limit?: { readonly name: string; readonly median: number; readonly ratio: number; readonly target?: number };
  readonly notes?: string;
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

export function figure(name: string, unit: 'µs' | 'ms', samples: readonly number[], limit?: { name: string; samples: readonly number[]; target?: number }, notes?: string): BenchFigure {
  const median = percentile(samples, 50);
  return {
    name, unit, median, p99: percentile(samples, 99), max: Math.max(...samples), samples: samples.length,
    limit: limit && { name: limit.name, median: percentile(limit.samples, 50), ratio: median / percentile(limit.samples, 50), target: limit.target },
    notes,
  };
}

export function printFigure(f: BenchFigure): void {
  const n = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  let line = `${f.name.padEnd(52)} median ${n(f.median)} ${f.unit}  p99 ${n(f.p99)}  max ${n(f.max)}`;
  if (f.limit) {
    const verdict = f.limit.target === undefined ? '' : f.limit.ratio <= f.limit.target ? '  ✓' : `  ✗ (target ≤ ${f.limit.target}×)`;
    line += `  | ${n(f.limit.ratio)}× ${f.limit.name} (${n(f.limit.median)} ${f.unit})${verdict}`;
  }
  console.log(line);
  if (f.notes) console.log(`${''.padEnd(4)}${f.notes}`);
}
