import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  calibrationMismatches,
  CalibrationFileError,
  fromMotorVector,
  fromPositionRecord,
  motorId,
  parseCalibration,
  perMotor,
  serializeCalibration,
  SO100_MOTOR_SPECS,
  SO100_MOTORS,
  SO100_POSITION_KEYS,
  toMotorVector,
  toPositionRecord,
  type So100Calibration,
} from '../../src/core/so100';

// A file as LeRobot writes it (draccus JSON, indent 4, no trailing newline), typed out by hand.
const LEROBOT_FILE = `{
    "shoulder_pan": {
        "id": 1,
        "drive_mode": 0,
        "homing_offset": -1029,
        "range_min": 757,
        "range_max": 3318
    },
    "shoulder_lift": {
        "id": 2,
        "drive_mode": 0,
        "homing_offset": 1354,
        "range_min": 862,
        "range_max": 3229
    },
    "elbow_flex": {
        "id": 3,
        "drive_mode": 0,
        "homing_offset": -1473,
        "range_min": 871,
        "range_max": 3088
    },
    "wrist_flex": {
        "id": 4,
        "drive_mode": 0,
        "homing_offset": 974,
        "range_min": 844,
        "range_max": 3183
    },
    "wrist_roll": {
        "id": 5,
        "drive_mode": 0,
        "homing_offset": -88,
        "range_min": 0,
        "range_max": 4095
    },
    "gripper": {
        "id": 6,
        "drive_mode": 0,
        "homing_offset": 1101,
        "range_min": 2029,
        "range_max": 3478
    }
}`;

function fails(text: string, source = '/cal/arm.json'): CalibrationFileError {
  try {
    parseCalibration(text, source);
  } catch (e) {
    assert.ok(e instanceof CalibrationFileError, `expected CalibrationFileError, got ${String(e)}`);
    return e;
  }
  assert.fail('parseCalibration accepted a bad file');
}

function withMotor(motor: string, patch: Record<string, unknown> | string | null): string {
  const obj = JSON.parse(LEROBOT_FILE) as Record<string, unknown>;
  if (patch === null) delete obj[motor];
  else obj[motor] = typeof patch === 'string' ? patch : { ...(obj[motor] as object), ...patch };
  return JSON.stringify(obj, null, 4);
}

test('motors: six sts3215 servos with ids 1–6 in LeRobot order and .pos keys', () => {
  assert.deepEqual(SO100_MOTORS, [
    'shoulder_pan',
    'shoulder_lift',
    'elbow_flex',
    'wrist_flex',
    'wrist_roll',
    'gripper',
  ]);
  assert.deepEqual(
    SO100_MOTOR_SPECS.map((s) => [s.id, s.model, s.modelNumber]),
    SO100_MOTORS.map((_m, i) => [i + 1, 'sts3215', 777]),
  );
  assert.equal(SO100_POSITION_KEYS[4], 'wrist_roll.pos');
  assert.equal(motorId('gripper'), 6);
  const values = fromMotorVector([1, 2, 3, 4, 5, 6]);
  assert.equal(values.elbow_flex, 3);
  assert.deepEqual(toMotorVector(values), [1, 2, 3, 4, 5, 6]);
  assert.equal(toPositionRecord(values)['gripper.pos'], 6);
  assert.deepEqual(fromPositionRecord({ 'gripper.pos': 4, 'elbow_flex.pos': 'x', other: 1 }), {
    elbow_flex: Number.NaN,
    gripper: 4,
  });
  assert.throws(() => fromMotorVector([1, 2, 3]), /has 6 values .* got 3/);
});

test('parses a LeRobot file and serialises it back byte for byte', () => {
  const cal = parseCalibration(LEROBOT_FILE, 'arm.json');
  assert.deepEqual(cal.shoulder_lift, { id: 2, drive_mode: 0, homing_offset: 1354, range_min: 862, range_max: 3229 });
  assert.equal(serializeCalibration(cal), LEROBOT_FILE);
});

test('serialise writes motors in bus order and fields in LeRobot order whatever the input order', () => {
  const cal = parseCalibration(LEROBOT_FILE, 'arm.json');
  const shuffled = Object.fromEntries(
    [...SO100_MOTORS].reverse().map((m) => {
      const c = cal[m];
      return [
        m,
        {
          range_max: c.range_max,
          range_min: c.range_min,
          homing_offset: c.homing_offset,
          drive_mode: c.drive_mode,
          id: c.id,
        },
      ];
    }),
  ) as unknown as So100Calibration;
  assert.equal(serializeCalibration(shuffled), LEROBOT_FILE);
});

