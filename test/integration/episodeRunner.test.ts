// The episode runner in-process: simulated arm, synthetic cameras, built-in server over a real socket.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkScheduler } from '../../src/core/chunking';
import { builtinConverter, type ConverterOptions } from '../../src/core/convert';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { CubeTask } from '../../src/core/scene';
import { FeetechBusSim } from '../../src/core/sim';
import { SO100_MOTORS, motorId, normModeFor, normalizedBounds, simulatedArmCalibration } from '../../src/core/so100';
import { SyntheticCameras } from '../../src/io/camera/syntheticCameras';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { runEpisode, type TickReport } from '../../src/runtime/episodeLoop';

describe('runEpisode on the embedded default', () => {
  let server: BuiltinPolicyServer;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 20 }),
    });
  });
  after(async () => {
    await server.close();
  });

  async function episode(maxSteps: number, converterOptions: ConverterOptions = {}, onTick?: (t: TickReport) => void) {
    const sim = new FeetechBusSim();
    const robot = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), {
      calibration: simulatedArmCalibration(),
      bodyMode: 'DEGREES',
    });
    const client = new OpenPiClient(server.url);
    const task = new CubeTask({ seed: 3 });
    const warnings: string[] = [];
    try {
      const result = await runEpisode(
        {
          robot,
          client,
          world: task,
          cameras: new SyntheticCameras(task),
          converter: builtinConverter('openpi-so100', converterOptions),
          scheduler: new ChunkScheduler({ mode: 'async' }),
        },
        { fps: 30, maxSteps, task: 'pick up the red cube', onTick, onWarning: (w) => warnings.push(w) },
      );
      return { result, sim, warnings };
    } finally {
      await client.close();
      await robot.disconnect();
    }
  }

  test('picks the cube up; every tick is reported, every stage timed, chunk boundaries marked', async () => {
    const ticks: TickReport[] = [];
    const { result } = await episode(900, {}, (t) => ticks.push(t));
    assert.equal(result.success, true, result.reason);
    assert.match(result.reason, /lifted/);
    assert.equal(ticks.length, result.steps);
    assert.ok(result.chunks >= 2, `several chunks (${result.chunks})`);
    assert.ok(
      ticks.some((t) => t.chunkBoundary),
      'chunk boundaries marked',
    );
    for (const stage of ['read', 'camera', 'convert', 'encode', 'server infer', 'decode', 'safety', 'write', 'tick']) {
      assert.ok((result.timing.get(stage)?.count ?? 0) > 0, `stage ${stage} timed`);
    }
    // Nothing outside the calibrated range was ever sent.
    const cal = simulatedArmCalibration();
    let sentTicks = 0;
    for (const t of ticks) {
      if (!t.sent) continue;
      sentTicks++;
      for (const m of SO100_MOTORS) {
        const { low, high } = normalizedBounds(cal[m], normModeFor(m, 'DEGREES'));
        assert.ok(t.sent[m] >= low - 1e-9 && t.sent[m] <= high + 1e-9, `${m} ${t.sent[m]} within [${low}, ${high}]`);
      }
    }
    assert.equal(sentTicks, ticks.length, 'every tick wrote a goal (an action, or the measured position when starved)');
  });

  test('a wrong camera mapping (wrist image sent as the main view) visibly fails', async () => {
    const { result, sim } = await episode(240, { cameras: { primary: 'wrist', secondary: 'front' } });
    assert.equal(result.success, false);
    assert.match(result.reason, /stopped after 240 steps without success/);
    assert.ok(
      SO100_MOTORS.every((m) => sim.servo(motorId(m))!.readRegister('Torque_Enable') === 0),
      'arm left limp after the episode',
    );
  });

  test('a dead policy server ends the episode with the reason, and the arm is left safe', async () => {
    const dead = await BuiltinPolicyServer.start({ protocol: 'openpi', profile: MODEL_PROFILES.pi0 });
    const url = dead.url;
    await dead.close();
    const sim = new FeetechBusSim();
    const robot = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), {
      calibration: simulatedArmCalibration(),
      bodyMode: 'DEGREES',
    });
    const client = new OpenPiClient(url, { backoff: { baseMs: 5, maxMs: 10, maxAttempts: 1 } });
    const task = new CubeTask({ seed: 3 });
    try {
      const result = await runEpisode(
        {
          robot,
          client,
          world: task,
          cameras: new SyntheticCameras(task),
          converter: builtinConverter('openpi-so100'),
          scheduler: new ChunkScheduler({ mode: 'async' }),
        },
        { fps: 30, maxSteps: 300, task: 'x', onWarning: () => {} },
      );
      assert.equal(result.success, false);
      assert.match(result.reason, /the policy failed 3 times in a row; last: cannot connect/);
      assert.ok(result.steps < 300, 'ended early');
    } finally {
      await client.close();
      await robot.disconnect();
    }
  });
});
