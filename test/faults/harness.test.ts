// The fault suite's checks, proven able to fail: a clean episode passes all three; the goal check catches an
// unsafe goal written straight to the simulated bus; the record check catches a truncated steps.csv.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { FeetechBusSim } from '../../src/core/sim';
import { simulatedArmCalibration } from '../../src/core/so100';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { EpisodeRecordReadError, readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { assertRecordComplete, assertSafeGoals, assertToldCause, faultConfig, withRig } from './faultHarness';

describe('the fault suite checks', () => {
  let server: BuiltinPolicyServer;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
  });
  after(async () => {
    await server.close();
  });

  test(
    'a clean episode passes all three, and each check fails on what it guards against',
    { timeout: 60_000 },
    async () => {
      const config = faultConfig({ maxSteps: 40 });
      await withRig(config, { pi0: { url: server.url, protocol: 'openpi' } }, async (rig) => {
        await rig.session.runEpisode();
        const summary = await rig.session.episodeEnded()!;
        assert.equal(summary.steps, 40, summary.reason);
        assertToldCause(rig, summary, /40 steps/);
        assert.throws(() => assertToldCause(rig, summary, /servo 3 overheated/), /nothing the user saw matches/);

        const sim = rig.session.simulatedBus!;
        assert.ok(sim.goals.total >= 40 * 6, `goals were logged (${sim.goals.total})`);
        assertSafeGoals(sim.goals.all());
        const pan = sim.goals.all().findLast((g) => g.id === 1 && g.torqueOn)!;
        assert.throws(() => assertSafeGoals([{ ...pan, goal: pan.lastRead! + 150 }]), /shoulder_pan: .* over the cap/);
        assert.throws(() => assertSafeGoals([{ ...pan, goal: 4095, lastRead: 4090 }]), /outside the calibrated/);

        const record = await assertRecordComplete(summary, { success: false, minSteps: 40 });
        assert.equal(record.steps.at(-1)!.tick, 39);
        const steps = path.join(summary.recordDir!, 'steps.csv');
        const text = await readFile(steps, 'utf8');
        await writeFile(steps, text.split('\n').slice(0, 20).join('\n') + '\n');
        await assert.rejects(assertRecordComplete(summary), /a row per tick/);
        await writeFile(steps, text.replace(/\n1,/, '\n1,x'));
        await assert.rejects(
          readEpisodeRecord(summary.recordDir!),
          (e: unknown) => e instanceof EpisodeRecordReadError && e.line === 3,
        );
      });
    },
  );

  test('the simulator logs goals a host writes directly, with the position it last read', () => {
    const sim = new FeetechBusSim();
    const cal = simulatedArmCalibration();
    assert.ok(cal.shoulder_pan.range_min < 2048 && cal.shoulder_pan.range_max > 2048);
    // READ Present_Position of servo 1, then WRITE Goal_Position 2100: two packets built by hand.
    const packet = (bytes: number[]) => {
      const sum = bytes.slice(2).reduce((a, b) => a + b, 0);
      return Uint8Array.from([...bytes, ~sum & 0xff]);
    };
    sim.handle(packet([0xff, 0xff, 1, 4, 0x02, 56, 2]), 1000);
    sim.handle(packet([0xff, 0xff, 1, 4, 0x03, 40, 1]), 2000); // torque on
    sim.handle(packet([0xff, 0xff, 1, 5, 0x03, 42, 2100 & 0xff, 2100 >> 8]), 3000);
    const [g] = sim.goals.all().filter((x) => x.torqueOn);
    assert.deepEqual({ id: g.id, goal: g.goal, lastRead: g.lastRead }, { id: 1, goal: 2100, lastRead: 2048 });
    assert.equal(sim.goals.since(sim.goals.total).length, 0);
  });
});
