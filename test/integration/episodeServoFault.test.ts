// An episode on the simulated arm when a servo starts reporting overheat: the tick's read throws, no goal
// reaches the bus after it, and the episode ends with the servo's typed error.
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
import { ServoHardwareError } from '../../src/io/serial/feetechBusErrors';
import { SimTransport } from '../../src/io/serial/simTransport';
import { EpisodeLoop } from '../../src/runtime/episodeLoop';
import { WireLog } from '../helpers/wireLog';

describe('an episode meets a servo error', () => {
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
    'overheat + inputVoltage on servo 2: that tick writes no goal and the episode fails with ServoHardwareError',
    { timeout: 30_000 },
    async () => {
      const sim = new FeetechBusSim();
      const wire = new WireLog();
      const robot = await So100Robot.connect(new FeetechBus(wire.wrap(new SimTransport(sim))), {
        calibration: simulatedArmCalibration(),
        bodyMode: 'DEGREES',
      });
      const client = new OpenPiClient(server.url);
      const task = new CubeTask({ seed: 3 });
      const loop = new EpisodeLoop(
        {
          robot,
          client,
          world: task,
          cameras: new SyntheticCameras(task),
          converter: builtinConverter('openpi-so100'),
          scheduler: new ChunkScheduler({ mode: 'async' }),
        },
        { fps: 30, maxSteps: 100, task: 'pick up the red cube', startPaused: true, onWarning: () => {} },
      );
      const done = loop.run();
      const outcome = done.then(
        () => undefined,
        (err: unknown) => err,
      );
      try {
        const mark0 = wire.mark();
        assert.equal((await loop.step())?.index, 0);
        assert.equal(wire.goalsAfter(mark0).length, 1, 'a healthy tick writes one goal');

        sim.faults.errorBits[2] = ['overheat', 'inputVoltage'];
        const goalsBefore = SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Goal_Position'));
        const mark = wire.mark();
        assert.equal(await loop.step(), undefined, 'the faulty tick produced no report');
        const err = await outcome;
        assert.ok(err instanceof ServoHardwareError, `the episode ended with ${String(err)}`);
        assert.equal(err.id, 2);
        assert.deepEqual([...err.bits].sort(), ['inputVoltage', 'overheat']);
        assert.deepEqual(wire.goalsAfter(mark), [], 'no Goal_Position write after the fault');
        assert.deepEqual(
          SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Goal_Position')),
          goalsBefore,
        );
        assert.equal(loop.state, 'ended');
      } finally {
        loop.stop('test over');
        await outcome;
        await client.close();
        await robot.disconnect();
      }
    },
  );
});
