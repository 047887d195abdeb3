import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SO100_GEOMETRY as G,
  SO100_JOINT_LIMITS,
  forwardKinematics,
  inverseKinematics,
  jawGapOf,
} from '../../src/core/scene/armKinematics';
import { type Vec3, distance, length, vec3 } from '../../src/core/scene/vec3';

function near(actual: Vec3, expected: Vec3, tol = 1e-9, what = 'point'): void {
  assert.ok(
    distance(actual, expected) <= tol,
    `${what}: got (${actual.x}, ${actual.y}, ${actual.z}), expected (${expected.x}, ${expected.y}, ${expected.z})`,
  );
}

const shoulder = vec3(G.shoulderForward, 0, G.shoulderHeight);

test('all zeros: upper arm vertical, forearm and gripper horizontal and forward', () => {
  const p = forwardKinematics([0, 0, 0, 0, 0, 0]);
  near(p.shoulder, shoulder);
  near(p.elbow, vec3(G.shoulderForward, 0, G.shoulderHeight + G.upperArm));
  near(p.wrist, vec3(G.shoulderForward + G.forearm, 0, G.shoulderHeight + G.upperArm));
  near(p.tip, vec3(G.shoulderForward + G.forearm + G.wristToTip, 0, G.shoulderHeight + G.upperArm));
  near(p.toolAxis, vec3(1, 0, 0));
  near(p.jawAxis, vec3(0, 1, 0));
  assert.equal(p.jawGap, 0);
  assert.ok(Math.abs(p.pitchDeg) < 1e-9);
});

test('shoulder_pan ±90° turns the whole arm to the left (+y) or right (−y)', () => {
  const reach = G.shoulderForward + G.forearm + G.wristToTip;
  const z = G.shoulderHeight + G.upperArm;
  near(forwardKinematics([90, 0, 0, 0, 0, 0]).tip, vec3(0, reach, z), 1e-9, 'pan +90');
  near(forwardKinematics([-90, 0, 0, 0, 0, 0]).tip, vec3(0, -reach, z), 1e-9, 'pan −90');
});

test('shoulder_lift ±90° lays the upper arm forward or backward; the rest of the chain follows', () => {
  const fwd = forwardKinematics([0, 90, 0, 0, 0, 0]);
  near(fwd.elbow, vec3(G.shoulderForward + G.upperArm, 0, G.shoulderHeight));
  near(fwd.wrist, vec3(G.shoulderForward + G.upperArm, 0, G.shoulderHeight - G.forearm));
  near(fwd.toolAxis, vec3(0, 0, -1));
  const back = forwardKinematics([0, -90, 0, 0, 0, 0]);
  near(back.elbow, vec3(G.shoulderForward - G.upperArm, 0, G.shoulderHeight));
  near(back.toolAxis, vec3(0, 0, 1));
});

test('elbow_flex and wrist_flex at ±90° point the next link down or up', () => {
  const elbowDown = forwardKinematics([0, 0, 90, 0, 0, 0]);
  near(elbowDown.wrist, vec3(G.shoulderForward, 0, G.shoulderHeight + G.upperArm - G.forearm));
  const elbowUp = forwardKinematics([0, 0, -90, 0, 0, 0]);
  near(elbowUp.wrist, vec3(G.shoulderForward, 0, G.shoulderHeight + G.upperArm + G.forearm));
  const wristDown = forwardKinematics([0, 0, 0, 90, 0, 0]);
  near(wristDown.tip, vec3(G.shoulderForward + G.forearm, 0, G.shoulderHeight + G.upperArm - G.wristToTip));
  assert.ok(Math.abs(wristDown.pitchDeg + 90) < 1e-9);
  assert.ok(Math.abs(forwardKinematics([0, 0, 0, -90, 0, 0]).pitchDeg - 90) < 1e-9);
});

test('wrist_roll turns the jaws about the tool axis without moving the tip', () => {
  const rolled = forwardKinematics([0, 0, 0, 0, 90, 0]);
  near(rolled.tip, forwardKinematics([0, 0, 0, 0, 0, 0]).tip);
  near(rolled.jawAxis, vec3(0, 0, 1));
});

