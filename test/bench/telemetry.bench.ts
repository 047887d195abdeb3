// Benchmark 7: telemetry to a dashboard-like consumer — the runtime's RuntimeServer with a RuntimeClient in a child
// process over the real Unix socket, subscribed to ticks, chunks and frames at 30 fps (two 224² RGB cameras, ~300 KB
// a frame pair). Three runs at 30 Hz: no consumer, a consumer that keeps up, and one that blocks its event loop 200 ms
// of every 250 ms. Reported: ticks (plot points) and frames delivered per second, dropped telemetry, and the loop's
// start-error p99 against the no-consumer run of the same benchmark (target: unchanged within noise).
import { percentile } from '../../src/core/timing/percentiles';
import type { BenchFigure } from './benchStats';
import { errorFigure, loopErrors } from './controlLoop.bench';
import { runRuntimeEpisode, type ConsumerMode } from './runtimeHarness';

const FPS = 30;
const FRAME_FPS = 30;

/** "Within noise": p99 at most 1.5× the no-consumer run's, or at most 0.5 ms above it. */
function withinNoise(p99: number, baseP99: number): boolean {
  return p99 <= baseP99 * 1.5 || p99 - baseP99 <= 0.5;
}

export async function telemetryBenchmarks(quick: boolean): Promise<BenchFigure[]> {
  const ticks = quick ? 600 : 1800;
  const out: BenchFigure[] = [];
  let base: number[] | undefined;
  for (const consumer of ['none', 'fast', 'slow'] as ConsumerMode[]) {
    const r = await runRuntimeEpisode({
      fps: FPS,
      maxSteps: ticks,
      runFullLength: true,
      consumer,
      frameFps: FRAME_FPS,
    });
    const e = loopErrors(r.atMs, r.lateMs, 1000 / FPS);
    base ??= e.start;
    const c = r.consumer;
    const perS = (n: number) => (c && c.windowMs > 0 ? n / (c.windowMs / 1000) : 0);
    const p99 = percentile(e.start, 99);
    const baseP99 = percentile(base, 99);
    const label =
      consumer === 'none'
        ? 'no consumer'
        : consumer === 'fast'
          ? 'consumer keeping up'
          : 'consumer blocked 200 of every 250 ms';
    out.push(
      errorFigure(
        `telemetry, ${label}: |tick start − schedule| at ${FPS} Hz`,
        e.start,
        consumer === 'none' ? undefined : { name: 'no-consumer run', samples: base },
        consumer === 'none'
          ? undefined
          : { target: 'p99 within noise of no consumer (≤ 1.5× or ≤ +0.5 ms)', met: withinNoise(p99, baseP99) },
        {
          ticksDeliveredPerS: perS(c?.ticks ?? 0),
          framesDeliveredPerS: perS(c?.frames ?? 0),
          frameMBPerS: perS((c?.frameBytes ?? 0) / 1e6),
          chunksDelivered: c?.chunks ?? 0,
          droppedTelemetry: r.droppedTelemetry,
          runtimeCpuMsPerTick: r.cpuMsPerTick,
          stealMs: Math.round(r.stealMs),
          ticksRun: r.summary.steps,
          lateTicks: r.summary.lateTicks,
          consumerBlockedMs: Math.round(c?.blockedMs ?? 0),
        },
      ),
    );
  }
  return out;
}
