// LeRobot export: 50 episodes × 200 ticks × 2 cameras (quick: 8 × 60) → a LeRobotDataset v3.0. One real recorded
// episode is copied to make the rest (copies are valid records). Reports seconds, MB written, and the peak growth
// of resident memory, which must stay below one episode's raw frames (frames stream one at a time). The first
// export in a process also pays one-time costs that do not grow with the dataset (parquet-wasm's and the JS code
// compiled on first use, V8's heap sized up, the allocator's arenas: ~35–70 MB on this machine); a one-episode
// export runs first and is reported on its own, so that the 50-episode figure shows what the export holds.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendEpisodeToDataset, exportLeRobotDataset } from '../../src/io/export';
import type { BenchFigure } from './benchStats';

export async function datasetExportBenchmarks(quick: boolean): Promise<BenchFigure[]> {
  const episodes = quick ? 8 : 50;
  const ticks = quick ? 60 : 200;
  const root = await mkdtemp(join(tmpdir(), 'so100-bench-export-'));
  try {
    const rec = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'episode', '--steps', String(ticks), '--record', join(root, 'one')],
      { encoding: 'utf8' },
    );
    if (rec.status !== 0 && rec.status !== 1) throw new Error(`recording failed: ${rec.stderr}`);
    const first = join(root, 'one', (await readdir(join(root, 'one')))[0]);
    const dirs = [first];
    for (let i = 1; i < episodes; i++) {
      const d = join(root, `ep${i}`);
      await cp(first, d, { recursive: true });
      dirs.push(d);
    }
    const cold = await peakGrowth((onProgress) =>
      exportLeRobotDataset([{ dir: first }], { out: join(root, 'first'), onProgress }),
    );
    const t0 = performance.now();
    const { value: s, growthMb } = await peakGrowth((onProgress) =>
      exportLeRobotDataset(
        dirs.map((dir) => ({ dir })),
        { out: join(root, 'dataset'), onProgress },
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const oneEpisodeFramesMb = (ticks * 224 * 224 * 3 * s.cameras.length) / 1e6;
    const fig = (name: string, unit: BenchFigure['unit'], v: number, notes: string, extra: Partial<BenchFigure> = {}) =>
      ({ name, unit, median: v, p99: v, max: v, samples: 1, notes, ...extra }) as BenchFigure;
    return [
      fig(
        `LeRobot export of ${episodes} episodes × ${ticks} ticks × ${s.cameras.length} cameras`,
        'ms',
        seconds * 1000,
        `${seconds.toFixed(1)} s, ${s.frames} frames (${(s.frames / seconds).toFixed(0)} frames/s per camera)`,
      ),
      fig('LeRobot export: dataset size', 'MB', s.bytes / 1e6, 'data + meta + one mp4 per camera'),
      fig(
        'LeRobot export: first export in a process (1 episode)',
        'MB',
        cold.growthMb,
        'peak resident memory growth: one-time code and heap warm-up, not data',
      ),
      fig(
        'LeRobot export: peak resident memory growth',
        'MB',
        growthMb,
        `${episodes} episodes after the first export, sampled every 50 ms`,
        {
          verdict: {
            target: `< one episode's raw frames (${oneEpisodeFramesMb.toFixed(0)} MB)`,
            met: growthMb < oneEpisodeFramesMb,
          },
        },
      ),
      ...(await appendBenchmarks(root, quick)),
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * --append cost against dataset size: one episode appended to a dataset of 9 episodes and to one of 99 (three
 * appends each, median). An append writes only the new episode's files and rewrites meta/, so the ratio stays
 * near 1 whatever the dataset already holds.
 */
async function appendBenchmarks(root: string, quick: boolean): Promise<BenchFigure[]> {
  const appends = 3;
  // Short episodes (30 ticks): what is measured is what an append touches, not how long an episode is.
  const rec = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'episode', '--steps', '30', '--record', join(root, 'short')],
    { encoding: 'utf8' },
  );
  if (rec.status !== 0 && rec.status !== 1) throw new Error(`recording failed: ${rec.stderr}`);
  const episode = join(root, 'short', (await readdir(join(root, 'short')))[0]);
  const copies: string[] = [];
  for (let i = 0; i < 99 + appends; i++) {
    const d = join(root, `a${i}`);
    await cp(episode, d, { recursive: true });
    copies.push(d);
  }
  const timeAppends = async (held: number): Promise<number[]> => {
    const out = join(root, `append-${held}`);
    await exportLeRobotDataset(
      copies.slice(0, held).map((dir) => ({ dir })),
      { out },
    );
    const ms: number[] = [];
    for (const dir of copies.slice(99, 99 + appends)) {
      const t0 = performance.now();
      await appendEpisodeToDataset(out, { dir });
      ms.push(performance.now() - t0);
    }
    await rm(out, { recursive: true, force: true });
    return ms.sort((a, b) => a - b);
  };
  const small = await timeAppends(9);
  const large = await timeAppends(99);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
  const ratio = median(large) / median(small);
  return [
    {
      name: `LeRobot --append: the 100th episode vs the 10th${quick ? ' (quick)' : ''}`,
      unit: 'ms',
      median: median(large),
      p99: large.at(-1)!,
      max: large.at(-1)!,
      samples: appends,
      limit: { name: 'appending the 10th', median: median(small), ratio },
      notes: `${median(small).toFixed(0)} ms → ${median(large).toFixed(0)} ms; writes the new episode's files and meta/ only`,
      verdict: { target: 'ratio < 1.5', met: ratio < 1.5 },
    },
  ];
}

/** Peak growth of resident memory while `run` runs: sampled every 50 ms and at each episode, after a full GC
 *  first when --expose-gc. */
async function peakGrowth<T>(run: (onProgress: () => void) => Promise<T>): Promise<{ value: T; growthMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 50);
  try {
    const value = await run(sample);
    sample();
    return { value, growthMb: (peak - rss0) / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}