test('the jaw gap grows with the gripper value from closed (0) to open (100) and is clamped', () => {
  assert.equal(jawGapOf(0), 0);
  assert.equal(jawGapOf(100), G.maxJawGap);
  assert.ok(jawGapOf(30) < jawGapOf(60));
  assert.equal(jawGapOf(-20), 0);
  assert.equal(jawGapOf(150), G.maxJawGap);
});

const jointsArb = fc.tuple(...SO100_JOINT_LIMITS.map(([lo, hi]) => fc.double({ min: lo, max: hi, noNaN: true })));

test('links keep their lengths and the gripper frame stays orthonormal for any joint state', () => {
  fc.assert(
    fc.property(jointsArb, (q) => {
      const p = forwardKinematics(q);
      assert.ok(Math.abs(distance(p.shoulder, p.elbow) - G.upperArm) < 1e-9);
      assert.ok(Math.abs(distance(p.elbow, p.wrist) - G.forearm) < 1e-9);
      assert.ok(Math.abs(distance(p.wrist, p.tip) - G.wristToTip) < 1e-9);
      for (const axis of [p.toolAxis, p.jawAxis, p.normal]) assert.ok(Math.abs(length(axis) - 1) < 1e-9);
      const d = (a: Vec3, b: Vec3) => a.x * b.x + a.y * b.y + a.z * b.z;
      assert.ok(
        Math.abs(d(p.toolAxis, p.jawAxis)) < 1e-9 &&
          Math.abs(d(p.toolAxis, p.normal)) < 1e-9 &&
          Math.abs(d(p.jawAxis, p.normal)) < 1e-9,
      );
    }),
  );
});

test('IK then FK lands on the target tip and pitch for reachable targets (within limits)', () => {
  let solved = 0;
  fc.assert(
    fc.property(
      fc.double({ min: 0.1, max: 0.3, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.double({ min: 0.0, max: 0.2, noNaN: true }),
      fc.constantFrom(-90, -70, -45, 0),
      (r, angle, z, pitch) => {
        const target = vec3(r * Math.cos(angle), r * Math.sin(angle), z);
        const ik = inverseKinematics(target, pitch, 10);
        if (!ik.ok) return;
        solved++;
        ik.joints.forEach((v, j) => assert.ok(v >= SO100_JOINT_LIMITS[j][0] && v <= SO100_JOINT_LIMITS[j][1]));
        const p = forwardKinematics([...ik.joints, 50]);
        near(p.tip, target, 1e-6, 'tip');
        assert.ok(Math.abs(p.pitchDeg - pitch) < 1e-6);
        assert.ok(Math.abs(ik.joints[4] - 10) < 1e-12);
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(solved > 100, `only ${solved} of 300 workspace targets were solved`);
});

test('FK then IK reproduces the tip of any pose (possibly with the other elbow branch)', () => {
  let solved = 0;
  fc.assert(
    fc.property(jointsArb, (q) => {
      const p = forwardKinematics(q);
      const ik = inverseKinematics(p.tip, p.pitchDeg);
      if (!ik.ok) return; // e.g. the elbow-up twin would leave the joint limits
      solved++;
      near(forwardKinematics([...ik.joints, 0]).tip, p.tip, 1e-6, 'tip');
    }),
    { numRuns: 200 },
  );
  assert.ok(solved > 50, `only ${solved} of 200 poses were solved`);
});

test('targets out of reach or behind the limits are reported, not silently clamped', () => {
  const far = inverseKinematics(vec3(1, 0, 0.1), -90);
  assert.equal(far.ok, false);
  if (!far.ok) {
    assert.equal(far.reason, 'out-of-reach');
    assert.match(far.message, /out of the arm's reach/);
  }
  const behind = inverseKinematics(vec3(-0.1, 0, 0), -90);
  assert.equal(behind.ok, false);
  if (!behind.ok) assert.equal(behind.reason, 'joint-limit');
  const tooClose = inverseKinematics(vec3(G.shoulderForward + G.wristToTip, 0, G.shoulderHeight), 0);
  assert.equal(tooClose.ok, false);
});
