// Benchmark 6: chunking under inference latency — the built-in server (its own process) with 20 / 60 / 150 ms of
// simulated inference, sync vs async, one cube episode each at 30 Hz: starved ticks after the warm-up (the first
// inference) and task success. Two statements are checked: issue #6's target ("0 starved ticks in async mode whenever
// latency < chunk execution time") and ARCHITECTURE's finding ("with one request in flight, async runs without
// starvation while latency ≤ horizon / 2", horizon/2 being the default threshold 0.5 × the chunk). π₀-FAST's
// 10-step chunks put 150 ms and 250 ms between the two bounds (167 ms and 333 ms at 30 Hz), so they tell them apart.
// The verdict is the second: with one request in flight (openpi's servers answer one observation at a time), a
// reply observed at step s lands L later with H − L rows still to come, and the next reply needs L more, so no
// schedule avoids starvation past L = H / 2 (test/unit/chunkScheduler.test.ts shows it for every threshold).
import { MODEL_PROFILES, type ModelProfileName } from '../../src/core/policy/modelProfiles';
import { countFigure, type BenchFigure } from './benchStats';
import { runRuntimeEpisode } from './runtimeHarness';

const FPS = 30;

interface Case {
  readonly profile: ModelProfileName;
  readonly latencyMs: number;
  readonly mode: 'sync' | 'async';
}

export async function chunkingBenchmarks(quick: boolean): Promise<BenchFigure[]> {
  const cases: Case[] = [];
  for (const latencyMs of [20, 60, 150])
    for (const mode of ['sync', 'async'] as const) cases.push({ profile: 'pi0', latencyMs, mode });
  for (const latencyMs of [150, 250])
    for (const mode of quick ? (['async'] as const) : (['sync', 'async'] as const))
      cases.push({ profile: 'pi0_fast', latencyMs, mode });
  if (!quick) cases.push({ profile: 'pi0', latencyMs: 1000, mode: 'async' });
  const out: BenchFigure[] = [];
  for (const c of cases) {
    const horizon = MODEL_PROFILES[c.profile].horizon;
    const chunkMs = (horizon * 1000) / FPS;
    const halfMs = chunkMs / 2;
    const r = await runRuntimeEpisode({
      fps: FPS,
      maxSteps: 900,
      chunking: c.mode,
      profile: c.profile,
      latencyMs: c.latencyMs,
    });
    const s = r.summary;
    const starved = s.starvedTicks - s.warmupTicks;
    const policy = s.timing.find((t) => t.stage === 'policy total');
    // Only async mode has a starvation target; sync mode holds the arm for every request by design. The bound is
    // judged on the request time the scheduler really waits for (p99), not the server's nominal latency.
    const requestP99 = policy?.p99 ?? Infinity;
    const verdict =
      c.mode === 'async' && requestP99 <= halfMs
        ? {
            target: `0 (request p99 ${requestP99.toFixed(0)} ms ≤ half a chunk, ${halfMs.toFixed(0)} ms)`,
            met: starved === 0,
          }
        : undefined;
    out.push(
      countFigure(
        `chunking ${c.profile} (${horizon} steps) ${c.latencyMs} ms ${c.mode}: starved ticks after warm-up`,
        starved,
        verdict,
        {
          success: s.success,
          steps: s.steps,
          warmupTicks: s.warmupTicks,
          chunks: s.chunks,
          requestP50Ms: policy?.p50 ?? Number.NaN,
          requestP99Ms: policy?.p99 ?? Number.NaN,
          chunkMs: Math.round(chunkMs),
          horizonHalfMs: Math.round(halfMs),
          // ARCHITECTURE's bound, applied to the server's latency and to the measured end-to-end request time (convert,
          // encode, network, inference, decode), which is what the scheduler really waits for.
          architecturePredicts:
            c.mode === 'sync' ? 'starves each chunk' : c.latencyMs <= halfMs ? 'no starvation' : 'starvation',
          byMeasuredRequestTime:
            c.mode === 'sync'
              ? 'starves each chunk'
              : (policy?.p50 ?? Infinity) <= halfMs
                ? 'no starvation'
                : 'starvation',
          // Issue #6's wording: reachable only up to half a chunk with one request in flight (see the header).
          issueStatement:
            c.mode === 'sync' || c.latencyMs >= chunkMs
              ? 'n/a'
              : starved === 0
                ? 'met'
                : c.latencyMs > halfMs
                  ? 'not reachable: latency > half a chunk'
                  : 'not met',
        },
      ),
    );
  }
  return out;
}
