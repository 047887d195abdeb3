import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BROADCAST_ID,
  decodeRegister,
  encodeAction,
  encodePing,
  encodeRead,
  encodeRegister,
  encodeRegWrite,
  encodeSyncRead,
  encodeSyncWrite,
  encodeWrite,
  register,
  StatusParser,
  type StatusPacket,
} from '../../src/core/feetech';
import { FeetechBusSim, Sts3215Servo, type BusReply } from '../../src/core/sim';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const PRESENT = register('Present_Position');
const GOAL = register('Goal_Position');

/** Sends bytes to the bus at `nowUs` and parses everything it answers with our own parser. */
function transact(
  bus: FeetechBusSim,
  bytes: Uint8Array,
  nowUs: number,
): { packets: StatusPacket[]; replies: BusReply[]; parser: StatusParser } {
  const replies = bus.handle(bytes, nowUs);
  const parser = new StatusParser();
  const packets = replies.flatMap((r) => parser.push(r.reply));
  return { packets, replies, parser };
}

test("PING and READ model 777 on ids 1–6; id 7 is silent (the conformance probe's handshake)", () => {
  const bus = new FeetechBusSim();
  let now = 0;
  for (let id = 1; id <= 6; id++) {
    const ping = transact(bus, encodePing(id), (now += 1000));
    assert.deepEqual(
      ping.packets.map((p) => [p.id, p.error, p.params.length]),
      [[id, 0, 0]],
    );
    const model = transact(bus, encodeRead(id, 3, 2), (now += 1000));
    assert.equal(model.packets.length, 1);
    assert.equal(decodeRegister('Model_Number', model.packets[0].params), 777);
  }
  assert.deepEqual(bus.handle(encodePing(7), (now += 1000)), []);
  assert.deepEqual(bus.handle(encodeRead(7, 3, 2), (now += 1000)), []);
});

test('exact reply bytes of one PING and one READ, checksums computed by hand', () => {
  const bus = new FeetechBusSim();
  // FF FF 01 02 00 | ~(01+02+00) = ~03 = FC
  assert.equal(hex(bus.handle(encodePing(1), 0)[0].reply), 'ff ff 01 02 00 fc');
  // FF FF 01 04 00 09 03 | ~(01+04+00+09+03) = ~11 = EE
  assert.equal(hex(bus.handle(encodeRead(1, 3, 2), 0)[0].reply), 'ff ff 01 04 00 09 03 ee');
});

