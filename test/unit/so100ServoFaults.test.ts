// Which servo status bits stop the SO-100 and which are only reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorByteOf } from '../../src/core/feetech';
import { classifyServoErrors } from '../../src/core/so100';

test('clean replies give no reports; reports come in motor order with the byte as received', () => {
  assert.deepEqual(
    classifyServoErrors(
      new Map([
        [1, 0],
        [2, 0],
      ]),
    ),
    [],
  );
  const reports = classifyServoErrors(
    new Map([
      [5, errorByteOf(['overheat'])],
      [2, errorByteOf(['inputVoltage', 'overheat'])],
    ]),
  );
  assert.deepEqual(
    reports.map((r) => [r.id, r.motor, r.errorByte, r.fatal]),
    [
      [2, 'shoulder_lift', 0x05, ['inputVoltage', 'overheat']],
      [5, 'wrist_roll', 0x04, ['overheat']],
    ],
  );
});

test('overload is fatal on a body joint and tolerated on the gripper; every other named bit is fatal everywhere', () => {
  const overload = errorByteOf(['overload']);
  const [body, gripper] = classifyServoErrors(
    new Map([
      [3, overload],
      [6, overload],
    ]),
  );
  assert.deepEqual([body.fatal, body.tolerated], [['overload'], []]);
  assert.deepEqual([gripper.fatal, gripper.tolerated], [[], ['overload']]);
  for (const bit of ['inputVoltage', 'angleSensor', 'overheat', 'overCurrent'] as const) {
    assert.deepEqual(classifyServoErrors(new Map([[6, errorByteOf([bit])]]))[0].fatal, [bit], bit);
  }
});

test('reserved bits alone are reported but not fatal; ids outside the arm are ignored', () => {
  const [r] = classifyServoErrors(
    new Map([
      [1, 0x40],
      [9, errorByteOf(['overheat'])],
    ]),
  );
  assert.deepEqual([r.id, r.errorByte, r.fatal, r.tolerated], [1, 0x40, [], []]);
  assert.equal(classifyServoErrors(new Map([[9, 0x04]])).length, 0);
});
