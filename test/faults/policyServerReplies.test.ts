// Policy-server faults in what a reply holds: garbage bytes, a traceback and close 1011, wrong action shapes and
// dtypes, NaN / Inf, actions far out of range. Each is switched on in the built-in server (real sockets) once the
// episode has moved the arm, on both protocols; each case checks the cause told, every goal the simulated servos
// accepted, and the record on disk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { noPolicyFaults, type PolicyServerFaults } from '../../src/core/policy/policyServerFaults';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import type { PolicyProtocol } from '../../src/io/process/serverSpec';
import {
  assertHeldWhileStarved,
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  faultConfig,
  runEpisodeWith,
  withRig,
} from './faultHarness';

interface BadReply {
  readonly name: string;
  readonly set: (f: PolicyServerFaults) => void;
  /** What the user must be told, per protocol. */
  readonly cause: RegExp | Readonly<Record<PolicyProtocol, RegExp>>;
}

const BAD_REPLIES: readonly BadReply[] = [
  {
    name: 'garbage bytes instead of a reply',
    set: (f) => {
      f.garbage = true;
    },
    cause: /not a valid msgpack-numpy frame/,
  },
  {
    name: 'a traceback text frame, then close 1011',
    set: (f) => {
      f.traceback = true;
    },
    cause: /RuntimeError: CUDA error: an illegal memory access/,
  },
  {
    name: 'actions with 3 columns for a 6-joint arm',
    set: (f) => {
      f.actionShape = 'narrow';
    },
    cause: /at least 6 values per step.*\(\d+, 3\)/,
  },
  {
    name: 'actions shaped (2, horizon, dims)',
    set: (f) => {
      f.actionShape = 'batched';
    },
    cause: {
      openpi: /must be shaped \(horizon, dims\) — got \(2, /,
      'lerobot-ws': /must be \(action_dim\) or \(steps, action_dim\), got shape \(2, /,
    },
  },
  {
    name: 'int64 actions',
    set: (f) => {
      f.actionDtype = 'int64';
    },
    cause: /integer dtype <i8; actions must be floats/,
  },
  {
    name: 'the actions array as text',
    set: (f) => {
      f.actionDtype = 'string';
    },
    cause: {
      openpi: /should be an ndarray, got a string/,
      'lerobot-ws': /needs an ndarray "action", got the str/,
    },
  },
  {
    name: 'NaN actions',
    set: (f) => {
      f.actionValues = 'nan';
    },
    cause: /NaN or Inf actions; the chunk was discarded/,
  },
  {
    name: 'Inf actions',
    set: (f) => {
      f.actionValues = 'inf';
    },
    cause: /NaN or Inf actions; the chunk was discarded/,
  },
];

/** Ticks of normal running before the fault is switched on. */
const GOOD_TICKS = 10;

for (const protocol of ['openpi', 'lerobot-ws'] as const) {
  describe(`policy server faults in the reply (${protocol})`, () => {
    let server: BuiltinPolicyServer;
    before(async () => {
      server = await BuiltinPolicyServer.start({
        protocol,
        profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
      });
    });
    after(async () => {
      await server.close();
    });

    for (const bad of BAD_REPLIES) {
      test(
        `${bad.name}: the episode ends naming it, the arm holds, the record is whole`,
        { timeout: 60_000 },
        async () => {
          Object.assign(server.faults, noPolicyFaults());
          const config = faultConfig({ maxSteps: 120, requestTimeoutMs: 2000 });
          await withRig(config, { pi0: { url: server.url, protocol } }, async (rig) => {
            let faultTick = 0;
            const summary = await runEpisodeWith(rig, async () => {
              await rig.events.ticksReached(GOOD_TICKS);
              await rig.events.actionExecuted();
              faultTick = rig.events.ticks.length;
              bad.set(server.faults);
            });
            const cause = bad.cause instanceof RegExp ? bad.cause : bad.cause[protocol];
            assert.equal(summary.success, false);
            assert.match(summary.reason, /the policy failed 3 times in a row/);
            assertToldCause(rig, summary, cause);
            assertSafeGoals(rig.session.simulatedBus!.goals.all());
            // openpi: the last good chunk's rows may outlast the three failures; one action per request runs dry at once.
            const held = assertHeldWhileStarved(rig.events.ticks, faultTick + 1);
            if (protocol === 'lerobot-ws') assert.ok(held > 0, 'the arm held after the fault');
            const record = await assertRecordComplete(summary, { success: false, minSteps: GOOD_TICKS });
            assert.ok(
              record.chunks.some((c) => c.accepted && c.observationTick < faultTick),
              'chunks were used before the fault',
            );
            const late = record.chunks.filter((c) => c.accepted && c.observationTick > faultTick);
            assert.deepEqual(
              late.map((c) => c.observationTick),
              [],
              'no chunk asked for after the fault was used',
            );
          });
        },
      );
    }
  });
}

describe('actions far outside the joint ranges (×1000)', () => {
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
    'safety clamps every goal to the range and the step cap; the user is told once why the arm does not follow',
    { timeout: 60_000 },
    async () => {
      const config = faultConfig({ maxSteps: 60 });
      await withRig(config, { pi0: { url: server.url, protocol: 'openpi' } }, async (rig) => {
        server.faults.actionScale = 1000;
        const summary = await runEpisodeWith(rig);
        assert.equal(summary.steps, 60, summary.reason);
        assertToldCause(
          rig,
          summary,
          /asks \w+ for -?\d[\d.e+]* \(row \d+\), far outside its calibrated range .* safety clamps/,
        );
        assert.equal(rig.events.warnings.filter((w) => /far outside/.test(w)).length, 1, 'said once per episode');
        assert.ok(summary.clampedTicks > 30, `most ticks were clamped (${summary.clampedTicks})`);
        const goals = rig.session.simulatedBus!.goals.all();
        assertSafeGoals(goals);
        // Pushed for 60 ticks, the arm reached its limits: the check above saw goals at the edge, not a quiet arm.
        assert.ok(goals.filter((g) => g.torqueOn).length >= 6 * 60, 'every tick wrote goals');
        await assertRecordComplete(summary, { success: false, minSteps: 60 });
      });
    },
  );
});

describe('failures in a row, as so100.json sets them', () => {
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
    'maxPolicyFailures 5: NaN replies end the episode after the fifth, not the third; every one is told',
    { timeout: 60_000 },
    async () => {
      const config = faultConfig({ maxSteps: 300, maxPolicyFailures: 5 });
      assert.equal(config.maxPolicyFailures, 5);
      await withRig(config, { pi0: { url: server.url, protocol: 'openpi' } }, async (rig) => {
        const summary = await runEpisodeWith(rig, async () => {
          await rig.events.actionExecuted();
          server.faults.actionValues = 'nan';
        });
        assert.match(
          summary.reason,
          /the policy failed 5 times in a row; last: the policy returned NaN or Inf actions/,
        );
        const told = rig.events.warnings.filter((w) => /NaN or Inf actions; the chunk was discarded/.test(w));
        assert.equal(told.length, 5);
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
      });
    },
  );
});
