import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BROADCAST_ID,
  checksum,
  encodeAction,
  encodeInstruction,
  encodePing,
  encodeRead,
  encodeRegWrite,
  encodeStatus,
  encodeSyncRead,
  encodeSyncWrite,
  encodeWrite,
  Instruction,
  instructionName,
  MAX_PACKET_BYTES,
  PacketTooLongError,
  readUintLE,
  RegisterValueError,
  ServoIdError,
  writeUintLE,
} from '../../src/core/feetech';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

test('SYNC_READ of Present_Position for ids 1–6 matches the reference trace byte for byte', () => {
  assert.equal(hex(encodeSyncRead(0x38, 2, [1, 2, 3, 4, 5, 6])), 'ff ff fe 0a 82 38 02 01 02 03 04 05 06 26');
});

test('hand-computed checksums of PING, READ model and WRITE torque on id 1', () => {
  // 01+02+01 = 04 → ~04 = fb
  assert.equal(hex(encodePing(1)), 'ff ff 01 02 01 fb');
  // 01+04+02+03+02 = 0c → f3
  assert.equal(hex(encodeRead(1, 3, 2)), 'ff ff 01 04 02 03 02 f3');
  // 01+04+03+28+01 = 31 → ce
  assert.equal(hex(encodeWrite(1, 40, Uint8Array.of(1))), 'ff ff 01 04 03 28 01 ce');
  // status from id 1, no error: 01+02+00 = 03 → fc
  assert.equal(hex(encodeStatus(1, 0)), 'ff ff 01 02 00 fc');
});

test('SYNC_WRITE layout: LEN = n·(len+1) + 4, id then data per servo, sent to broadcast', () => {
  const p = encodeSyncWrite(42, 2, [
    { id: 1, data: Uint8Array.of(0x00, 0x08) },
    { id: 2, data: Uint8Array.of(0x34, 0x12) },
  ]);
  assert.equal(p[2], BROADCAST_ID);
  assert.equal(p[3], 2 * 3 + 4);
  assert.equal(p[4], Instruction.SYNC_WRITE);
  assert.deepEqual(Array.from(p.subarray(5, p.length - 1)), [42, 2, 1, 0x00, 0x08, 2, 0x34, 0x12]);
  assert.equal(p[p.length - 1], checksum(p, 2, p.length - 1));
  assert.throws(
    () => encodeSyncWrite(42, 2, [{ id: 1, data: Uint8Array.of(1) }]),
    /servo 1 has 1 bytes; every servo needs exactly 2/,
  );
});

test('REG_WRITE and ACTION use their instruction codes; ACTION defaults to broadcast', () => {
  assert.equal(encodeRegWrite(3, 42, Uint8Array.of(1, 2))[4], Instruction.REG_WRITE);
  const action = encodeAction();
  assert.equal(hex(action), `ff ff fe 02 05 ${(~(0xfe + 2 + 5) & 0xff).toString(16)}`);
});

test('packets above 250 bytes are refused with a typed error that says how to fix it', () => {
  assert.equal(encodeWrite(1, 0, new Uint8Array(MAX_PACKET_BYTES - 7)).length, MAX_PACKET_BYTES);
  assert.throws(
    () => encodeWrite(1, 0, new Uint8Array(MAX_PACKET_BYTES - 6)),
    (e: unknown) => {
      assert.ok(e instanceof PacketTooLongError);
      assert.equal(e.length, 251);
      assert.match(e.message, /WRITE packet would be 251 bytes.*at most 250.*split/);
      return true;
    },
  );
  const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, data: Uint8Array.of(0, 0) }));
  assert.doesNotThrow(() => encodeSyncWrite(42, 2, ids(80))); // 6 + 2 + 240 = 248
  assert.throws(() => encodeSyncWrite(42, 2, ids(81)), PacketTooLongError); // 251
});

test('ids are checked: 0–253 for servos, 254 only as a target', () => {
  assert.throws(() => encodePing(255), ServoIdError);
  assert.throws(() => encodeSyncRead(56, 2, [1, BROADCAST_ID]), /servo id 254 is not valid/);
  assert.doesNotThrow(() => encodePing(BROADCAST_ID));
  assert.throws(() => encodeRead(1, 256, 2), RegisterValueError);
  assert.throws(() => encodeInstruction(1, 0x100), RegisterValueError);
});

test('little-endian helpers: 777 is 09 03; 4-byte values are low word first', () => {
  assert.deepEqual(Array.from(writeUintLE(777, 2)), [0x09, 0x03]);
  assert.deepEqual(Array.from(writeUintLE(0x12345678, 4)), [0x78, 0x56, 0x34, 0x12]);
  assert.equal(readUintLE(Uint8Array.of(0xaa, 0x09, 0x03), 1, 2), 777);
  assert.equal(readUintLE(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0, 4), 0xffffffff);
  assert.throws(() => writeUintLE(256, 1), RegisterValueError);
  assert.throws(() => writeUintLE(-1, 2), RegisterValueError);
  assert.throws(() => readUintLE(Uint8Array.of(1), 0, 2), /cannot read 2 bytes at offset 0 from 1 bytes/);
});

test('instructionName names known codes and shows unknown ones in hex', () => {
  assert.equal(instructionName(0x82), 'SYNC_READ');
  assert.equal(instructionName(0x0a), '0x0a');
});
