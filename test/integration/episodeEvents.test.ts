// What happens beside the ticks is kept in the record (events.jsonl) and marked on the Episode Viewer's timeline:
// a run of safety clamps, a model swap, warnings. A real session on the embedded default (virtual time).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { EpisodeRecordReadError, readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { EpisodeView } from '../../src/io/recording/episodeView';
import type { RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';
import { RuntimeSession } from '../../src/runtime/runtimeSession';
import { WarningSink } from '../helpers/warningSink';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'so100-events-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('clamp runs and a swap land in events.jsonl at their ticks, and on the viewer timeline', async () => {
  const d = defaultConfig();
  const config: So100Config = {
    ...d,
    maxSteps: 300,
    robot: { ...d.robot, maxStep: 1.5 }, // tighter than the demo's steps: safety clamps
    record: { ...d.record, enabled: true, frames: 'none' },
  };
  // The swap comes from the tick events, as a host's Swap Model would mid-run.
  let swapAt: number | undefined;
  let swapped: Promise<unknown> | undefined;
  const sink = {
    emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
      const t = data as RuntimeEvents['tick'];
      if (event === 'tick' && swapped === undefined && t.index >= 60) {
        swapAt = t.index;
        swapped = session.swapModel('pi0_fast');
      }
    },
    frameFps: () => 0,
  };
  const session: RuntimeSession = new RuntimeSession(sink, dir, new VirtualClock());
  let recordDir: string;
  try {
    await session.connect({ config, endpoints: {}, recordDir: dir });
    await session.runEpisode();
    const summary = await session.episodeEnded()!;
    await swapped;
    assert.ok(summary.clampedTicks > 0, 'the tight cap clamped');
    recordDir = summary.recordDir!;
  } finally {
    await session.disconnect();
  }
  const record = await readEpisodeRecord(recordDir);
  const swaps = record.events.filter((e) => e.kind === 'swap');
  assert.equal(swaps.length, 1);
  assert.match(swaps[0].message, /pi0 → pi0_fast/);
  assert.ok(
    swapAt !== undefined && Math.abs(swaps[0].tick - swapAt) <= 2,
    `swap at tick ${swaps[0].tick}, asked at ${swapAt}`,
  );
  const clamps = record.events.filter((e) => e.kind === 'clamp');
  assert.ok(clamps.length > 0, 'the tight cap clamped');
  assert.match(clamps[0].message, /^safety step-capped \w+/);
  // Each clamp event starts a run: the step before it was not clamped... and the tick itself sent a capped command.
  for (const c of clamps)
    assert.ok(
      record.steps.some((s) => s.tick === c.tick && s.sent),
      `tick ${c.tick}`,
    );
  const view = await EpisodeView.open(recordDir, 'ffmpeg');
  try {
    const kinds = new Set(view.timeline.events.map((e) => e.kind));
    assert.ok(kinds.has('swap') && kinds.has('clamp'), [...kinds].join(', '));
  } finally {
    view.dispose();
  }
});

test('a record without events.jsonl reads with none; a bad line is named', async () => {
  const d = defaultConfig();
  const session = new RuntimeSession(new WarningSink(), dir, new VirtualClock());
  let recordDir: string;
  try {
    await session.connect({
      config: { ...d, maxSteps: 5, record: { ...d.record, enabled: true, frames: 'none' } },
      endpoints: {},
      recordDir: dir,
    });
    await session.runEpisode();
    recordDir = (await session.episodeEnded())!.recordDir!;
  } finally {
    await session.disconnect();
  }
  await rm(path.join(recordDir, 'events.jsonl'));
  assert.deepEqual((await readEpisodeRecord(recordDir)).events, []);
  await writeFile(path.join(recordDir, 'events.jsonl'), '{"tick":1,"kind":"explosion","message":"x"}\n');
  await assert.rejects(
    readEpisodeRecord(recordDir),
    (e: unknown) => e instanceof EpisodeRecordReadError && /events\.jsonl:1: an event needs/.test(e.message),
  );
});
