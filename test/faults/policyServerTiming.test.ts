// Policy-server faults in time: a server that hangs, and replies slowed to each latency class — inside the time a
// chunk lasts (async runs without starving), past it (starved ticks, the arm holds, a warning), and past the
// request timeout (a clear timeout error; the late replies are never used). Real episodes, real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { noPolicyFaults } from '../../src/core/policy/policyServerFaults';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import {
  assertHeldWhileStarved,
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  faultConfig,
  runEpisodeWith,
  withRig,
} from './faultHarness';

const GOOD_TICKS = 10;

describe('policy server faults in time (openpi, async chunking)', () => {
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

  function endpoints() {
    return { pi0: { url: server.url, protocol: 'openpi' as const } };
  }

  test(
    'a server that never answers: three timeouts end the episode naming the wait, the arm holds',
    { timeout: 60_000 },
    async () => {
      Object.assign(server.faults, noPolicyFaults());
      await withRig(faultConfig({ maxSteps: 300, requestTimeoutMs: 700 }), endpoints(), async (rig) => {
        let faultTick = 0;
        const summary = await runEpisodeWith(rig, async () => {
          await rig.events.ticksReached(GOOD_TICKS);
          await rig.events.actionExecuted();
          faultTick = rig.events.ticks.length;
          server.faults.hang = true;
        });
        assert.match(
          summary.reason,
          /the policy failed 3 times in a row; last: infer on ws:\/\/.* got no reply within 700 ms; the connection was dropped/,
        );
        assertToldCause(rig, summary, /got no reply within 700 ms/);
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        // Three timeouts outlast the 50-row chunk in the queue: the arm ran dry and held.
        assert.ok(assertHeldWhileStarved(rig.events.ticks, faultTick) > 0, 'the arm held once the queue ran dry');
        const record = await assertRecordComplete(summary, { success: false, minSteps: GOOD_TICKS });
        assert.deepEqual(
          record.chunks.filter((c) => c.observationTick > faultTick).map((c) => c.observationTick),
          [],
        );
      });
    },
  );

  test(
    "latency inside the chunk's time (+150 ms on 50-row chunks): no tick starves after the first chunk, no warning",
    { timeout: 60_000 },
    async () => {
      Object.assign(server.faults, noPolicyFaults(), { extraLatencyMs: 150 });
      await withRig(faultConfig({ maxSteps: 90, requestTimeoutMs: 5000 }), endpoints(), async (rig) => {
        const summary = await runEpisodeWith(rig);
        assert.equal(summary.steps, 90, summary.reason);
        assertToldCause(rig, summary, /stopped after 90 steps/);
        assert.equal(summary.starvedTicks - summary.warmupTicks, 0, 'no starving after warm-up');
        assert.deepEqual(
          rig.events.warnings.filter((w) => /starved/.test(w)),
          [],
        );
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        const record = await assertRecordComplete(summary, { success: false, minSteps: 90 });
        assert.ok(record.chunks.length >= 3, `chunks kept coming (${record.chunks.length})`);
        for (const c of record.chunks)
          assert.ok(c.latencyMs >= 150, `chunk ${c.chunk} took ${c.latencyMs} ms: the latency was injected`);
      });
    },
  );

  test(
    "latency past the chunk's time (+600 ms on 10-row chunks): ticks starve, the arm holds, the user is told once",
    { timeout: 60_000 },
    async () => {
      const slow = await BuiltinPolicyServer.start({
        protocol: 'openpi',
        profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5, horizon: 10 }),
      });
      slow.faults.extraLatencyMs = 600;
      try {
        await withRig(
          faultConfig({ maxSteps: 90, requestTimeoutMs: 5000 }),
          { pi0: { url: slow.url, protocol: 'openpi' } },
          async (rig) => {
            const summary = await runEpisodeWith(rig);
            assert.equal(summary.steps, 90, `the episode ran on: ${summary.reason}`);
            assert.ok(
              summary.starvedTicks - summary.warmupTicks > 10,
              `starved after warm-up: ${summary.starvedTicks - summary.warmupTicks}`,
            );
            assertToldCause(
              rig,
              summary,
              /starved — no action was queued while the policy was still answering \(its last reply took \d+ ms; a chunk of 10 actions lasts 333 ms at 30 fps\)/,
            );
            assert.equal(rig.events.warnings.filter((w) => /starved/.test(w)).length, 1, 'said once per episode');
            assert.ok(assertHeldWhileStarved(rig.events.ticks) > 10);
            assertSafeGoals(rig.session.simulatedBus!.goals.all());
            const record = await assertRecordComplete(summary, { success: false, minSteps: 90 });
            assert.ok(
              record.chunks.every((c) => c.accepted && c.latencyMs >= 600),
              'every slow chunk was still used',
            );
            assert.equal(
              record.steps.filter((s) => s.starved).length,
              summary.starvedTicks,
              'the record marks the starved ticks',
            );
          },
        );
      } finally {
        await slow.close();
      }
    },
  );

  test(
    'latency past the request timeout (+1500 ms, timeout 800 ms): a timeout error; the late replies are never used',
    { timeout: 60_000 },
    async () => {
      Object.assign(server.faults, noPolicyFaults());
      await withRig(faultConfig({ maxSteps: 300, requestTimeoutMs: 800 }), endpoints(), async (rig) => {
        let faultTick = 0;
        const summary = await runEpisodeWith(rig, async () => {
          await rig.events.ticksReached(GOOD_TICKS);
          await rig.events.actionExecuted();
          faultTick = rig.events.ticks.length;
          server.faults.extraLatencyMs = 1500;
        });
        assertToldCause(
          rig,
          summary,
          /the policy failed 3 times in a row; last: infer on .* got no reply within 800 ms/,
        );
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        assertHeldWhileStarved(rig.events.ticks, faultTick);
        const record = await assertRecordComplete(summary, { success: false, minSteps: GOOD_TICKS });
        assert.deepEqual(
          record.chunks.filter((c) => c.observationTick > faultTick).map((c) => c.latencyMs),
          [],
          'no late reply was used',
        );
        assert.ok(server.stats.requests >= 3, 'the server did get the requests it answered too late');
      });
    },
  );
});
