import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeErrorBits,
  errorBitsOf,
  errorByteOf,
  isEepromAddress,
  register,
  registerCovering,
  STS3215_MODEL_NUMBER,
  STS3215_REGISTERS,
  UnknownRegisterError,
} from '../../src/core/feetech';

test('the table has no overlapping registers and every byte maps back to its register', () => {
  const seen = new Map<number, string>();
  for (const r of STS3215_REGISTERS) {
    for (let i = 0; i < r.size; i++) {
      assert.equal(seen.get(r.address + i), undefined, `${r.name} overlaps ${seen.get(r.address + i)}`);
      seen.set(r.address + i, r.name);
      assert.equal(registerCovering(r.address + i)?.name, r.name);
    }
  }
  assert.equal(registerCovering(2), undefined);
});

test('registers the driver and simulator rely on have the reference addresses, sizes and access', () => {
  assert.equal(STS3215_MODEL_NUMBER, 777);
  const expect = (name: string, address: number, size: number, access: string, area: string, signBit?: number) => {
    const r = register(name);
    assert.deepEqual([r.address, r.size, r.access, r.area, r.signBit], [address, size, access, area, signBit], name);
  };
  expect('Model_Number', 3, 2, 'RO', 'eeprom');
  expect('ID', 5, 1, 'RW', 'eeprom');
  expect('Return_Delay_Time', 7, 1, 'RW', 'eeprom');
  expect('Homing_Offset', 31, 2, 'RW', 'eeprom', 11);
  expect('Torque_Enable', 40, 1, 'RW', 'sram');
  expect('Goal_Position', 42, 2, 'RW', 'sram', 15);
  expect('Goal_Velocity', 46, 2, 'RW', 'sram', 15);
  expect('Lock', 55, 1, 'RW', 'sram');
  expect('Present_Position', 56, 2, 'RO', 'sram', 15);
  expect('Present_Velocity', 58, 2, 'RO', 'sram', 15);
  expect('Present_Load', 60, 2, 'RO', 'sram', 10);
  expect('Present_Current', 69, 2, 'RO', 'sram');
  expect('Maximum_Acceleration', 85, 1, 'RW', 'eeprom');
  for (const r of STS3215_REGISTERS) assert.equal(r.area === 'eeprom', isEepromAddress(r.address), r.name);
});

test('unknown register names give a typed error naming the register', () => {
  assert.throws(
    () => register('Present_Postion'),
    (e: unknown) => e instanceof UnknownRegisterError && /"Present_Postion" is not an STS3215 register/.test(e.message),
  );
});

test('ERR bits map to names and back; reserved bits are reported, not named', () => {
  assert.deepEqual(errorBitsOf(0x25), ['inputVoltage', 'overheat', 'overload']);
  assert.deepEqual(errorBitsOf(0x0a), ['angleSensor', 'overCurrent']);
  assert.deepEqual(errorBitsOf(0x10), []);
  assert.equal(errorByteOf(['overload', 'overheat']), 0x24);
  for (let b = 0; b < 0x80; b++) assert.equal(errorByteOf(errorBitsOf(b)), b & 0x2f);
  assert.match(describeErrorBits(0x20), /overloaded/);
  assert.match(describeErrorBits(0x10), /reserved bits 0x10/);
  assert.equal(describeErrorBits(0), 'no error');
});
