import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_ROBOT_TYPE,
  describeRobot,
  isRobotType,
  perMotorOf,
  positionKeysOf,
  recordOf,
  robotDescription,
  RobotDescriptionError,
  ROBOTS,
  SO100_FOLLOWER,
  so100ArmMotors,
  UnknownRobotError,
  vectorOf,
  type MotorRecord,
  type RobotDescription,
} from '../../src/core/robots';
import { SO100_ROBOT_TYPE } from '../../src/core/lerobot';
import { FeetechBusSim } from '../../src/core/sim';
import {
  ActionSafety,
  normalizePositions,
  SafetyConfigError,
  SO100_MOTORS,
  simulatedArmCalibration,
  unnormalizePositions,
} from '../../src/core/so100';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { BIMANUAL, bimanualCalibration, type BimanualMotor } from '../helpers/bimanualSo100';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';

test('the SO-100 follower is the registry default; its motors, ids and keys are the ones the rest of the code uses', () => {
  assert.equal(DEFAULT_ROBOT_TYPE, 'so100_follower');
  assert.equal(robotDescription('so100_follower'), SO100_FOLLOWER);
  assert.deepEqual(SO100_FOLLOWER.motors, SO100_MOTORS);
  assert.deepEqual(
    SO100_FOLLOWER.motors.map((m) => [SO100_FOLLOWER.motor[m].bus, SO100_FOLLOWER.motor[m].id]),
    SO100_MOTORS.map((_m, i) => ['arm', i + 1]),
  );
  assert.deepEqual(
    positionKeysOf(SO100_FOLLOWER),
    SO100_MOTORS.map((m) => `${m}.pos`),
  );
  assert.deepEqual(SO100_FOLLOWER.calibrationIds('my_arm'), { arm: 'my_arm' });
  assert.equal(SO100_ROBOT_TYPE, 'so100_follower', "the export's default robot_type comes from the registry");
  for (const [type, description] of Object.entries(ROBOTS)) assert.equal(description.type, type);
});

test('an unknown robot type is refused with the known ones listed', () => {
  assert.equal(isRobotType('bi_so100_follower'), false);
  assert.throws(
    () => robotDescription('koch_follower'),
    (err: unknown) => {
      assert.ok(err instanceof UnknownRobotError);
      assert.match(err.message, /unknown robot type "koch_follower".*so100_follower/);
      return true;
    },
  );
});

test('a description that contradicts itself is refused with every problem named', () => {
  const left = so100ArmMotors('', 'left');
  assert.throws(
    () =>
      describeRobot({
        type: 'broken',
        label: 'broken',
        buses: ['left', 'right'],
        motors: [...left, { ...left[0], id: 2 }],
        calibrationIds: (id) => ({ left: id }),
      }),
    (err: unknown) => {
      assert.ok(err instanceof RobotDescriptionError);
      assert.match(err.message, /motor "shoulder_pan" is listed twice/);
      assert.match(err.message, /two motors have id 2 on bus "left"/);
      assert.match(err.message, /bus "right" has no motors/);
      return true;
    },
  );
});

test('a bimanual description: twelve left_/right_ keys, two buses with ids 1–6 each, one calibration file per arm', () => {
  assert.equal(BIMANUAL.motors.length, 12);
  assert.deepEqual(positionKeysOf(BIMANUAL).slice(0, 2), ['left_shoulder_pan.pos', 'left_shoulder_lift.pos']);
  assert.deepEqual(positionKeysOf(BIMANUAL).slice(6, 8), ['right_shoulder_pan.pos', 'right_shoulder_lift.pos']);
  assert.deepEqual(
    BIMANUAL.motors.map((m) => `${BIMANUAL.motor[m].bus}:${BIMANUAL.motor[m].id}`),
    ['left', 'right'].flatMap((bus) => [1, 2, 3, 4, 5, 6].map((id) => `${bus}:${id}`)),
  );
  assert.equal(BIMANUAL.motor.right_gripper.calibrationName, 'gripper');
  assert.deepEqual(BIMANUAL.calibrationIds('pair'), { left: 'pair_left', right: 'pair_right' });
});

