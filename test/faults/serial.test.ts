// Serial faults in a whole episode: a silent servo, corrupt checksums, servo error bits, the port unplugged, the
// port held by another program. Each asserts what the user is told, what reached the servos, and the record.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import type { RuntimeModelEndpoint } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import {
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  connectRig,
  faultConfig,
  retryMissedWindows,
  socatMissing,
  startPtyArm,
  torqueRegisters,
  withRig,
} from './faultHarness';

describe('serial faults', () => {
  let server: BuiltinPolicyServer;
  let endpoints: Record<string, RuntimeModelEndpoint>;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    endpoints = { pi0: { url: server.url, protocol: 'openpi' } };
  });
  after(async () => {
    await server.close();
  });

  test(
    'a servo stops replying: after the retries the episode ends naming servo 3; no goal after the fault',
    { timeout: 60_000 },
    async () => {
      await withRig(faultConfig({ maxSteps: 200 }), endpoints, async (rig) => {
        const sim = rig.session.simulatedBus!;
        await rig.session.runEpisode({ startPaused: true });
        for (let i = 0; i < 10; i++) await rig.session.step();
        sim.faults.dropRepliesFrom = [3];
        const mark = sim.goals.total;
        rig.session.resume();
        const summary = await rig.session.episodeEnded()!;
        assertToldCause(rig, summary, /servo 3 .*did not answer/);
        assert.equal(summary.success, false);
        assert.deepEqual(
          sim.goals.since(mark).filter((g) => g.torqueOn),
          [],
          'no goal with torque on after the servo went silent',
        );
        // The silent servo still hears the torque-off (it only fails to answer).
        assert.deepEqual(torqueRegisters(sim), [0, 0, 0, 0, 0, 0]);
        assertSafeGoals(sim.goals.all());
        await assertRecordComplete(summary, { success: false, minSteps: 10 });
      });
    },
  );

  test(
    'corrupt checksums on 1 % of replies: the episode goes on, the user is told how many and where',
    { timeout: 60_000 },
    async () => {
      await withRig(faultConfig({ maxSteps: 90 }), endpoints, async (rig) => {
        const sim = rig.session.simulatedBus!;
        sim.faults.corruptChecksumFraction = 0.01; // after connect: its single reads are not retried on the embedded bus
        await rig.session.runEpisode();
        const summary = await rig.session.episodeEnded()!;
        assert.equal(summary.steps, 90, `the episode ran to its end: ${summary.reason}`);
        assertToldCause(rig, summary, /\d+ corrupt status packets? \(checksum errors\) on simulated SO-100/);
        assertSafeGoals(sim.goals.all());
        await assertRecordComplete(summary, { success: false, minSteps: 90 });
      });
    },
  );

  test(
    "servo error bits: the gripper's overload is reported once and tolerated; overheat on servo 2 ends the episode, no goal after",
    { timeout: 60_000 },
    async () => {
      await withRig(faultConfig({ maxSteps: 300 }), endpoints, async (rig) => {
        const sim = rig.session.simulatedBus!;
        await rig.session.runEpisode({ startPaused: true });
        for (let i = 0; i < 5; i++) await rig.session.step();
        sim.faults.errorBits[6] = ['overload'];
        for (let i = 0; i < 5; i++) await rig.session.step();
        assert.equal(rig.events.ended.length, 0, 'a grasp overload does not end the episode');
        assert.equal(
          rig.events.warnings.filter((w) => /servo 6 \(gripper\).*overload/.test(w)).length,
          1,
          `one warning for the gripper's overload: ${rig.events.warnings.join(' | ')}`,
        );
        sim.faults.errorBits[2] = ['overheat'];
        const mark = sim.goals.total;
        rig.session.resume();
        const summary = await rig.session.episodeEnded()!;
        assertToldCause(rig, summary, /servo 2 .*overheated/);
        assert.deepEqual(
          sim.goals.since(mark).filter((g) => g.torqueOn),
          [],
          'no goal with torque on after the overheat',
        );
        assert.deepEqual(torqueRegisters(sim), [0, 0, 0, 0, 0, 0], 'the arm was left limp');
        assertSafeGoals(sim.goals.all());
        await assertRecordComplete(summary, { success: false, minSteps: 10 });
      });
    },
  );

  test(
    'the port vanishes mid-episode (socat gone, device file removed): the episode ends naming the port',
    { timeout: 60_000, skip: socatMissing },
    async () => {
      const arm = await startPtyArm();
      try {
        const rig = await retryMissedWindows(async () => {
          const r = await connectRig(faultConfig({ maxSteps: 3000, robot: arm.robot }), endpoints);
          try {
            await r.session.runEpisode();
            await r.events.ticksReached(15);
            return r;
          } catch (err) {
            await r.close();
            throw err;
          }
        });
        try {
          process.kill(arm.pty.socatPid!, 'SIGTERM'); // socat removes the link, like the kernel removing /dev/ttyACM0
          const summary = await rig.session.episodeEnded()!;
          assertToldCause(rig, summary, new RegExp(`${escape(arm.port)} disconnected`));
          assert.equal(summary.success, false);
          assert.ok(summary.steps < 3000, 'the episode did not run on without its arm');
          assertSafeGoals(arm.sim.goals.all());
          await assertRecordComplete(summary, { success: false, minSteps: 15 });
          assert.equal(rig.session.status().phase, 'idle', 'the session dropped the lost arm');
        } finally {
          await rig.close();
        }
      } finally {
        await arm.close();
      }
    },
  );

  test(
    'the port is busy at connect: no episode (so no record); nothing written, the error names the port and its holder',
    { timeout: 60_000, skip: socatMissing },
    async () => {
      const arm = await startPtyArm();
      const holder = await SerialPortTransport.open(arm.port);
      try {
        const config = faultConfig({ robot: arm.robot });
        await assert.rejects(connectRig(config, endpoints), (e: Error) => {
          assert.equal(e.name, 'SerialPortBusyError');
          assert.match(e.message, new RegExp(`${escape(arm.port)} is in use`));
          assert.match(
            e.message,
            new RegExp(`held by .*\\(pid ${process.pid}\\)`),
            'this process holds it, and the message says so',
          );
          assert.doesNotMatch(e.message, /socat/, 'the socat making the pty pair is not named: it always holds a pty');
          return true;
        });
        assert.equal(arm.sim.goals.total, 0, 'no goal was written');
        assert.deepEqual(torqueRegisters(arm.sim), [0, 0, 0, 0, 0, 0]);
        assert.equal(holder.isOpen, true, 'the holder keeps its port');
      } finally {
        await holder.close();
        await arm.close();
      }
    },
  );
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