test('broadcast PING is answered by every servo; other broadcasts are not answered', () => {
  const bus = new FeetechBusSim();
  assert.deepEqual(
    transact(bus, encodePing(BROADCAST_ID), 0).packets.map((p) => p.id),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(bus.handle(encodeRead(BROADCAST_ID, 3, 2), 0), []);
  assert.deepEqual(bus.handle(encodeWrite(BROADCAST_ID, 41, Uint8Array.of(254)), 0), []);
  for (const s of bus.servos) assert.equal(s.readRegister('Acceleration'), 254, 'broadcast WRITE still applies');
});

test('WRITE torque on is acknowledged with an empty status; the WRITE that sets level 0 is not', () => {
  const bus = new FeetechBusSim();
  const ack = transact(bus, encodeWrite(2, 40, Uint8Array.of(1)), 0);
  assert.deepEqual(
    ack.packets.map((p) => [p.id, p.error, p.params.length]),
    [[2, 0, 0]],
  );
  assert.equal(bus.servo(2)?.readRegister('Torque_Enable'), 1);
  // The level is read after the write is applied, so the WRITE that sets level 0 is itself not answered.
  assert.deepEqual(bus.handle(encodeWrite(2, 8, Uint8Array.of(0)), 0), []);
  assert.equal(transact(bus, encodeRead(2, 8, 1), 0).packets[0].params[0], 0);
});

test('with Response_Status_Level 0 a servo answers PING and READ but not WRITE', () => {
  const bus = new FeetechBusSim();
  bus.servo(3)!.writeRegister('Response_Status_Level', 0);
  assert.deepEqual(bus.handle(encodeWrite(3, 40, Uint8Array.of(1)), 0), []);
  assert.equal(bus.servo(3)?.readRegister('Torque_Enable'), 1);
  assert.equal(bus.handle(encodePing(3), 0).length, 1);
  assert.equal(bus.handle(encodeRead(3, 40, 1), 0).length, 1);
});

test('SYNC_READ answers in request order, one READ-style status per listed id, skipping missing ids', () => {
  const bus = new FeetechBusSim();
  bus.servos.forEach((s, i) => s.setActualPosition(1000 + 100 * i));
  const { packets } = transact(bus, encodeSyncRead(PRESENT.address, 2, [5, 1, 9, 3, 6]), 0);
  assert.deepEqual(
    packets.map((p) => p.id),
    [5, 1, 3, 6],
  );
  assert.deepEqual(
    packets.map((p) => decodeRegister('Present_Position', p.params)),
    [1400, 1000, 1200, 1500],
  );
});

test("SYNC_WRITE is silent and sets each servo's goal; joints then reach their goals in simulated time", () => {
  const bus = new FeetechBusSim();
  let now = 0;
  for (let id = 1; id <= 6; id++) bus.handle(encodeWrite(id, 40, Uint8Array.of(1)), (now += 500));
  const goals = [1848, 2248, 2048, 2548, 1548, 2098];
  const entries = goals.map((g, i) => ({ id: i + 1, data: encodeRegister('Goal_Position', g) }));
  assert.deepEqual(bus.handle(encodeSyncWrite(GOAL.address, 2, entries), (now += 500)), []);
  const mid = transact(bus, encodeSyncRead(PRESENT.address, 2, [1, 2, 3, 4, 5, 6]), (now += 50_000));
  const midPos = mid.packets.map((p) => decodeRegister('Present_Position', p.params));
  goals.forEach((g, i) => {
    if (g !== 2048)
      assert.ok(Math.abs(midPos[i] - g) < Math.abs(2048 - g), `id ${i + 1} moved toward ${g}: ${midPos[i]}`);
  });
  const end = transact(bus, encodeSyncRead(PRESENT.address, 2, [1, 2, 3, 4, 5, 6]), (now += 1_000_000));
  assert.deepEqual(
    end.packets.map((p) => decodeRegister('Present_Position', p.params)),
    goals,
  );
});

test('timing: 10 µs per byte at 1 Mbaud plus Return_Delay_Time × 2 µs before each reply, back to back', () => {
  const bus = new FeetechBusSim();
  assert.deepEqual(
    bus.handle(encodePing(1), 0).map((r) => r.replyDelayUs),
    [500],
  ); // factory 250 → 500 µs
  for (let id = 1; id <= 6; id++) bus.handle(encodeWrite(id, 7, Uint8Array.of(0)), 0);
  const replies = bus.handle(encodeSyncRead(PRESENT.address, 2, [1, 2, 3]), 0);
  assert.deepEqual(
    replies.map((r) => r.reply.length),
    [8, 8, 8],
  );
  assert.deepEqual(
    replies.map((r) => r.replyDelayUs),
    [0, 80, 160],
  );
  bus.servo(2)!.writeRegister('Return_Delay_Time', 10);
  assert.deepEqual(
    bus.handle(encodeSyncRead(PRESENT.address, 2, [1, 2, 3]), 0).map((r) => r.replyDelayUs),
    [0, 100, 180],
  );
});

test('instructions split across handle() calls are answered once complete; garbage is skipped', () => {
  const bus = new FeetechBusSim();
  const read = encodeRead(4, 3, 2);
  assert.deepEqual(bus.handle(Uint8Array.of(0x00, 0x12, ...read.subarray(0, 4)), 0), []);
  const replies = bus.handle(read.subarray(4), 10);
  assert.equal(replies.length, 1);
  assert.equal(replies[0].id, 4);
  assert.equal(bus.counters.resyncBytes, 2);
});

test('REG_WRITE is acknowledged and held; broadcast ACTION applies it silently', () => {
  const bus = new FeetechBusSim();
  const ack = transact(bus, encodeRegWrite(2, 41, Uint8Array.of(77)), 0);
  assert.deepEqual(
    ack.packets.map((p) => p.id),
    [2],
  );
  assert.equal(bus.servo(2)?.readRegister('Acceleration'), 0);
  assert.deepEqual(bus.handle(encodeAction(), 0), []);
  assert.equal(bus.servo(2)?.readRegister('Acceleration'), 77);
});

test('changing ID replies from the addressed id, then the servo answers to its new id', () => {
  const bus = new FeetechBusSim({ ids: [1] });
  assert.deepEqual(
    transact(bus, encodeWrite(1, 5, Uint8Array.of(8)), 0).packets.map((p) => p.id),
    [1],
  );
  assert.deepEqual(bus.handle(encodePing(1), 0), []);
  assert.equal(bus.handle(encodePing(8), 0)[0].id, 8);
});

test('a servo switched to another baud rate stops hearing the 1 Mbaud host', () => {
  const bus = new FeetechBusSim();
  bus.handle(encodeWrite(5, 6, Uint8Array.of(4)), 0);
  assert.deepEqual(bus.handle(encodePing(5), 0), []);
  const slow = new FeetechBusSim({ baudRate: 115_200, ids: [] });
  const s = new Sts3215Servo({ id: 5 });
  s.writeRegister('Baud_Rate', 4);
  slow.addServo(s);
  const [reply] = slow.handle(encodePing(5), 0);
  assert.equal(reply.replyDelayUs, 500);
  assert.ok(Math.abs(slow.byteTimeUs - 86.8) < 0.1);
});

test('advanceTo ignores time going backwards', () => {
  const bus = new FeetechBusSim({ startUs: 1000 });
  bus.advanceTo(500);
  assert.equal(bus.nowUs, 1000);
  bus.advanceTo(2000);
  assert.equal(bus.nowUs, 2000);
});