test('vectors of a robot are in its motor order: vectorOf / recordOf round trip, a wrong length names the robot', () => {
  // Keys listed out of order: the vector follows the description, not the record's key order.
  const record = perMotorOf(BIMANUAL, (_m, i) => i * 10);
  const shuffled = Object.fromEntries(Object.entries(record).reverse()) as MotorRecord<BimanualMotor, number>;
  const vector = vectorOf(BIMANUAL, shuffled);
  assert.deepEqual(vector, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
  const back = recordOf(BIMANUAL, Float64Array.from(vector));
  assert.deepEqual(Object.keys(back), [...BIMANUAL.motors]);
  assert.equal(back.left_shoulder_pan, 0);
  assert.equal(back.right_shoulder_pan, 60);
  assert.equal(back.right_gripper, 110);
  assert.deepEqual(vectorOf(SO100_FOLLOWER, recordOf(SO100_FOLLOWER, [1, 2, 3, 4, 5, 6])), [1, 2, 3, 4, 5, 6]);
  assert.throws(
    () => recordOf(BIMANUAL, new Float64Array(6)),
    (err: unknown) =>
      err instanceof RangeError &&
      err.message.includes('bimanual SO-100 has 12 values') &&
      err.message.includes('left_shoulder_pan, ') &&
      err.message.includes('right_gripper') &&
      err.message.endsWith('got 6.'),
  );
});

test('normalisation of a bimanual robot: each arm by its own calibration, raw ↔ normalised round trip', () => {
  const cal = bimanualCalibration();
  const raw = perMotorOf(BIMANUAL, (m) => (m.startsWith('left_') ? 2148 : 1948));
  const deg = normalizePositions(BIMANUAL, raw, cal, 'DEGREES');
  // 100 encoder steps from the middle (2048) is 100 × 360 / 4095 degrees on each body joint.
  assert.ok(Math.abs(deg.left_elbow_flex - (100 * 360) / 4095) < 1e-9);
  assert.ok(Math.abs(deg.right_elbow_flex + (100 * 360) / 4095) < 1e-9);
  // The grippers are 0–100 whatever the body setting, as on one arm.
  const onOneArm = normalizePositions(
    SO100_FOLLOWER,
    perMotorOf(SO100_FOLLOWER, () => 2148),
    simulatedArmCalibration(),
    'DEGREES',
  );
  assert.equal(deg.left_gripper, onOneArm.gripper);
  assert.deepEqual(unnormalizePositions(BIMANUAL, deg, cal, 'DEGREES'), raw);
});

test('safety of a bimanual robot: per-motor default caps, every motor required, maxStep keyed by its own names', () => {
  const cal = bimanualCalibration();
  const zeros = (): MotorRecord<BimanualMotor, number> => perMotorOf(BIMANUAL, () => 0);
  const safety = new ActionSafety(BIMANUAL, cal, { bodyMode: 'DEGREES' });
  const r = safety.check({ ...zeros(), left_elbow_flex: 30, right_gripper: 90 }, zeros());
  assert.ok(r.ok);
  // Default caps from the description: 8° per tick for a body joint, 20 % per tick for a gripper.
  assert.equal(r.sent.left_elbow_flex, 8);
  assert.equal(r.sent.right_gripper, 20);
  assert.deepEqual(
    r.clamped.map((c) => [c.motor, c.reason]),
    [
      ['left_elbow_flex', 'step'],
      ['right_gripper', 'step'],
    ],
  );

  const { right_wrist_roll: _dropped, ...missing } = zeros();
  const refused = safety.check(missing, zeros());
  assert.ok(!refused.ok);
  assert.equal(refused.rejection.motor, 'right_wrist_roll');
  assert.equal(refused.rejection.reason, 'missing');

  const tight = new ActionSafety(BIMANUAL, cal, { bodyMode: 'DEGREES', maxStep: { right_wrist_flex: 2 } });
  const t = tight.check({ ...zeros(), left_wrist_flex: 5, right_wrist_flex: 5 }, zeros());
  assert.ok(t.ok);
  assert.equal(t.sent.left_wrist_flex, 5);
  assert.equal(t.sent.right_wrist_flex, 2);

  assert.throws(
    () => new ActionSafety(BIMANUAL, cal, { bodyMode: 'DEGREES', maxStep: { wrist_flex: 2 } as never }),
    (err: unknown) => {
      assert.ok(err instanceof SafetyConfigError);
      assert.match(
        err.message,
        /"wrist_flex" is not a motor of the bimanual SO-100 \(use left_shoulder_pan, .*right_gripper\)/,
      );
      return true;
    },
  );
});

test('the one-bus SO-100 driver refuses a two-bus description before it touches the bus', async () => {
  const sim = new FeetechBusSim();
  const bus = new FeetechBus(new SimTransport(sim));
  try {
    await assert.rejects(
      So100Robot.connect(bus, {
        description: BIMANUAL as unknown as RobotDescription<(typeof SO100_MOTORS)[number]>,
        calibration: simulatedArmCalibration(),
        bodyMode: 'DEGREES',
      }),
      (err: unknown) => {
        assert.ok(err instanceof RobotDescriptionError);
        assert.match(err.message, /drives one bus, but "bi_so100_follower" has 2 \(left, right\)/);
        return true;
      },
    );
    assert.equal(bus.stats.transactions, 0, 'nothing was sent');
  } finally {
    await bus.close();
  }
});
