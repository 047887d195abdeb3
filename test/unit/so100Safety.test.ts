import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ActionSafety,
  DEFAULT_BODY_MAX_STEP_DEGREES,
  DEFAULT_GRIPPER_MAX_STEP_PERCENT,
  degreesToUnits,
  normalizedBounds,
  NormalizationError,
  perMotor,
  SafetyConfigError,
  SO100_MOTORS,
  type ClampEvent,
  type MotorName,
  type PerMotor,
  type So100Calibration,
} from '../../src/core/so100';
import { SO100_FOLLOWER } from '../../src/core/robots';

// Body joints 1000..3000 (±87.9°), gripper 2000..3000.
const CAL: So100Calibration = perMotor((m, i) => ({
  id: i + 1,
  drive_mode: 0 as const,
  homing_offset: 0,
  range_min: m === 'gripper' ? 2000 : 1000,
  range_max: 3000,
}));
const HIGH_DEG = (1000 * 360) / 4095;
const zeros = (): PerMotor<number> => perMotor((m) => (m === 'gripper' ? 50 : 0));

test('a target within range and step passes unchanged with no clamp events', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES' });
  const target = { ...zeros(), elbow_flex: 3, gripper: 60 };
  const r = safety.check(target, zeros());
  assert.ok(r.ok);
  assert.deepEqual(r.sent, target);
  assert.deepEqual(r.clamped, []);
});

test('a non-finite value rejects the whole action and names the joint', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES' });
  for (const bad of [Number.NaN, Infinity, -Infinity]) {
    const r = safety.check({ ...zeros(), wrist_flex: bad }, zeros());
    assert.ok(!r.ok);
    assert.equal(r.rejection.motor, 'wrist_flex');
    assert.equal(r.rejection.reason, 'non-finite');
    assert.match(r.rejection.message, /wrist_flex/);
    assert.ok(!('sent' in r));
  }
  const { gripper: _g, ...noGripper } = zeros();
  const missing = safety.check(noGripper, zeros());
  assert.ok(!missing.ok && missing.rejection.reason === 'missing' && missing.rejection.motor === 'gripper');
  const badMeasure = safety.check(zeros(), { ...zeros(), shoulder_pan: Number.NaN });
  assert.ok(!badMeasure.ok && badMeasure.rejection.reason === 'measured-non-finite');
});

test('range clamp in degrees mode uses the calibrated range', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: null });
  const r = safety.check({ ...zeros(), shoulder_lift: 120, elbow_flex: -95 }, zeros());
  assert.ok(r.ok);
  assert.equal(r.sent.shoulder_lift, HIGH_DEG);
  assert.equal(r.sent.elbow_flex, -HIGH_DEG);
  assert.deepEqual(r.clamped, [
    { motor: 'shoulder_lift', wanted: 120, sent: HIGH_DEG, reason: 'range' },
    { motor: 'elbow_flex', wanted: -95, sent: -HIGH_DEG, reason: 'range' },
  ]);
});

test('range clamp in ±100 mode and for the 0..100 gripper', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'RANGE_M100_100', maxStep: null });
  const r = safety.check({ ...zeros(), wrist_roll: 130, gripper: -4 }, zeros());
  assert.ok(r.ok);
  assert.equal(r.sent.wrist_roll, 100);
  assert.equal(r.sent.gripper, 0);
  assert.deepEqual(
    r.clamped.map((c) => [c.motor, c.reason]),
    [
      ['wrist_roll', 'range'],
      ['gripper', 'range'],
    ],
  );
});

test('default step cap: 8° for body joints, 20 % for the gripper, relative to the measured position', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES' });
  const measured = { ...zeros(), shoulder_pan: 10, gripper: 30 };
  const r = safety.check({ ...measured, shoulder_pan: 40, gripper: 90 }, measured);
  assert.ok(r.ok);
  assert.equal(r.sent.shoulder_pan, 10 + DEFAULT_BODY_MAX_STEP_DEGREES);
  assert.equal(r.sent.gripper, 30 + DEFAULT_GRIPPER_MAX_STEP_PERCENT);
  assert.deepEqual(r.clamped, [
    { motor: 'shoulder_pan', wanted: 40, sent: 18, reason: 'step' },
    { motor: 'gripper', wanted: 90, sent: 50, reason: 'step' },
  ]);
});

test('in ±100 mode the default body cap is 8° converted into range units', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'RANGE_M100_100' });
  const cap = degreesToUnits(8, CAL.elbow_flex, 'RANGE_M100_100');
  assert.ok(cap > 9 && cap < 9.2); // 91 steps of a 2000-step range
  const r = safety.check({ ...zeros(), elbow_flex: -60 }, zeros());
  assert.ok(r.ok);
  assert.equal(r.sent.elbow_flex, -cap);
});

