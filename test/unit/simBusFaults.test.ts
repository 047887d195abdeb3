import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePing, encodeRead, encodeSyncRead, encodeWrite, register, StatusParser } from '../../src/core/feetech';
import { FeetechBusSim } from '../../src/core/sim';

const PRESENT = register('Present_Position');
const ALL = [1, 2, 3, 4, 5, 6];

function parse(bus: FeetechBusSim, bytes: Uint8Array, nowUs = 0) {
  const parser = new StatusParser();
  const replies = bus.handle(bytes, nowUs);
  const packets = replies.flatMap((r) => parser.push(r.reply));
  return { replies, packets, corrupt: parser.counters.corrupt };
}

test('dropRepliesFrom: that id goes silent in SYNC_READ, others keep their order; it still obeys writes', () => {
  const bus = new FeetechBusSim();
  bus.faults.dropRepliesFrom = [3];
  assert.deepEqual(
    parse(bus, encodeSyncRead(PRESENT.address, 2, ALL)).packets.map((p) => p.id),
    [1, 2, 4, 5, 6],
  );
  assert.deepEqual(bus.handle(encodeWrite(3, 40, Uint8Array.of(1)), 0), []);
  assert.equal(bus.servo(3)?.readRegister('Torque_Enable'), 1);
  bus.faults.dropRepliesFrom = [];
  assert.equal(parse(bus, encodePing(3)).packets.length, 1);
});

test('corruptChecksumFraction 1 corrupts every reply: the parser sees only checksum failures', () => {
  const bus = new FeetechBusSim();
  bus.faults.corruptChecksumFraction = 1;
  const { replies, packets, corrupt } = parse(bus, encodeSyncRead(PRESENT.address, 2, ALL));
  assert.equal(replies.length, 6, 'bytes are still sent');
  assert.equal(packets.length, 0);
  assert.equal(corrupt, 6);
});

test('partial corruption is deterministic for a seed and hits only part of the replies', () => {
  const outcome = (seed: number) => {
    const bus = new FeetechBusSim({ seed });
    bus.faults.corruptChecksumFraction = 0.3;
    return Array.from({ length: 200 }, () => parse(bus, encodePing(1)).corrupt);
  };
  const a = outcome(42);
  assert.deepEqual(outcome(42), a, 'same seed, same faults');
  const hits = a.reduce((n, x) => n + x, 0);
  assert.ok(hits > 20 && hits < 120, `about 30 % of 200 corrupted, got ${hits}`);
  assert.notDeepEqual(outcome(7), a, 'another seed, another pattern');
});

test('extraDelayUs delays every reply', () => {
  const bus = new FeetechBusSim();
  const base = bus.handle(encodeSyncRead(PRESENT.address, 2, [1, 2]), 0).map((r) => r.replyDelayUs);
  bus.faults.extraDelayUs = 60_000;
  const late = bus.handle(encodeSyncRead(PRESENT.address, 2, [1, 2]), 0).map((r) => r.replyDelayUs);
  assert.deepEqual(late, [base[0] + 60_000, base[1] + 120_000]);
});

test('errorBits: the id reports them in the ERR byte and in its Status register; others stay clean', () => {
  const bus = new FeetechBusSim();
  bus.faults.errorBits = { 2: ['overload', 'overheat'] };
  const { packets } = parse(bus, encodeSyncRead(PRESENT.address, 2, [1, 2]));
  assert.deepEqual(
    packets.map((p) => [p.id, p.error]),
    [
      [1, 0],
      [2, 0x24],
    ],
  );
  assert.deepEqual(packets[1].errorBits, ['overheat', 'overload']);
  assert.equal(parse(bus, encodeRead(2, register('Status').address, 1)).packets[0].params[0], 0x24);
  bus.faults.errorBits = { 5: ['inputVoltage'] };
  assert.equal(parse(bus, encodePing(2)).packets[0].error, 0);
  assert.equal(parse(bus, encodePing(5)).packets[0].error, 0x01);
});

test('disconnected: nothing answers and nothing is applied; reconnecting restores the bus', () => {
  const bus = new FeetechBusSim();
  bus.faults.disconnected = true;
  assert.deepEqual(bus.handle(encodePing(0xfe), 0), []);
  assert.deepEqual(bus.handle(encodeWrite(1, 40, Uint8Array.of(1)), 0), []);
  assert.equal(bus.servo(1)?.readRegister('Torque_Enable'), 0);
  bus.faults.disconnected = false;
  assert.deepEqual(
    parse(bus, encodePing(0xfe)).packets.map((p) => p.id),
    ALL,
  );
});
