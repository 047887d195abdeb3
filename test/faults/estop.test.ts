// Emergency stop in each phase of a session: connecting, running, swapping models, resetting. Afterwards every
// servo's Torque_Enable reads 0 on the simulator itself, and no goal was accepted with torque on after estop()
// returned; while it ran, at most the one SYNC_WRITE already on the bus (one tick) got through.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import type { RuntimeModelEndpoint } from '../../src/core/rpc';
import type { FeetechBusSim } from '../../src/core/sim';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeSession } from '../../src/runtime/runtimeSession';
import {
  EventLog,
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  faultConfig,
  torqueRegisters,
  until,
  withRig,
  type FaultRig,
} from './faultHarness';

/** A TCP server that accepts and never answers: a policy connect to it hangs until aborted. */
class SilentServer {
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {
    server.on('connection', (s) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }
  static async start(): Promise<SilentServer> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return new SilentServer(server);
  }
  get endpoint(): RuntimeModelEndpoint {
    const a = this.server.address();
    return { url: `ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, protocol: 'openpi' };
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

/** E-stops and checks the goal log around the call: ≤ one tick's write while it ran, none with torque on after. */
async function estopAndCheck(session: RuntimeSession, sim: FeetechBusSim): Promise<number> {
  const atCall = sim.goals.total;
  const r = await session.estop();
  const returned = sim.goals.total;
  assert.deepEqual(r, { torqueOff: true, failedMotors: [] });
  assert.ok(
    sim.goals.since(atCall).filter((g) => g.torqueOn).length <= 6,
    'at most the SYNC_WRITE already under way got through',
  );
  assert.deepEqual(torqueRegisters(sim), [0, 0, 0, 0, 0, 0], 'torque off on every servo');
  assert.equal(session.status().phase, 'estopped');
  return returned;
}

function assertNoTorqueGoalsSince(sim: FeetechBusSim, mark: number): void {
  assert.deepEqual(
    sim.goals.since(mark).filter((g) => g.torqueOn),
    [],
    'no goal with torque on after estop() returned',
  );
  assert.deepEqual(torqueRegisters(sim), [0, 0, 0, 0, 0, 0], 'still limp');
}

describe('emergency stop in every phase', () => {
  let server: BuiltinPolicyServer;
  let silent: SilentServer;
  let endpoints: Record<string, RuntimeModelEndpoint>;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    silent = await SilentServer.start();
    endpoints = { pi0: { url: server.url, protocol: 'openpi' } };
  });
  after(async () => {
    await server.close();
    await silent.close();
  });

  test(
    'connecting (the arm is up with torque on, the policy connect hangs): limp, connect fails saying why; no episode, so no record',
    { timeout: 60_000 },
    async () => {
      const workspace = await mkdtemp(path.join(tmpdir(), 'so100-fault-'));
      const events = new EventLog();
      const session = new RuntimeSession(events, workspace);
      try {
        const connecting = session.connect({ config: faultConfig({}), endpoints: { pi0: silent.endpoint } });
        const failed = connecting.then(
          () => undefined,
          (e: unknown) => e,
        );
        await until(
          'the arm connected while the policy connect hangs',
          () => session.simulatedBus !== undefined && silent.connections > 0,
        );
        const sim = session.simulatedBus!;
        assert.deepEqual(torqueRegisters(sim), [1, 1, 1, 1, 1, 1], 'connect had turned torque on');
        const mark = await estopAndCheck(session, sim);
        const err = await failed;
        assert.ok(
          err instanceof Error && /emergency stop during connect/.test(err.message),
          `connect failed with ${String(err)}`,
        );
        assertNoTorqueGoalsSince(sim, mark);
        assertSafeGoals(sim.goals.all());
        assert.equal(session.status().phase, 'estopped');
        assert.deepEqual(await readdir(workspace), [], 'nothing recorded');
      } finally {
        await session.disconnect().catch(() => undefined);
        await rm(workspace, { recursive: true, force: true });
      }
    },
  );

  test('running: the episode ends as an emergency stop, the record is whole', { timeout: 60_000 }, async () => {
    await withRig(faultConfig({ maxSteps: 3000 }), endpoints, async (rig) => {
      const sim = rig.session.simulatedBus!;
      await rig.session.runEpisode();
      await rig.events.ticksReached(15);
      const mark = await estopAndCheck(rig.session, sim);
      const summary = rig.events.ended[0];
      assertToldCause(rig, summary, /emergency stop/);
      assertNoTorqueGoalsSince(sim, mark);
      assertSafeGoals(sim.goals.all());
      await assertRecordComplete(summary, { success: false, minSteps: 15 });
    });
  });

  test(
    "swapping (the new model's server does not answer): limp, the swap fails saying why, the episode record is whole",
    { timeout: 60_000 },
    async () => {
      await withRig(faultConfig({ maxSteps: 3000 }), endpoints, async (rig) => {
        const sim = rig.session.simulatedBus!;
        await rig.session.runEpisode();
        await rig.events.ticksReached(10);
        const before = silent.connections;
        const swap = rig.session.swapModel('pi0_fast', silent.endpoint).then(
          () => undefined,
          (e: unknown) => e,
        );
        await until('the swap connecting', () => silent.connections > before);
        const mark = await estopAndCheck(rig.session, sim);
        const err = await swap;
        assert.ok(
          err instanceof Error && /emergency stop during the swap to "pi0_fast"/.test(err.message),
          `the swap ended with ${String(err)}`,
        );
        assert.equal(rig.session.status().activeModel, 'pi0', 'the old model stays active');
        const summary = rig.events.ended[0];
        assertToldCause(rig, summary, /emergency stop/);
        assertNoTorqueGoalsSince(sim, mark);
        assertSafeGoals(sim.goals.all());
        await assertRecordComplete(summary, { success: false, minSteps: 10 });
      });
    },
  );

  test(
    'resetting (during the glide back to the start pose): the glide stops, the arm stays limp where it is',
    { timeout: 60_000 },
    async () => {
      await withRig(faultConfig({ maxSteps: 3000 }), endpoints, async (rig: FaultRig) => {
        const sim = rig.session.simulatedBus!;
        await rig.session.runEpisode();
        await rig.events.ticksReached(60); // far enough from the start pose that the glide takes many ticks
        const resetting = rig.session.reset();
        await until(
          'the glide under way',
          () => rig.session.status().phase === 'resetting' && rig.events.ended.length === 1,
        );
        const glideStart = sim.goals.total;
        await until('the glide writing goals', () => sim.goals.total >= glideStart + 12);
        assert.equal(rig.session.status().phase, 'resetting', 'still gliding when the e-stop comes');
        const mark = await estopAndCheck(rig.session, sim);
        await resetting;
        assert.equal(rig.session.status().phase, 'estopped', 'the reset did not bring the session back to connected');
        // The reset settled, so its glide loop has ended: every goal it ever wrote, before or after the e-stop, is
        // already in the log; no sleep is needed to give a stray write time to show.
        assertNoTorqueGoalsSince(sim, mark);
        assert.deepEqual(sim.goals.since(mark), [], 'the glide wrote no goal at all after the e-stop');
        assertSafeGoals(sim.goals.all());
        const summary = rig.events.ended[0];
        assertToldCause(rig, summary, /stopped by the user/);
        await assertRecordComplete(summary, { success: false, minSteps: 60 });
      });
    },
  );
});
