// The calibration flow end to end on the simulated arm: state machine + driver + simulated user.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeetechBusSim } from '../../src/core/sim';
import { SO100_MOTORS, motorId, type CalibrationStep } from '../../src/core/so100';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { runCalibration, type CalibrationUser } from '../../src/io/robot/calibrationSession';
import { SimulatedCalibrationUser } from '../../src/io/robot/simulatedCalibrationUser';
import { So100Robot } from '../../src/io/robot/so100Robot';

describe('runCalibration on the simulated SO-100', () => {
  test('homing, range recording and writing produce a LeRobot calibration the robot then accepts as-is', async () => {
    const sim = new FeetechBusSim();
    const bus = new FeetechBus(new SimTransport(sim));
    const prompts: string[] = [];
    // A hand's pace (1.2 s per sweep): a faster sweep on a loaded machine can move a joint from one end to the
    // other between two 20 ms polls, which reads as a wrap of the encoder.
    const cal = await runCalibration(bus, new SimulatedCalibrationUser(sim, (l) => prompts.push(l), 1200));
    assert.ok(cal, `calibration finished; it said: ${prompts.join(' | ')}`);
    // Middle at actual 2048 → half-turn homing offset 2048 − 2047 = 1; ranges are the swept travel in that frame.
    for (const m of SO100_MOTORS) assert.equal(cal[m].homing_offset, 1, m);
    assert.deepEqual([cal.shoulder_pan.range_min, cal.shoulder_pan.range_max], [2048 - 1251 - 1, 2048 + 1251 - 1]);
    assert.deepEqual([cal.gripper.range_min, cal.gripper.range_max], [2048 - 114 - 1, 2048 + 1138 - 1]);
    assert.deepEqual([cal.wrist_roll.range_min, cal.wrist_roll.range_max], [0, 4095], 'wrist_roll keeps the full turn');
    for (const m of SO100_MOTORS) {
      const servo = sim.servo(motorId(m))!;
      assert.equal(servo.readRegister('Homing_Offset'), cal[m].homing_offset);
      assert.equal(servo.readRegister('Min_Position_Limit'), cal[m].range_min);
      assert.equal(servo.readRegister('Max_Position_Limit'), cal[m].range_max);
      assert.equal(servo.readRegister('Torque_Enable'), 0, 'the arm stays limp until connect');
    }
    assert.ok(prompts.some((p) => /middle of its range/.test(p)));
    let rewritten = false;
    await using robot = await So100Robot.connect(bus, {
      calibration: cal,
      bodyMode: 'DEGREES',
      onCalibrationWritten: () => {
        rewritten = true;
      },
    });
    assert.equal(rewritten, false, 'the servos already hold this calibration');
    const obs = await robot.observe();
    assert.ok(Math.abs(obs.positions.shoulder_pan) < 1, 'the middle pose reads about 0°');
  });

  test('finishing before the joints moved names them and keeps recording; cancel ends without a calibration', async () => {
    const sim = new FeetechBusSim();
    const bus = new FeetechBus(new SimTransport(sim));
    const steps: CalibrationStep[] = [];
    let finishes = 0;
    const user: CalibrationUser = {
      onStep: (s) => steps.push(s),
      awaitMiddle: async () => 'continue',
      awaitRecordingDone: async () => (finishes++ === 0 ? 'finish' : 'cancel'),
    };
    assert.equal(await runCalibration(bus, user, { pollMs: 5 }), undefined);
    const named = steps
      .flatMap((s) => s.problems)
      .filter((p) => p.kind === 'notMoved')
      .map((p) => p.motor);
    assert.deepEqual(named.sort(), SO100_MOTORS.filter((m) => m !== 'wrist_roll').sort());
    assert.equal(steps.at(-1)?.state.phase, 'cancelled');
    await bus.close();
  });

  test('cancel at the middle pose stops before anything is homed', async () => {
    const sim = new FeetechBusSim();
    const bus = new FeetechBus(new SimTransport(sim));
    const user: CalibrationUser = {
      onStep: () => {},
      awaitMiddle: async () => 'cancel',
      awaitRecordingDone: async () => 'cancel',
    };
    assert.equal(await runCalibration(bus, user), undefined);
    assert.equal(sim.servo(1)!.readRegister('Homing_Offset'), 0);
    await bus.close();
  });
});