test('a number or a per-motor map overrides the cap (integers accepted); null turns it off', () => {
  const one = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: 5 });
  const r1 = one.check({ ...zeros(), wrist_flex: 30, gripper: 80 }, zeros());
  assert.ok(r1.ok);
  assert.equal(r1.sent.wrist_flex, 5);
  assert.equal(r1.sent.gripper, 55);
  const map = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: { wrist_flex: 2 } });
  const r2 = map.check({ ...zeros(), wrist_flex: 30, elbow_flex: 30 }, zeros());
  assert.ok(r2.ok);
  assert.equal(r2.sent.wrist_flex, 2);
  assert.equal(r2.sent.elbow_flex, DEFAULT_BODY_MAX_STEP_DEGREES);
  const off = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: null });
  const r3 = off.check({ ...zeros(), wrist_flex: 80 }, zeros());
  assert.ok(r3.ok && r3.sent.wrist_flex === 80 && r3.clamped.length === 0);
});

test('bad cap settings throw SafetyConfigError naming the key', () => {
  assert.throws(
    () => new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: 0 }),
    (e: unknown) => e instanceof SafetyConfigError && e.key === 'maxStep',
  );
  assert.throws(
    () => new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES', maxStep: { gripper: -1 } }),
    /maxStep\.gripper must be a positive number/,
  );
  assert.throws(
    () =>
      new ActionSafety(SO100_FOLLOWER, CAL, {
        bodyMode: 'DEGREES',
        maxStep: { elbow: 3 } as Partial<Record<MotorName, number>>,
      }),
    /"elbow" is not a motor of the SO-100 follower arm \(use shoulder_pan, .*gripper\)/,
  );
});

test('a measured position outside the range (degrees reads do not clamp) cannot pull the goal out of range', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES' });
  const measured = { ...zeros(), shoulder_lift: HIGH_DEG + 5 };
  const r = safety.check({ ...measured }, measured);
  assert.ok(r.ok);
  assert.equal(r.sent.shoulder_lift, HIGH_DEG);
  assert.equal(r.clamped[0].reason, 'range');
});

test('property: sent values are always in range, within the step cap, and clamp events match changes', () => {
  const safety = new ActionSafety(SO100_FOLLOWER, CAL, { bodyMode: 'DEGREES' });
  const val = fc.double({ min: -300, max: 300, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(val, { minLength: 6, maxLength: 6 }),
      fc.array(val, { minLength: 6, maxLength: 6 }),
      (t, meas) => {
        const target = perMotor((_m, i) => t[i]);
        const bounds = perMotor((m) => normalizedBounds(CAL[m], m === 'gripper' ? 'RANGE_0_100' : 'DEGREES'));
        // measured positions come from the arm, so keep them in range
        const measured = perMotor((m, i) => Math.min(bounds[m].high, Math.max(bounds[m].low, meas[i])));
        const r = safety.check(target, measured);
        assert.ok(r.ok);
        for (const m of SO100_MOTORS) {
          const cap = m === 'gripper' ? DEFAULT_GRIPPER_MAX_STEP_PERCENT : DEFAULT_BODY_MAX_STEP_DEGREES;
          assert.ok(r.sent[m] >= bounds[m].low && r.sent[m] <= bounds[m].high);
          assert.ok(Math.abs(r.sent[m] - measured[m]) <= cap + 1e-9);
          const event: ClampEvent | undefined = r.clamped.find((c) => c.motor === m);
          assert.equal(event !== undefined, r.sent[m] !== target[m]);
        }
      },
    ),
  );
});

test('a calibration with min == max is refused when the safety gate is built, naming the joint, in every mode', () => {
  const flat: So100Calibration = { ...CAL, wrist_flex: { ...CAL.wrist_flex, range_min: 2047, range_max: 2047 } };
  for (const bodyMode of ['DEGREES', 'RANGE_M100_100'] as const) {
    assert.throws(
      () => new ActionSafety(SO100_FOLLOWER, flat, { bodyMode }),
      (err: unknown) => {
        assert.ok(err instanceof NormalizationError, String(err));
        assert.equal(err.motor, 'wrist_flex');
        assert.match(
          err.message,
          /^wrist_flex: calibrated range 2047\.\.2047 is empty; recalibrate with `so100 calibrate`/,
        );
        return true;
      },
      bodyMode,
    );
  }
  const flatGripper: So100Calibration = { ...CAL, gripper: { ...CAL.gripper, range_min: 3000 } };
  assert.throws(
    () => new ActionSafety(SO100_FOLLOWER, flatGripper, { bodyMode: 'DEGREES' }),
    (err: unknown) => err instanceof NormalizationError && err.motor === 'gripper',
  );
  assert.throws(
    () => normalizedBounds(flat.wrist_flex, 'RANGE_0_100', 'wrist_flex'),
    /^NormalizationError: wrist_flex: calibrated range/,
  );
});