test('property: serialise → parse is the identity for valid calibrations', () => {
  const motorArb = fc
    .record({
      a: fc.integer({ min: 0, max: 4095 }),
      b: fc.integer({ min: 0, max: 4095 }),
      homing_offset: fc.integer({ min: -2047, max: 2047 }),
      drive_mode: fc.constantFrom<0 | 1>(0, 1),
    })
    .filter((r) => r.a !== r.b);
  fc.assert(
    fc.property(fc.array(motorArb, { minLength: 6, maxLength: 6 }), (rows) => {
      const cal = perMotor((_m, i) => ({
        id: i + 1,
        drive_mode: rows[i].drive_mode,
        homing_offset: rows[i].homing_offset,
        range_min: Math.min(rows[i].a, rows[i].b),
        range_max: Math.max(rows[i].a, rows[i].b),
      }));
      assert.deepEqual(parseCalibration(serializeCalibration(cal), 'p.json'), cal);
    }),
  );
});

test('malformed JSON names the file, line and column', () => {
  const broken = LEROBOT_FILE.replace('"range_min": 862,', '"range_min": 862');
  const e = fails(broken, '/home/u/.cache/huggingface/lerobot/calibration/robots/so_follower/arm.json');
  assert.equal(e.line, 14); // the comma is missing after line 13; the parser stops at the next token
  assert.equal(e.column, 9);
  assert.match(e.message, /so_follower\/arm\.json is not usable/);
  assert.match(e.message, /malformed JSON at line 14, column 9/);
  assert.match(e.message, /Fix the JSON at that line/);
  assert.match(e.message, /so100 calibrate/);
  const truncated = fails('{\n    "shoulder_pan": {');
  assert.equal(truncated.line, 2);
  assert.match(truncated.message, /malformed JSON at line 2/);
});

test('a missing motor is named', () => {
  const e = fails(withMotor('elbow_flex', null));
  assert.deepEqual(
    e.issues.map((i) => i.motor),
    ['elbow_flex'],
  );
  assert.match(e.message, /motor "elbow_flex" is missing/);
});

test('wrong types, unknown fields and unknown motors are each reported', () => {
  const obj = JSON.parse(LEROBOT_FILE) as Record<string, Record<string, unknown>>;
  obj.shoulder_pan.homing_offset = '12';
  obj.wrist_flex.range_max = 3000.5;
  obj.gripper.speed = 3;
  (obj as Record<string, unknown>).elbow = { id: 9 };
  const e = fails(JSON.stringify(obj));
  const lines = e.issues.map((i) => `${i.motor}/${i.field ?? ''}`);
  assert.deepEqual(
    lines.sort(),
    ['elbow/', 'gripper/speed', 'shoulder_pan/homing_offset', 'wrist_flex/range_max'].sort(),
  );
  assert.match(e.message, /shoulder_pan: "homing_offset" must be an integer, got the string "12"/);
  assert.match(e.message, /"elbow" is not an SO-100 motor/);
  assert.match(fails(withMotor('gripper', 'open')).message, /gripper: expected an object/);
  assert.match(fails('[1, 2]').message, /expected a JSON object keyed by motor name/);
});

test('range and offset limits: min ≥ max, outside 0–4095, offset magnitude > 2047, wrong id, drive_mode 2', () => {
  assert.match(
    fails(withMotor('gripper', { range_min: 3000, range_max: 3000 })).message,
    /gripper: "range_min" 3000 must be below "range_max" 3000/,
  );
  assert.match(
    fails(withMotor('elbow_flex', { range_max: 4096 })).message,
    /elbow_flex: "range_max" 4096 is outside the encoder range 0–4095/,
  );
  assert.match(fails(withMotor('elbow_flex', { range_min: -1 })).message, /"range_min" -1 is outside/);
  assert.match(
    fails(withMotor('wrist_roll', { homing_offset: 2048 })).message,
    /wrist_roll: "homing_offset" 2048 does not fit/,
  );
  assert.doesNotThrow(() => parseCalibration(withMotor('wrist_roll', { homing_offset: -2047 }), 'x'));
  assert.match(fails(withMotor('shoulder_lift', { id: 7 })).message, /"id" is 7 but shoulder_lift is servo 2/);
  assert.match(fails(withMotor('shoulder_lift', { drive_mode: 2 })).message, /"drive_mode" must be 0 or 1/);
  assert.match(fails(withMotor('shoulder_lift', { range_max: undefined })).message, /missing field "range_max"/);
});

test('a byte-order mark is accepted', () => {
  assert.equal(parseCalibration('\ufeff' + LEROBOT_FILE, 'x').gripper.range_max, 3478);
});

test('calibrationMismatches names motors whose registers differ from the file', () => {
  const cal = parseCalibration(LEROBOT_FILE, 'arm.json');
  const regs = perMotor((m) => ({
    homing_offset: cal[m].homing_offset,
    range_min: cal[m].range_min,
    range_max: cal[m].range_max,
  }));
  assert.deepEqual(calibrationMismatches(cal, regs), []);
  assert.deepEqual(calibrationMismatches(cal, { ...regs, wrist_flex: { ...regs.wrist_flex, range_max: 1 } }), [
    'wrist_flex',
  ]);
});
