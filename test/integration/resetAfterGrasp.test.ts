// Reset after a successful grasp on the in-process simulator: the new scene frees the gripper (the cube that stalled
// it is gone), so the arm glides all the way to its start pose instead of stopping short after 20 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type So100Config } from '../../src/core/config';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { RuntimeSession } from '../../src/runtime/runtimeSession';
import { WarningSink } from '../helpers/warningSink';

test('after the cube was lifted between the jaws, a reset reaches the start pose', { timeout: 120_000 }, async () => {
  const d = defaultConfig();
  const config: So100Config = { ...d, maxSteps: 900, record: { ...d.record, enabled: false } };
  const warnings = new WarningSink();
  // Virtual time: the embedded default in process, nothing sleeps.
  const session = new RuntimeSession(warnings, process.cwd(), new VirtualClock());
  try {
    await session.connect({ config, endpoints: {} });
    await session.runEpisode();
    const summary = await session.episodeEnded()!;
    assert.equal(summary.success, true, summary.reason);
    await session.reset();
    assert.deepEqual(
      warnings.list.filter((w) => /short of its start pose/.test(w)),
      [],
    );
    assert.equal(session.status().phase, 'connected');
  } finally {
    await session.disconnect();
  }
});
