// Benchmark 5: the control loop's timing at 30 Hz and 100 Hz — the real runtime (simulated arm, synthetic front and
// wrist cameras rendered every tick, the built-in π₀ server as its own process, a dashboard-like telemetry consumer
// on the runtime's socket with frames at 10 fps). Start error = tick start − its drift-free schedule; period error
// = tick-to-tick interval − the nominal period. Limit: an empty loop with the same drift-free timer logic and no
// work, run in a worker thread during the episode (what Node's timers give on this machine at that moment).
import { Worker } from 'node:worker_threads';
import { percentile } from '../../src/core/timing/percentiles';
import type { BenchFigure } from './benchStats';
import { runRuntimeEpisode, type HarnessResult } from './runtimeHarness';

export interface LoopErrors {
  /** |start − schedule| per tick, ms. */
  readonly start: number[];
  /** |interval − period| per tick after the first, ms. */
  readonly period: number[];
  /** Earliest start against the schedule (negative: Node's ms timers fired early), ms. */
  readonly earliestMs: number;
}

/** Start and period errors of the ticks a run reported (ticks that never ran are skipped). */
export function loopErrors(atMs: ArrayLike<number>, lateMs: ArrayLike<number>, periodMs: number): LoopErrors {
  const start: number[] = [];
  const period: number[] = [];
  let earliestMs = Infinity;
  for (let i = 0; i < atMs.length; i++) {
    if (Number.isNaN(lateMs[i])) continue;
    start.push(Math.abs(lateMs[i]));
    earliestMs = Math.min(earliestMs, lateMs[i]);
    if (i > 0 && !Number.isNaN(atMs[i - 1])) period.push(Math.abs(atMs[i] - atMs[i - 1] - periodMs));
  }
  return { start, period, earliestMs };
}

// A plain timer loop with no work in it (anchor + i · period, setTimeout for the rest: the episode loop's timing
// before its fine waits), in plain JS for a worker thread: it runs alongside the episode, so it sees the same
// machine load at the same time.
const EMPTY_LOOP_JS = `
const { parentPort, workerData } = require('node:worker_threads');
const { fps, ticks } = workerData;
const periodMs = 1000 / fps;
const atMs = new Float64Array(ticks);
const lateMs = new Float64Array(ticks);
(async () => {
  const anchor = performance.now();
  for (let i = 0; i < ticks; i++) {
    const now = performance.now();
    atMs[i] = now - anchor;
    lateMs[i] = now - (anchor + i * periodMs);
    const wait = anchor + (i + 1) * periodMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  parentPort.postMessage({ atMs, lateMs });
})();
`;

/** Starts the empty loop in a worker thread; resolves with its errors when its ticks are done. */
export function emptyLoop(fps: number, ticks: number): Promise<LoopErrors> {
  const worker = new Worker(EMPTY_LOOP_JS, { eval: true, workerData: { fps, ticks } });
  return new Promise<LoopErrors>((resolve, reject) => {
    worker.once('message', (m: { atMs: Float64Array; lateMs: Float64Array }) =>
      resolve(loopErrors(m.atMs, m.lateMs, 1000 / fps)),
    );
    worker.once('error', reject);
  }).finally(() => worker.terminate());
}

export function errorFigure(
  name: string,
  samples: readonly number[],
  reference: { name: string; samples: readonly number[] } | undefined,
  verdict?: { target: string; met: boolean },
  extra?: BenchFigure['extra'],
  notes?: string,
): BenchFigure {
  const p99 = percentile(samples, 99);
  const refP99 = reference && percentile(reference.samples, 99);
  return {
    name,
    unit: 'ms',
    median: percentile(samples, 50),
    p99,
    max: Math.max(...samples),
    samples: samples.length,
    // The ratio of p99s: the tail is what a control loop cares about.
    limit:
      reference && refP99 !== undefined
        ? { name: `${reference.name} p99`, median: refP99, ratio: p99 / refP99 }
        : undefined,
    verdict,
    extra,
    notes,
  };
}

export async function controlLoopBenchmarks(quick: boolean): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const fps of [30, 100]) {
    const ticks = quick ? (fps === 30 ? 900 : 1500) : 3000;
    let reference: Promise<LoopErrors> | undefined;
    const r: HarnessResult = await runRuntimeEpisode({
      fps,
      maxSteps: ticks,
      runFullLength: true,
      consumer: 'fast',
      frameFps: 10,
      onTick: (t) => {
        if (t.index === 0) reference = emptyLoop(fps, ticks);
      },
    });
    const empty = await reference!;
    const e = loopErrors(r.atMs, r.lateMs, 1000 / fps);
    const tick = r.summary.timing.find((s) => s.stage === 'tick');
    const camera = r.summary.timing.find((s) => s.stage === 'camera');
    const extra = {
      ticks: e.start.length,
      lateTicks: r.summary.lateTicks,
      earliestStartMs: e.earliestMs,
      cpuMsPerTick: r.cpuMsPerTick,
      stealMs: Math.round(r.stealMs),
      tickCostP50Ms: tick?.p50 ?? Number.NaN,
      tickCostP99Ms: tick?.p99 ?? Number.NaN,
      cameraP50Ms: camera?.p50 ?? Number.NaN,
      consumerTicksPerS: r.consumer ? r.consumer.ticks / (r.consumer.windowMs / 1000) : 0,
      droppedTelemetry: r.droppedTelemetry,
    };
    const ref = { name: 'empty timer loop', samples: empty.start };
    out.push(
      errorFigure(
        `control loop ${fps} Hz: |tick start − schedule| (${e.start.length} ticks)`,
        e.start,
        ref,
        fps === 30 ? { target: 'p99 ≤ 1 ms', met: percentile(e.start, 99) <= 1 } : undefined,
        extra,
      ),
    );
    out.push(
      errorFigure(
        `control loop ${fps} Hz: |period − ${(1000 / fps).toFixed(2)} ms|`,
        e.period,
        { name: 'empty timer loop', samples: empty.period },
        fps === 30 ? { target: 'p99 ≤ 1 ms', met: percentile(e.period, 99) <= 1 } : undefined,
      ),
    );
  }
  return out;
}
