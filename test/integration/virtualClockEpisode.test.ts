// Episodes on virtual time (the simulated arm and the built-in policy in process, nothing sleeping): two runs of a
// seed write the same steps.csv byte for byte, and the chunk schedule is the one wall time gives for the same latency.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { EpisodeSummary, RuntimeModelEndpoint } from '../../src/core/rpc';
import type { Clock } from '../../src/core/timing/clock';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { builtinProfileOf } from '../../src/core/config';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { wallClock } from '../../src/io/clock/wallClock';
import { RuntimeSession } from '../../src/runtime/runtimeSession';
import { WarningSink } from '../helpers/warningSink';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'so100-vclock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The embedded default on seed `seed`'s varied scene, pi0 with `latencyMs`, recorded without frames. */
function seeded(seed: number, fps: number, maxSteps: number, latencyMs?: number): So100Config {
  const d = defaultConfig();
  const pi0 = d.models.pi0;
  assert.equal(pi0.kind, 'builtin');
  return {
    ...d,
    fps,
    maxSteps,
    activeModel: 'pi0',
    models: { ...d.models, pi0: { ...pi0, latencyMs } },
    robot: { ...d.robot, seed, scene: 'varied' },
    record: { ...d.record, enabled: true, frames: 'none' },
  };
}

async function runOne(
  config: So100Config,
  clock: Clock,
  recordDir: string,
  endpoints: Record<string, RuntimeModelEndpoint> = {},
): Promise<{ summary: EpisodeSummary; steps: string; chunks: string; warnings: string[] }> {
  const warnings = new WarningSink();
  const session = new RuntimeSession(warnings, dir, clock);
  try {
    await session.connect({ config, endpoints, recordDir });
    await session.reset();
    await session.runEpisode();
    const summary = await session.episodeEnded()!;
    assert.ok(summary.recordDir);
    return {
      summary,
      steps: await readFile(path.join(summary.recordDir, 'steps.csv'), 'utf8'),
      chunks: await readFile(path.join(summary.recordDir, 'chunks.jsonl'), 'utf8'),
      warnings: warnings.list,
    };
  } finally {
    await session.disconnect();
  }
}

/** One episode on wall time: its pi0 answered by a built-in server of its own (wall time needs a real server). */
async function runOnWall(config: So100Config, recordDir: string): ReturnType<typeof runOne> {
  const pi0 = config.models.pi0;
  assert.equal(pi0.kind, 'builtin');
  const server = await BuiltinPolicyServer.start({
    host: '127.0.0.1',
    port: 0,
    protocol: 'openpi',
    profile: builtinProfileOf(pi0),
  });
  try {
    return await runOne(config, wallClock, recordDir, {
      pi0: { url: `ws://127.0.0.1:${server.port}`, protocol: 'openpi' },
    });
  } finally {
    await server.close();
  }
}

/** The tick each accepted chunk was asked for, in order. */
function acceptedTicks(chunks: string): number[] {
  return chunks
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { observation_tick?: number; observationTick?: number; accepted: boolean })
    .filter((c) => c.accepted)
    .map((c) => c.observation_tick ?? c.observationTick ?? NaN);
}

test('two virtual runs of a seed write byte-identical steps.csv', async () => {
  const config = seeded(7, 30, 240);
  const a = await runOne(config, new VirtualClock(), path.join(dir, 'a'));
  const b = await runOne(config, new VirtualClock(), path.join(dir, 'b'));
  assert.ok(a.summary.chunks > 0, `the policy answered: ${a.summary.reason}; ${a.warnings.join('; ')}`);
  assert.ok(a.summary.steps > 30, a.summary.reason);
  assert.equal(a.summary.lateTicks, 0, 'virtual ticks are never late');
  assert.equal(a.steps.split('\n').length, b.steps.split('\n').length);
  assert.equal(a.steps, b.steps);
  assert.deepEqual(acceptedTicks(a.chunks), acceptedTicks(b.chunks));
});

test('virtual time gives the chunk schedule wall time gives for the same seed and latency', async () => {
  // 150 ms of latency at 10 fps: a reply lands half a period (50 ms) away from any tick, beyond wall-clock jitter
  // once the converter's thread is warm. The first request is left out: on a loaded machine the wall run's first
  // conversion alone has taken a quarter of a second, and everything after it shifts with it.
  const config = seeded(3, 10, 80, 150);
  const wall = await runOnWall(config, path.join(dir, 'wall'));
  const virtual = await runOne(config, new VirtualClock(), path.join(dir, 'virtual'));
  const gaps = (ticks: number[]) => ticks.slice(1).map((t, i) => t - ticks[i]);
  const virtualGaps = gaps(acceptedTicks(virtual.chunks)).slice(1);
  const wallGaps = gaps(acceptedTicks(wall.chunks)).slice(1);
  assert.ok(virtualGaps.length >= 2, `chunks asked at ticks ${acceptedTicks(virtual.chunks).join(', ')}`);
  assert.deepEqual(wallGaps.slice(0, virtualGaps.length), virtualGaps, 'ticks between requests, after the first');
});

test('mp4 frames: tuned for speed on virtual time (the loop waits for them), to leave the loop CPU on wall time', async () => {
  // x264 writes its settings into the stream: ultrafast encodes with subme=0, veryfast with subme=2.
  const encoderSettings = async (summary: EpisodeSummary) => {
    const mp4 = await readFile(path.join(summary.recordDir!, 'front.mp4'), 'latin1');
    const options = /x264 - core .*? - options: ([^\0]*)/.exec(mp4);
    assert.ok(options, `no x264 settings in front.mp4 of ${summary.recordDir}`);
    return options[1];
  };
  const base = seeded(4, 30, 30);
  const config: So100Config = { ...base, record: { ...base.record, frames: 'mp4' } };
  const virtual = await runOne(config, new VirtualClock(), path.join(dir, 'mp4-virtual'));
  assert.match(await encoderSettings(virtual.summary), /\bsubme=0\b/);
  const wall = await runOnWall(config, path.join(dir, 'mp4-wall'));
  assert.match(await encoderSettings(wall.summary), /\bsubme=2\b/);
});
