// The safety stage stays last: whatever a seam remedy hands over, the arm is sent nothing past the step cap around
// the measured position (robot.maxStep) or outside the calibrated range. Episodes of the embedded default on virtual
// time with a tight cap, one per remedy, read back from their records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type SeamConfig, type So100Config } from '../../src/core/config';
import type { RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';
import { SO100_MOTORS } from '../../src/core/so100';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { RuntimeSession } from '../../src/runtime/runtimeSession';

const CAP = 1.5; // degrees per tick, tighter than the demo's own steps, so the cap binds
const quiet = { emit<E extends RuntimeEventName>(_e: E, _d: RuntimeEvents[E]): void {}, frameFps: () => 0 };

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'so100-seam-safety-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const remedies: SeamConfig[] = [
  { remedy: 'aligned' },
  { remedy: 'crossfade', ticks: 3 },
  { remedy: 'ensemble' },
  { remedy: 'limit', maxStep: 4 },
];

for (const seam of remedies) {
  test(`${seam.remedy}: nothing sent moves a body joint more than robot.maxStep from where it was`, async () => {
    const d = defaultConfig();
    const config: So100Config = {
      ...d,
      maxSteps: 200,
      chunking: { ...d.chunking, seam },
      robot: { ...d.robot, maxStep: CAP },
      record: { ...d.record, enabled: true, frames: 'none' },
    };
    const session = new RuntimeSession(quiet, dir, new VirtualClock());
    try {
      await session.connect({ config, endpoints: {}, recordDir: dir });
      await session.runEpisode();
      const summary = await session.episodeEnded()!;
      assert.ok(summary.clampedTicks > 0, 'the cap never bound: the test would prove nothing');
      const record = await readEpisodeRecord(summary.recordDir!);
      let checked = 0;
      for (const s of record.steps) {
        if (!s.sent) continue;
        for (const m of SO100_MOTORS.filter((x) => x !== 'gripper')) {
          // steps.csv keeps 4 decimals.
          assert.ok(
            Math.abs(s.sent[m] - s.positions[m]) <= CAP + 1e-3,
            `tick ${s.tick} ${m}: sent ${s.sent[m]} from ${s.positions[m]}`,
          );
        }
        checked++;
      }
      assert.ok(checked > 100, `${checked} ticks sent a command`);
    } finally {
      await session.disconnect();
    }
  });
}
