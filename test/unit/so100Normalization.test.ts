import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  degreesToUnits,
  normalizedBounds,
  normalizePosition,
  normalizePositions,
  NormalizationError,
  normModeFor,
  unitsPerRawStep,
  unnormalizePosition,
  unnormalizePositions,
  perMotor,
  type MotorRange,
  type NormMode,
  type So100Calibration,
} from '../../src/core/so100';
import { SO100_FOLLOWER } from '../../src/core/robots';

const R: MotorRange = { range_min: 1000, range_max: 3000, drive_mode: 0 };
const INV: MotorRange = { ...R, drive_mode: 1 };

test('reference worked examples: raw 2048 → 4.2198°, 10° → raw 2113, gripper 25 % → raw 1500', () => {
  assert.ok(Math.abs(normalizePosition(2048, R, 'DEGREES') - 4.2198) < 5e-5);
  assert.equal(normalizePosition(2048, R, 'DEGREES'), (48 * 360) / 4095);
  assert.equal(unnormalizePosition(10, R, 'DEGREES'), 2113); // 2113.75 truncated
  assert.equal(unnormalizePosition(25, R, 'RANGE_0_100'), 1500);
  assert.equal(normalizePosition(1500, R, 'RANGE_0_100'), 25);
});

test('goldens computed with the Python formulas on an asymmetric range 1234..2871', () => {
  const r: MotorRange = { range_min: 1234, range_max: 2871, drive_mode: 0 };
  assert.equal(normalizePosition(2000, r, 'DEGREES'), -4.615384615384615);
  assert.equal(unnormalizePosition(-37.5, r, 'DEGREES'), 1625);
  assert.equal(unnormalizePosition(-12.34, r, 'RANGE_M100_100'), 1951);
  assert.equal(normalizePosition(2000, r, 'RANGE_M100_100'), -6.41417226634087);
  assert.equal(normalizePosition(2000, r, 'RANGE_0_100'), 46.792913866829565);
  assert.equal(unnormalizePosition(33.3, R, 'RANGE_M100_100'), 2333);
});

test('write truncates toward zero like Python int(), not toward −∞', () => {
  const small: MotorRange = { range_min: 0, range_max: 100, drive_mode: 0 }; // mid 50
  assert.equal(unnormalizePosition(-10, small, 'DEGREES'), -63); // −63.75 → −63 (Math.floor would give −64)
  // raw −0.5 truncates to −0; a servo position must come out as plain 0
  const tiny: MotorRange = { range_min: 0, range_max: 2, drive_mode: 0 }; // mid 1
  assert.ok(Object.is(unnormalizePosition((-1.5 * 360) / 4095, tiny, 'DEGREES'), 0));
});

test('RANGE modes clamp on read and on write; DEGREES clamps neither', () => {
  assert.equal(normalizePosition(500, R, 'RANGE_M100_100'), -100);
  assert.equal(normalizePosition(3500, R, 'RANGE_0_100'), 100);
  assert.equal(unnormalizePosition(150, R, 'RANGE_M100_100'), 3000);
  assert.equal(unnormalizePosition(-5, R, 'RANGE_0_100'), 1000);
  assert.equal(normalizePosition(3500, R, 'DEGREES'), (1500 * 360) / 4095);
  assert.equal(unnormalizePosition(180, R, 'DEGREES'), Math.trunc((180 * 4095) / 360 + 2000));
});

test('drive_mode inverts RANGE modes and is ignored by DEGREES', () => {
  assert.equal(normalizePosition(1500, INV, 'RANGE_M100_100'), 50);
  assert.equal(normalizePosition(1500, INV, 'RANGE_0_100'), 75);
  assert.equal(unnormalizePosition(25, INV, 'RANGE_0_100'), 2500);
  assert.equal(unnormalizePosition(-50, INV, 'RANGE_M100_100'), 2500);
  assert.equal(normalizePosition(2048, INV, 'DEGREES'), normalizePosition(2048, R, 'DEGREES'));
  assert.equal(unnormalizePosition(10, INV, 'DEGREES'), 2113);
});

