// The cube as an obstacle for the gripper servo: where closing jaws meet it, and a grasp that stalls on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inverseKinematics } from '../../src/core/scene/armKinematics';
import { CUBE_SIZE, CubeTask } from '../../src/core/scene/cubeTask';
import { gripperObstacle, gripperValueForGap } from '../../src/core/scene/gripperContact';
import { vec3 } from '../../src/core/scene/vec3';
import { Sts3215Servo } from '../../src/core/sim';
import { normalizePosition, simulatedArmCalibration, type So100Calibration } from '../../src/core/so100';

const START = { x: 0.2, y: 0.03 };
const cal = simulatedArmCalibration();

function bodyAt(x: number, y: number, z: number): number[] {
  const ik = inverseKinematics(vec3(x, y, z), -90);
  assert.ok(ik.ok, ik.ok ? '' : ik.message);
  return [...ik.joints];
}
const atCube = bodyAt(START.x, START.y, CUBE_SIZE / 2);

test('gripper value for a gap: linear in the jaw gap, clamped to 0–100', () => {
  assert.ok(Math.abs(gripperValueForGap(CUBE_SIZE) - (100 * 0.025) / 0.07) < 1e-9);
  assert.equal(gripperValueForGap(0), 0);
  assert.equal(gripperValueForGap(1), 100);
});

test('no cube between the jaws → null; open jaws around the cube → a lower bound at the contact position', () => {
  const task = new CubeTask({ cubeStart: START });
  assert.equal(gripperObstacle(task, cal), null, 'nothing yet');
  task.step([...bodyAt(START.x, START.y, 0.08), 100], 33);
  assert.equal(gripperObstacle(task, cal), null, 'jaws open high above the cube');
  task.step([...atCube, 100], 33);
  assert.equal(task.cubeBetweenJaws, true);
  // Simulated gripper: range 1934–3186, offset 0; contact at 0.025 / 0.07 of the range (LeRobot's int() truncation).
  const expected = Math.trunc(1934 + (0.025 / 0.07) * (3186 - 1934));
  assert.deepEqual(gripperObstacle(task, cal), { lower: expected });
});

test('the obstacle stays while the cube is held and goes once it is released away from the jaws', () => {
  const task = new CubeTask({ cubeStart: START });
  for (const g of [100, 60, 30, 20]) task.step([...atCube, g], 33);
  assert.equal(task.grasped, true);
  const lifted = bodyAt(START.x, START.y, 0.1);
  task.step([...lifted, 20], 33);
  assert.ok(gripperObstacle(task, cal), 'held in the air');
  task.step([...lifted, 100], 33); // open: the cube drops to the table, far below the jaws
  assert.equal(task.grasped, false);
  assert.equal(gripperObstacle(task, cal), null);
});

test('homing offset shifts the contact into the encoder frame (wrapping); drive_mode 1 makes it an upper bound', () => {
  const task = new CubeTask({ cubeStart: START });
  task.step([...atCube, 100], 33);
  const base = gripperObstacle(task, cal)!.lower!;
  const shifted: So100Calibration = { ...cal, gripper: { ...cal.gripper, homing_offset: 2000 } };
  assert.deepEqual(gripperObstacle(task, shifted), { lower: (base + 2000) % 4096 });
  const inverted: So100Calibration = { ...cal, gripper: { ...cal.gripper, drive_mode: 1 } };
  const upper = gripperObstacle(task, inverted)!.upper!;
  assert.ok(
    Math.abs(normalizePosition(upper, inverted.gripper, 'RANGE_0_100') - gripperValueForGap(CUBE_SIZE)) < 0.1,
    'same gripper value, mirrored',
  );
});

test('with the obstacle set every tick, the gripper servo stalls on the cube and the task holds it', () => {
  const task = new CubeTask({ cubeStart: START });
  const servo = new Sts3215Servo({ id: 6, initialPosition: cal.gripper.range_max });
  servo.writeRegister('Torque_Enable', 1);
  servo.writeRegister('Goal_Position', cal.gripper.range_max);
  const gripperValue = () => normalizePosition(servo.readRegister('Present_Position'), cal.gripper, 'RANGE_0_100');
  let lowest = Infinity;
  for (let tick = 0; tick < 60; tick++) {
    if (tick === 5) servo.writeRegister('Goal_Position', cal.gripper.range_min); // "close" well past the cube
    task.step([...atCube, gripperValue()], 33);
    servo.obstacle = gripperObstacle(task, cal);
    servo.advance(33);
    lowest = Math.min(lowest, servo.actualPosition);
  }
  const contact = gripperObstacle(task, cal)!.lower!;
  assert.equal(task.grasped, true, task.reason);
  assert.ok(lowest >= contact - 1e-9, `never closed past the cube (lowest ${lowest}, contact ${contact})`);
  assert.ok(Math.abs(servo.readRegister('Present_Position') - contact) <= 1, 'resting on the cube');
  assert.ok(Math.abs(servo.readRegister('Present_Load')) > 100, `stalled: load ${servo.readRegister('Present_Load')}`);
  assert.equal(servo.readRegister('Moving'), 0);
});
