// A save of so100.json during a running episode, through the RuntimeSession: each change lands where its class
// (classifyChanges) says — chunking parameters in the running scheduler, record settings and the chunking mode from
// the next episode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type So100Config } from '../../src/core/config';
import type { RuntimeEventName, RuntimeEvents, TickTelemetry } from '../../src/core/rpc';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { SO100_MOTORS } from '../../src/core/so100';
import { RuntimeSession } from '../../src/runtime/runtimeSession';

let dir: string;
let server: BuiltinPolicyServer;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'so100-live-config-'));
  server = await BuiltinPolicyServer.start({
    protocol: 'openpi',
    profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 1 }),
  });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function config(chunking: object, record: object): So100Config {
  const { config: c, problems } = parseConfig(JSON.stringify({ chunking, record: { dir: dir, ...record } }));
  assert.ok(c, JSON.stringify(problems));
  return c;
}

/** Rows executed per chunk: the runs of executed ticks that start at a chunk boundary (sync holds in between). */
function rowsPerChunk(ticks: readonly TickTelemetry[]): number[] {
  const runs: number[] = [];
  for (const t of ticks) {
    if (t.chunkBoundary) runs.push(0);
    if (!t.starved && runs.length > 0) runs[runs.length - 1]++;
  }
  return runs;
}

test('chunking parameters apply to the running episode; the mode and record settings from the next one', async () => {
  const ticks: TickTelemetry[] = [];
  const sink = {
    emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]) {
      if (event === 'tick') ticks.push(data as TickTelemetry);
    },
    frameFps: () => 0,
  };
  const session = new RuntimeSession(sink, dir);
  const before = config({ mode: 'sync', nActionSteps: 10 }, { enabled: false });
  try {
    await session.connect({ config: before, endpoints: { pi0: { url: server.url, protocol: 'openpi' } } });
    await session.runEpisode({ startPaused: true });
    // Stepping while paused: each step is one tick, whatever the machine's load.
    const stepUntil = async (chunks: number) => {
      while (rowsPerChunk(ticks).length < chunks) assert.ok(await session.step(), 'the episode is still running');
    };
    await stepUntil(3);
    const r = await session.applyConfig(config({ mode: 'sync', nActionSteps: 4 }, { enabled: true, frames: 'none' }));
    assert.deepEqual(r.applied, ['chunking.nActionSteps']);
    assert.deepEqual([...r.nextEpisode].sort(), ['record.enabled', 'record.frames']);
    assert.deepEqual(r.needs, []);
    const changedAt = rowsPerChunk(ticks).length; // the chunk running now was placed under the old setting
    await stepUntil(changedAt + 4);
    const rows = rowsPerChunk(ticks);
    assert.deepEqual(rows.slice(0, changedAt - 1), Array(changedAt - 1).fill(10), `before: ${rows}`);
    assert.deepEqual(rows.slice(changedAt, changedAt + 3), [4, 4, 4], `after: ${rows}`);

    const m = await session.applyConfig(config({ mode: 'async' }, { enabled: true, frames: 'none' }));
    assert.deepEqual(m.nextEpisode, ['chunking'], 'a new mode waits for the next episode');
    const lastRun = rowsPerChunk(ticks).length;
    await stepUntil(lastRun + 3);
    assert.deepEqual(
      rowsPerChunk(ticks).slice(lastRun, lastRun + 2),
      [4, 4],
      'the running episode keeps sync chunks of 4',
    );
  } finally {
    await session.stop();
    await session.disconnect();
  }
});

/** One number in `seam.maxStep` caps the five body joints (degrees); the gripper's percent is not capped. */
const BODY_JOINTS = 5;

test('a new seam remedy reaches the running scheduler: after the save no body joint goal moves more than the limit', async () => {
  const ticks: TickTelemetry[] = [];
  const sink = {
    emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]) {
      if (event === 'tick') ticks.push(data as TickTelemetry);
    },
    frameFps: () => 0,
  };
  const session = new RuntimeSession(sink, dir);
  /**
   * Largest move of a body joint's goal between two executed ticks (a starved tick holds at the measured pose). A
   * joint safety clamped on either tick is left out: safety comes after the remedy and caps the goal around the
   * measured position, so its goal follows the arm, not the remedy (on a slow machine the arm moves further between
   * two steps and the capped goal with it).
   */
  let compared = 0;
  const largestStep = (from: number) => {
    let largest = 0;
    compared = 0;
    for (let i = from + 1; i < ticks.length; i++) {
      const [a, b] = [ticks[i - 1], ticks[i]];
      if (a.starved || b.starved || !a.sent || !b.sent) continue;
      const clamped = new Set([...a.clamped, ...b.clamped].map((c) => c.motor));
      for (let m = 0; m < BODY_JOINTS; m++) {
        if (clamped.has(SO100_MOTORS[m])) continue;
        compared++;
        largest = Math.max(largest, Math.abs(b.sent[m] - a.sent[m]));
      }
    }
    return largest;
  };
  try {
    await session.connect({
      config: config({ mode: 'sync', nActionSteps: 10, seam: { remedy: 'aligned' } }, { enabled: false }),
      endpoints: { pi0: { url: server.url, protocol: 'openpi' } },
    });
    await session.runEpisode({ startPaused: true });
    for (let i = 0; i < 40; i++) assert.ok(await session.step(), 'the episode is still running');
    assert.ok(largestStep(0) > 0.5, `the policy moves more than 0.5° a tick unlimited (${largestStep(0)})`);
    const r = await session.applyConfig(
      config({ mode: 'sync', nActionSteps: 10, seam: { remedy: 'limit', maxStep: 0.5 } }, { enabled: false }),
    );
    assert.ok(
      r.applied.some((p) => p.startsWith('chunking.seam')),
      `applied to the running episode: ${r.applied}`,
    );
    const from = ticks.length;
    for (let i = 0; i < 40; i++) assert.ok(await session.step(), 'the episode is still running');
    assert.ok(largestStep(from) <= 0.5 + 1e-9, `largest step after the save: ${largestStep(from)}°`);
    assert.ok(compared >= 40, `only ${compared} joint steps were free of safety clamps: the check proved little`);
  } finally {
    await session.stop();
    await session.disconnect();
  }
});