test('the gripper is always 0..100; body joints follow the robot setting', () => {
  assert.equal(normModeFor('gripper', 'DEGREES'), 'RANGE_0_100');
  assert.equal(normModeFor('gripper', 'RANGE_M100_100'), 'RANGE_0_100');
  assert.equal(normModeFor('elbow_flex', 'DEGREES'), 'DEGREES');
  assert.equal(normModeFor('elbow_flex', 'RANGE_M100_100'), 'RANGE_M100_100');
  const cal = perMotor((_m, i) => ({
    id: i + 1,
    drive_mode: 0 as const,
    homing_offset: 0,
    range_min: 1000,
    range_max: 3000,
  })) as So100Calibration;
  const raw = perMotor(() => 1500);
  const deg = normalizePositions(SO100_FOLLOWER, raw, cal, 'DEGREES');
  const pct = normalizePositions(SO100_FOLLOWER, raw, cal, 'RANGE_M100_100');
  assert.equal(deg.shoulder_pan, (-500 * 360) / 4095);
  assert.equal(pct.shoulder_pan, -50);
  assert.equal(deg.gripper, 25);
  assert.equal(pct.gripper, 25);
  assert.deepEqual(unnormalizePositions(SO100_FOLLOWER, pct, cal, 'RANGE_M100_100'), raw);
});

test('an empty range and a non-finite target raise errors naming the motor', () => {
  const empty: MotorRange = { range_min: 2000, range_max: 2000, drive_mode: 0 };
  assert.throws(
    () => normalizePosition(2000, empty, 'DEGREES', 'wrist_flex'),
    (e: unknown) => e instanceof NormalizationError && e.motor === 'wrist_flex' && /so100 calibrate/.test(e.message),
  );
  assert.throws(() => unnormalizePosition(Number.NaN, R, 'RANGE_M100_100', 'gripper'), /gripper: cannot convert NaN/);
});

test('bounds and unit conversion', () => {
  assert.deepEqual(normalizedBounds(R, 'RANGE_M100_100'), { low: -100, high: 100 });
  assert.deepEqual(normalizedBounds(R, 'RANGE_0_100'), { low: 0, high: 100 });
  const b = normalizedBounds(R, 'DEGREES');
  assert.equal(b.low, (-1000 * 360) / 4095);
  assert.equal(b.high, (1000 * 360) / 4095);
  assert.equal(degreesToUnits(8, R, 'DEGREES'), 8);
  // 2000 steps span 200 units, so 8° (≈ 91 steps) is ≈ 9.1 units
  assert.ok(Math.abs(degreesToUnits(8, R, 'RANGE_M100_100') - (8 * 4095) / 360 / 10) < 1e-9);
});

const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 4095 }), fc.constantFrom<0 | 1>(0, 1))
  .filter(([a, b]) => a !== b)
  .map(([a, b, d]): MotorRange => ({ range_min: Math.min(a, b), range_max: Math.max(a, b), drive_mode: d }));
const modeArb = fc.constantFrom<NormMode>('DEGREES', 'RANGE_M100_100', 'RANGE_0_100');

test('property: raw → normalised → raw is within one raw step', () => {
  fc.assert(
    fc.property(rangeArb, modeArb, fc.double({ min: 0, max: 1, noNaN: true }), (r, mode, t) => {
      const raw = r.range_min + Math.round(t * (r.range_max - r.range_min));
      const back = unnormalizePosition(normalizePosition(raw, r, mode), r, mode);
      assert.ok(Math.abs(back - raw) <= 1, `${raw} → ${back} in ${mode} ${JSON.stringify(r)}`);
    }),
    { numRuns: 2000 },
  );
});

test('property: normalised → raw → normalised is within one raw step of the (clamped) target', () => {
  fc.assert(
    fc.property(rangeArb, modeArb, fc.double({ min: 0, max: 1, noNaN: true }), (r, mode, t) => {
      const { low, high } = normalizedBounds(r, mode);
      const v = low + t * (high - low);
      const again = normalizePosition(unnormalizePosition(v, r, mode), r, mode);
      assert.ok(Math.abs(again - v) <= unitsPerRawStep(r, mode) * (1 + 1e-9), `${v} → ${again} in ${mode}`);
    }),
    { numRuns: 2000 },
  );
});
