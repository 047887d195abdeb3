// Pause, step, stop, emergency stop and model swap on a running episode: simulated arm, built-in servers over
// real sockets, and a log of what really went on the bus.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkScheduler } from '../../src/core/chunking';
import { builtinConverter } from '../../src/core/convert';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { CubeTask } from '../../src/core/scene';
import { FeetechBusSim } from '../../src/core/sim';
import { SO100_MOTORS, motorId, simulatedArmCalibration } from '../../src/core/so100';
import { SyntheticCameras } from '../../src/io/camera/syntheticCameras';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { EpisodeLoop, type ChunkReport, type EpisodeSettings, type TickReport } from '../../src/runtime/episodeLoop';
import { WireLog } from '../helpers/wireLog';

const until = async (what: string, cond: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('EpisodeLoop controls', () => {
  let pi0: BuiltinPolicyServer;
  let pi0Fast: BuiltinPolicyServer;
  before(async () => {
    pi0 = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    pi0Fast = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0_fast, { latencyMs: 5 }),
    });
  });
  after(async () => {
    await pi0.close();
    await pi0Fast.close();
  });

  async function withLoop(
    settings: Partial<EpisodeSettings>,
    body: (ctx: {
      loop: EpisodeLoop;
      sim: FeetechBusSim;
      wire: WireLog;
      ticks: TickReport[];
      chunks: ChunkReport[];
      done: ReturnType<EpisodeLoop['run']>;
      fastClient: OpenPiClient;
    }) => Promise<void>,
  ) {
    const sim = new FeetechBusSim();
    const wire = new WireLog();
    const robot = await So100Robot.connect(new FeetechBus(wire.wrap(new SimTransport(sim))), {
      calibration: simulatedArmCalibration(),
      bodyMode: 'DEGREES',
    });
    const client = new OpenPiClient(pi0.url);
    const fastClient = new OpenPiClient(pi0Fast.url);
    const task = new CubeTask({ seed: 3 });
    const ticks: TickReport[] = [];
    const chunks: ChunkReport[] = [];
    const loop = new EpisodeLoop(
      {
        robot,
        client,
        world: task,
        cameras: new SyntheticCameras(task),
        converter: builtinConverter('openpi-so100'),
        scheduler: new ChunkScheduler({ mode: 'async' }),
      },
      {
        fps: 30,
        maxSteps: 2000,
        task: 'pick up the red cube',
        onWarning: () => {},
        ...settings,
        // A copy at report time: what a telemetry consumer sees then is what counts.
        onTick: (t) => ticks.push({ ...t, stageMs: { ...t.stageMs } }),
        onChunk: (c) => chunks.push(c),
      },
    );
    const done = loop.run();
    try {
      await body({ loop, sim, wire, ticks, chunks, done, fastClient });
    } finally {
      loop.stop('test over');
      await done;
      await client.close();
      await fastClient.close();
      await robot.disconnect();
    }
  }

  test('a paused episode writes no goal until step(), which runs exactly one tick', async () => {
    await withLoop({ startPaused: true }, async ({ loop, wire, ticks }) => {
      // Parked: the loop has reached its wait for resume/step, so whatever it was going to do on its own is done.
      await until('the loop to park', () => loop.parked);
      assert.equal(loop.state, 'paused');
      assert.equal(ticks.length, 0, 'nothing ran while paused');
      const mark = wire.mark();
      const first = await loop.step();
      assert.equal(first?.index, 0);
      assert.equal(ticks.length, 1);
      assert.equal(wire.goalsAfter(mark).length, 1, 'one tick = one SYNC_WRITE of Goal_Position');
      const second = await loop.step();
      assert.equal(second?.index, 1);
      await until('the loop to park again after the step', () => loop.parked);
      assert.equal(ticks.length, 2, 'still paused after the steps');
      assert.equal(loop.stepCount, 2);
    });
  });

  test('pause holds, resume goes on at the configured rate, stop ends with the reason', async () => {
    await withLoop({}, async ({ loop, ticks, wire, done }) => {
      await until('ten ticks', () => ticks.length >= 10);
      loop.pause();
      const asked = ticks.length;
      const mark = wire.mark();
      await until('the loop to park', () => loop.parked);
      const n = ticks.length;
      assert.ok(n <= asked + 1, 'at most the tick in progress finishes after pause');
      assert.ok(wire.goalsAfter(mark).length <= 1);
      assert.equal(loop.stepCount, n, 'parked: no tick in progress');
      const lastBefore = ticks[n - 1];
      loop.resume();
      await until('ticks after resume', () => ticks.length >= n + 5);
      loop.stop();
      const result = await done;
      assert.equal(result.success, false);
      assert.equal(result.reason, 'stopped by the user');
      assert.equal(result.steps, ticks.length);
      // The rate, on the loop's own schedule (atMs − lateMs is when a tick was due; no wall-clock assertion): after
      // resume, tick k+1 is due exactly one period (1000/30 ms) after tick k, and the first is due no earlier than
      // a period after the last tick before the pause (no rush through the ticks "missed" while paused).
      const due = (t: TickReport) => t.atMs - t.lateMs;
      const after = ticks.slice(n);
      assert.equal(after[0].index, n, 'resume goes on from the next index');
      for (let k = 1; k < after.length; k++)
        assert.ok(
          Math.abs(due(after[k]) - due(after[k - 1]) - 1000 / 30) < 1e-6,
          `tick ${after[k].index} due ${due(after[k]) - due(after[k - 1])} ms after the one before, not 1000/30`,
        );
      assert.ok(due(after[0]) >= due(lastBefore) + 1000 / 30 - 1e-6, 'no catch-up burst after resume');
    });
  });

  test('emergency stop: torque off on all six servos and no goal on the wire after it', async () => {
    await withLoop({}, async ({ loop, sim, wire, ticks, done }) => {
      await until('a few ticks with actions', () => ticks.filter((t) => !t.starved).length >= 3);
      const mark = wire.mark();
      const { failed } = await loop.estop();
      assert.deepEqual(failed, []);
      const result = await done;
      assert.match(result.reason, /emergency stop/);
      for (const m of SO100_MOTORS) assert.equal(sim.servo(motorId(m))!.readRegister('Torque_Enable'), 0, `${m} limp`);
      const after = wire.events.filter((e) => e.seq >= mark);
      const firstTorqueOff = after.findIndex((e) => e.kind === 'torque' && e.value === 0);
      assert.ok(firstTorqueOff >= 0, 'torque-off writes reached the bus');
      assert.ok(
        after.slice(firstTorqueOff).every((e) => e.kind !== 'goal'),
        'no goal after torque off',
      );
      assert.ok(
        after.every((e) => e.kind !== 'torque' || e.value === 0),
        'torque never re-enabled',
      );
      // At most the write of the tick that was already on the bus precedes the torque-off.
      assert.ok(after.slice(0, firstTorqueOff).filter((e) => e.kind === 'goal').length <= 1);
    });
  });

  test('swapping the model: the arm holds, then chunks come from the new model only', async () => {
    await withLoop({}, async ({ loop, chunks, ticks, fastClient }) => {
      await until('a π₀ chunk', () => chunks.some((c) => c.accepted && c.horizon === 50));
      const swapTick = ticks.length;
      loop.swapClient(fastClient);
      await until('two π₀-FAST chunks', () => chunks.filter((c) => c.accepted && c.horizon === 10).length >= 2);
      const firstFast = chunks.findIndex((c) => c.horizon === 10);
      assert.ok(
        chunks.slice(firstFast).every((c) => c.horizon === 10 || !c.accepted),
        'no π₀ chunk accepted after the swap',
      );
      assert.equal(loop.currentClient, fastClient);
      // Right after the swap the queue is empty: the arm holds (starved ticks) until π₀-FAST answers.
      assert.ok(
        ticks.slice(swapTick, swapTick + 3).some((t) => t.starved),
        'held while the new model computed',
      );
    });
  });

  test('every tick reports its stage timings and the camera frames it used; policy stages land on the tick after the reply', async () => {
    await withLoop({}, async ({ ticks, chunks }) => {
      await until('five ticks and two chunks', () => ticks.length >= 5 && chunks.length >= 2);
      const withPolicy = ticks.filter((t) => t.stageMs['policy total'] !== undefined);
      assert.ok(withPolicy.length >= 1, 'a tick carries the policy stages of a reply');
      for (const t of withPolicy)
        for (const s of ['encode', 'decode', 'server infer'])
          assert.ok(Number.isFinite(t.stageMs[s]), `tick ${t.index} ${s}`);
      for (const t of ticks.slice(0, 5)) {
        for (const s of ['read', 'camera', 'safety', 'write', 'tick'])
          assert.ok(Number.isFinite(t.stageMs[s]), `tick ${t.index} ${s}`);
        assert.deepEqual(Object.keys(t.images).sort(), ['front', 'wrist']);
      }
    });
  });

  test('free-running ticks never start before their schedule (the fine wait sleeps up to the deadline, not past-due)', async () => {
    await withLoop({ fps: 60, maxSteps: 40 }, async ({ ticks, done }) => {
      await done;
      assert.equal(ticks.length, 40);
      // Tick 0 anchors the schedule; every later start is at or after anchor + index · period.
      for (const t of ticks.slice(1))
        assert.ok(t.lateMs >= 0, `tick ${t.index} started ${(-t.lateMs).toFixed(3)} ms early`);
      const intervals = ticks.slice(1).map((t, i) => t.atMs - ticks[i].atMs);
      assert.ok(
        intervals.every((ms) => ms > 0),
        'ticks start in order',
      );
    });
  });
});
