// Benchmark: how much faster than real time a campaign runs on virtual time — simulated seconds per wall second over
// a few seeds of the embedded default (the simulated arm, front and wrist cameras rendered every tick, the built-in
// π₀ and π₀-FAST in process through the openpi codec, each episode preceded by its reset glide, as `so100 eval`
// runs them), once without recorded frames and once with mp4 frames (one real ffmpeg per camera, which the virtual
// clock waits for when its frame pool is full). Where the wall time goes: each stage's total from the episodes'
// timing.csv (wall-clock measurements of the work), the rest being the glides, the event loop and the recorder. On a
// machine others load too, the wall figure follows its share of the CPU; simulated s per CPU s does not.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { RuntimeSession } from '../../src/runtime/runtimeSession';
import { countFigure, type BenchFigure } from './benchStats';

/** The target of the issue: a 2 models × 50 seeds campaign in about 3 minutes instead of ~12. */
const TARGET_RATIO = 10;
/** Wall-clock stages summed from timing.csv (the policy stages under virtual time are simulated, not work). */
const WORK_STAGES = ['read', 'camera', 'convert', 'encode', 'decode', 'safety', 'write', 'tick'] as const;

const quietSink = {
  emit<E extends RuntimeEventName>(_event: E, _data: RuntimeEvents[E]): void {},
  frameFps: () => 0,
};

function campaignConfig(frames: 'none' | 'mp4', seed: number, model: string): So100Config {
  const d = defaultConfig();
  return {
    ...d,
    activeModel: model,
    robot: { ...d.robot, seed, scene: 'varied' },
    record: { ...d.record, enabled: true, frames },
  };
}

/** CPU seconds of this process's finished children (the ffmpeg encoders), from /proc; 0 where there is none. */
function childrenCpuS(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), in clock ticks of 1/100 s on Linux.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

/** Column sums of one timing.csv, ms, by stage name. */
async function stageTotals(file: string, into: Map<string, number>): Promise<void> {
  const [header, ...lines] = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const names = header.split(',').map((c) => c.replace(/_ms$/, '').replace(/_/g, ' '));
  for (const line of lines) {
    const cells = line.split(',');
    for (let i = 1; i < names.length; i++) {
      const v = Number(cells[i]);
      if (cells[i] !== '' && Number.isFinite(v)) into.set(names[i], (into.get(names[i]) ?? 0) + v);
    }
  }
}

export async function virtualCampaign(frames: 'none' | 'mp4', seeds: number): Promise<BenchFigure> {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-bench-vclock-'));
  const clock = new VirtualClock();
  const session = new RuntimeSession(quietSink, dir, clock);
  const stages = new Map<string, number>();
  let ticks = 0;
  let episodes = 0;
  let glideWallMs = 0;
  let glideSimMs = 0;
  try {
    await session.connect({ config: campaignConfig(frames, 1, 'pi0'), endpoints: {}, recordDir: dir });
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    const children0 = childrenCpuS();
    const sim0 = clock.now();
    let current = 'pi0';
    for (let seed = 1; seed <= seeds; seed++) {
      // Paired and interleaved as the campaign plan does: A then B, then B then A.
      const order = seed % 2 === 1 ? ['pi0', 'pi0_fast'] : ['pi0_fast', 'pi0'];
      for (const model of order) {
        await session.applyConfig(campaignConfig(frames, seed, model));
        if (model !== current) await session.swapModel(model);
        current = model;
        const g0 = performance.now();
        const gs0 = clock.now();
        await session.reset();
        glideWallMs += performance.now() - g0;
        glideSimMs += clock.now() - gs0;
        await session.runEpisode();
        const s = await session.episodeEnded()!;
        ticks += s.steps;
        episodes++;
        if (s.recordDir) await stageTotals(path.join(s.recordDir, 'timing.csv'), stages);
      }
    }
    const wallS = (performance.now() - wall0) / 1000;
    // This process's CPU time (all its threads): the figure that does not depend on what else the machine runs.
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const simS = (clock.now() - sim0) / 1000;
    const ratio = simS / wallS;
    const extra: Record<string, number | string | boolean> = {
      episodes,
      ticks,
      'simulated s': Number(simS.toFixed(1)),
      'wall s': Number(wallS.toFixed(2)),
      'CPU s': Number(cpuS.toFixed(2)),
      'simulated s per CPU s': Number((simS / cpuS).toFixed(1)),
      'ffmpeg CPU s': Number((childrenCpuS() - children0).toFixed(2)),
      'wall ms per episode tick': Number(((wallS * 1000) / ticks).toFixed(2)),
      // The reset glides are cheap ticks (no render, no policy): the episodes alone, without them.
      'glide simulated s': Number((glideSimMs / 1000).toFixed(1)),
      'glide wall s': Number((glideWallMs / 1000).toFixed(2)),
      'episodes only: simulated s per wall s': Number(
        ((simS - glideSimMs / 1000) / (wallS - glideWallMs / 1000)).toFixed(1),
      ),
    };
    let work = 0;
    for (const stage of WORK_STAGES) {
      const total = stages.get(stage) ?? 0;
      if (stage !== 'tick') extra[`${stage} s`] = Number((total / 1000).toFixed(2));
      else work = total;
    }
    // `tick` holds read … write of the loop's thread; convert runs on its own thread, overlapping.
    extra['in ticks s'] = Number((work / 1000).toFixed(2));
    extra['outside ticks s'] = Number((wallS - work / 1000).toFixed(2));
    return countFigure(
      `virtual clock: simulated s per wall s, ${frames === 'none' ? 'no frames' : 'mp4 frames'}`,
      Number(ratio.toFixed(1)),
      { target: `≥ ${TARGET_RATIO}× real time`, met: ratio >= TARGET_RATIO },
      extra,
      `${episodes} episodes (${seeds} seeds × pi0, pi0_fast) with their reset glides, 30 fps`,
    );
  } finally {
    await session.disconnect().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function virtualClockBenchmarks(quick: boolean): Promise<BenchFigure[]> {
  const seeds = quick ? 2 : 5;
  return [await virtualCampaign('none', seeds), await virtualCampaign('mp4', seeds)];
}
