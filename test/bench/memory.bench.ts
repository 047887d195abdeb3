// Benchmark 8: memory of the runtime over a 10 000-tick episode, run at 200 Hz to keep it under a minute (the tick's
// work is the same at any rate; 30 Hz would take 5.5 minutes). Real runtime as in benchmark 5, with the episode
// record kept (steps, chunks, timing) and a telemetry consumer attached. RSS and heap used are sampled every 250
// ticks, after a full GC when node runs with --expose-gc (npm run bench does). The first 10 % of samples are
// warm-up (JIT, pools); the slope is fitted over the rest.
import { countFigure, slope, type BenchFigure } from './benchStats';
import { runRuntimeEpisode } from './runtimeHarness';

const TICKS = 10_000;
const FPS = 200;
const EVERY = 250;

export async function memoryBenchmarks(): Promise<BenchFigure[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const at: number[] = [];
  const rss: number[] = [];
  const heap: number[] = [];
  const external: number[] = [];
  const sample = (tick: number) => {
    gc?.();
    const m = process.memoryUsage();
    at.push(tick);
    rss.push(m.rss / 1e6);
    heap.push(m.heapUsed / 1e6);
    external.push(m.external / 1e6);
  };
  const r = await runRuntimeEpisode({
    fps: FPS,
    maxSteps: TICKS,
    runFullLength: true,
    record: true,
    consumer: 'fast',
    frameFps: 10,
    onTick: (t) => {
      if (t.index % EVERY === 0 || t.index === TICKS - 1) sample(t.index);
    },
  });
  const from = Math.max(1, Math.floor(at.length / 10));
  const xs = at.slice(from);
  const fit = (ys: number[]) => {
    const tail = ys.slice(from);
    const k = slope(xs, tail);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const residual = Math.sqrt(tail.reduce((a, y, i) => a + (y - (mean + k * (xs[i] - mx))) ** 2, 0) / tail.length);
    return {
      perThousandTicksMB: k * 1000,
      overEpisodeMB: k * TICKS,
      residualMB: residual,
      first: ys[0],
      afterWarmup: ys[from],
      last: ys[ys.length - 1],
    };
  };
  const out: BenchFigure[] = [];
  for (const [what, ys] of [
    ['RSS', rss],
    ['heap used', heap],
    ['external (Buffers)', external],
  ] as const) {
    const f = fit([...ys]);
    // Flat within noise: the fitted growth over the whole episode is under 2σ of the samples around the line, or
    // under 1 MB.
    const flat = f.overEpisodeMB <= Math.max(2 * f.residualMB, 1);
    out.push({
      ...countFigure(
        `memory: ${what} over ${TICKS} ticks at ${FPS} Hz, growth (fit, MB)`,
        f.overEpisodeMB,
        { target: 'flat within noise (fit < 2σ of samples or < 1 MB)', met: flat },
        {
          firstMB: f.first,
          afterWarmupMB: f.afterWarmup,
          lastMB: f.last,
          slopeKBPer1000Ticks: f.perThousandTicksMB * 1000,
          residualSigmaMB: f.residualMB,
          samples: ys.length,
          gc: gc !== undefined,
          ticksRun: r.summary.steps,
          lateTicks: r.summary.lateTicks,
        },
      ),
      unit: 'MB',
    });
  }
  return out;
}
