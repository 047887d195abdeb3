import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inverseKinematics } from '../../src/core/scene/armKinematics';
import { CUBE_SIZE, CubeTask, seededCubeStart } from '../../src/core/scene/cubeTask';
import { type Vec3, vec3 } from '../../src/core/scene/vec3';

/** Body joints putting the tip (pointing straight down) at a point; fails the test if unreachable. */
function bodyAt(p: Vec3): number[] {
  const ik = inverseKinematics(p, -90);
  assert.ok(ik.ok, ik.ok ? '' : ik.message);
  return [...ik.joints];
}

/** Steps the task through gripper values at a fixed body pose. */
function sweepGripper(task: CubeTask, body: number[], from: number, to: number): void {
  const n = 10;
  for (let i = 0; i <= n; i++) task.step([...body, from + ((to - from) * i) / n], 33);
}

const START = { x: 0.2, y: 0.03 };
const cubeAt = vec3(START.x, START.y, CUBE_SIZE / 2);

test('open jaws closing around the cube grasp it', () => {
  const task = new CubeTask({ cubeStart: START });
  const body = bodyAt(cubeAt);
  sweepGripper(task, body, 100, 0);
  assert.equal(task.grasped, true);
  assert.match(task.reason, /held 0\.0 cm above the table/);
});

test('jaws that come down already closed do not grasp; opening and closing again does', () => {
  const task = new CubeTask({ cubeStart: START });
  const above = bodyAt(vec3(cubeAt.x, cubeAt.y, 0.1));
  const at = bodyAt(cubeAt);
  task.step([...above, 0], 33);
  task.step([...at, 0], 33);
  sweepGripper(task, at, 0, 0);
  assert.equal(task.grasped, false);
  sweepGripper(task, at, 0, 100);
  assert.equal(task.grasped, false);
  sweepGripper(task, at, 100, 0);
  assert.equal(task.grasped, true);
});

test('closing beside, above or off to the side of the cube grasps nothing', () => {
  for (const miss of [
    vec3(cubeAt.x + 0.05, cubeAt.y, cubeAt.z),
    vec3(cubeAt.x, cubeAt.y, cubeAt.z + 0.04),
    vec3(cubeAt.x, cubeAt.y + 0.05, cubeAt.z),
  ]) {
    const task = new CubeTask({ cubeStart: START });
    sweepGripper(task, bodyAt(miss), 100, 0);
    assert.equal(task.grasped, false, `grasped from (${miss.x}, ${miss.y}, ${miss.z})`);
    assert.deepEqual(task.cubeCenter, cubeAt);
  }
});

test('jaws opened only a little (narrower than the cube) do not grasp it', () => {
  const task = new CubeTask({ cubeStart: START });
  sweepGripper(task, bodyAt(cubeAt), 30, 0);
  assert.equal(task.grasped, false);
});

test('a held cube follows the gripper and falls back onto the table when released', () => {
  const task = new CubeTask({ cubeStart: START });
  sweepGripper(task, bodyAt(cubeAt), 100, 0);
  const lifted = bodyAt(vec3(0.18, -0.02, 0.09));
  task.step([...lifted, 0], 33);
  assert.ok(Math.abs(task.cubeCenter.x - 0.18) < 0.02 && Math.abs(task.cubeCenter.y + 0.02) < 0.02);
  assert.ok(task.cubeHeight > 0.06, `cube bottom at ${task.cubeHeight} m`);
  sweepGripper(task, lifted, 0, 100);
  assert.equal(task.grasped, false);
  assert.equal(task.cubeCenter.z, CUBE_SIZE / 2);
  assert.ok(Math.abs(task.cubeCenter.x - 0.18) < 0.02, 'it drops straight down');
  assert.match(task.reason, /released/);
});

test('success needs the cube lifted at least 5 cm and held for the hold time', () => {
  const task = new CubeTask({ cubeStart: START, holdMs: 300 });
  sweepGripper(task, bodyAt(cubeAt), 100, 0);
  const low = bodyAt(vec3(cubeAt.x, cubeAt.y, cubeAt.z + 0.03));
  for (let i = 0; i < 30; i++) task.step([...low, 0], 33);
  assert.equal(task.succeeded, false, 'a 3 cm lift is not enough');
  const high = bodyAt(vec3(cubeAt.x, cubeAt.y, cubeAt.z + 0.08));
  let ticks = 0;
  while (!task.succeeded && ticks < 100) {
    task.step([...high, 0], 33);
    ticks++;
  }
  assert.equal(task.succeeded, true);
  assert.equal(ticks, Math.ceil(300 / 33), 'success comes once the hold time has passed');
  // The reason says what happened; the word "success" is the caller's to add (it is not repeated on screen).
  assert.match(task.reason, /^the cube was lifted \d/);
});

test('seeded start positions are reproducible, differ between seeds and are reachable and liftable from above', () => {
  assert.deepEqual(seededCubeStart(7), seededCubeStart(7));
  const starts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(seededCubeStart);
  assert.ok(new Set(starts.map((s) => `${s.x},${s.y}`)).size === starts.length);
  for (const s of starts) {
    assert.equal(s.z, CUBE_SIZE / 2);
    const pickable = [-90, -80, -70, -60].some(
      (p) => inverseKinematics(s, p).ok && inverseKinematics(vec3(s.x, s.y, s.z + 0.1), p).ok,
    );
    assert.ok(pickable, `cube at (${s.x}, ${s.y}) cannot be reached and lifted from above`);
  }
  assert.deepEqual(new CubeTask({ seed: 4 }).cubeCenter, seededCubeStart(4));
});
