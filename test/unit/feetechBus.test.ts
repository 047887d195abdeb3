// FeetechBus over the in-process simulator: every call, encoding, the queue, broadcast ping, statistics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Instruction, InstructionParser, StatusParser, STS3215_MODEL_NUMBER } from '../../src/core/feetech';
import { FeetechBusSim, Sts3215Servo } from '../../src/core/sim';
import type { ByteTransport } from '../../src/io/serial/byteTransport';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { withWrite } from '../helpers/writeThrough';

const ALL = [1, 2, 3, 4, 5, 6];
const T = { timeout: 10_000 };

function makeBus(sim = new FeetechBusSim()) {
  const transport = new SimTransport(sim);
  return { sim, transport, bus: new FeetechBus(transport) };
}

/** Records requests (by instruction) and reply packets (by id) in the order they cross the transport. */
function recording(inner: ByteTransport): { transport: ByteTransport; log: string[] } {
  const log: string[] = [];
  const requests = new InstructionParser();
  const replies = new StatusParser();
  inner.onData((bytes) => {
    for (const p of replies.push(bytes)) log.push(`reply ${p.id}`);
  });
  const transport = withWrite(inner, (bytes) => {
    for (const p of requests.push(bytes)) {
      const name = Object.entries(Instruction).find(([, code]) => code === p.instruction)?.[0] ?? '?';
      log.push(`${name} ${p.id === 0xfe ? 'all' : p.id}`);
    }
    return inner.write(bytes);
  });
  return { transport, log };
}

describe('FeetechBus over the simulator', () => {
  test('ping, readModel and a raw READ of the model bytes (09 03)', T, async () => {
    const { bus } = makeBus();
    await using _ = bus;
    for (const id of ALL) {
      await bus.ping(id);
      assert.equal(await bus.readModel(id), STS3215_MODEL_NUMBER);
    }
    assert.deepEqual([...(await bus.read(1, 3, 2))], [0x09, 0x03]);
    assert.equal(await bus.isSts3215(4), true);
  });

  test('read decodes named registers, including firmware and sign-magnitude feedback', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    assert.equal(await bus.read(2, 'Firmware_Major_Version'), sim.servo(2)!.readRegister('Firmware_Major_Version'));
    assert.equal(await bus.read(2, 'Present_Position'), 2048);
    sim.servo(2)!.writeRegister('Homing_Offset', -100);
    assert.equal(await bus.read(2, 'Homing_Offset'), -100);
    assert.deepEqual([...sim.servo(2)!.read(31, 2)], [0x64, 0x08], 'Homing_Offset sign in bit 11');
  });

  test('write encodes Goal_Position as sign-magnitude (bit 15), little-endian, and waits for the ack', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    await bus.write(1, 'Torque_Enable', 1);
    await bus.write(1, 'Goal_Position', -100);
    assert.deepEqual([...sim.servo(1)!.read(42, 2)], [0x64, 0x80]);
    assert.equal(await bus.read(1, 'Goal_Position'), -100);
    await bus.write(1, 'Goal_Position', 3000);
    assert.deepEqual([...sim.servo(1)!.read(42, 2)], [3000 & 0xff, 3000 >> 8]);
    assert.equal(sim.servo(1)!.readRegister('Torque_Enable'), 1);
  });

  test('a value that does not fit is refused before anything is sent', T, async () => {
    const { bus } = makeBus();
    await using _ = bus;
    await assert.rejects(bus.write(1, 'Homing_Offset', 5000), { name: 'RegisterValueError' });
    assert.equal(bus.stats.transactions, 0);
  });

  test('syncRead: one request, a Map in request order; syncWrite: silent, sign-magnitude per servo', T, async () => {
    const { bus, sim, transport } = makeBus();
    await using _ = bus;
    for (const id of ALL) await bus.write(id, 'Torque_Enable', 1);
    const order = [5, 1, 3];
    const positions = await bus.syncRead('Present_Position', order);
    assert.deepEqual([...positions.keys()], order);
    for (const id of order) assert.equal(positions.get(id), sim.servo(id)!.readRegister('Present_Position'));

    const before = bus.stats;
    await bus.syncWrite(
      'Goal_Position',
      new Map([
        [1, 2100],
        [2, -5],
        [3, 1900],
      ]),
    );
    assert.equal(bus.stats.transactions, before.transactions + 1);
    assert.deepEqual([...sim.servo(2)!.read(42, 2)], [0x05, 0x80]);
    assert.equal(sim.servo(1)!.readRegister('Goal_Position'), 2100);
    assert.equal(sim.servo(3)!.readRegister('Goal_Position'), 1900);

    // Joints move toward their goals in real time.
    await new Promise((r) => setTimeout(r, 150));
    transport.advance();
    const after = await bus.syncRead('Present_Position', [1, 3]);
    assert.ok(after.get(1)! > 2048 && after.get(1)! <= 2100, `id 1 at ${after.get(1)}`);
    assert.ok(after.get(3)! < 2048 && after.get(3)! >= 1900, `id 3 at ${after.get(3)}`);
  });

  test('syncReadBytes returns raw data; duplicate ids are refused; an empty list sends nothing', T, async () => {
    const { bus } = makeBus();
    await using _ = bus;
    const raw = await bus.syncReadBytes(3, 2, [6, 2]);
    assert.deepEqual([...raw.get(6)!], [0x09, 0x03]);
    await assert.rejects(bus.syncReadBytes(56, 2, [1, 1]), RangeError);
    assert.equal((await bus.syncRead('Present_Position', [])).size, 0);
    assert.equal(bus.stats.transactions, 1);
  });

  test('a WRITE to the broadcast id is not waited for and reaches every servo', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    await bus.writeBytes(0xfe, 40, Uint8Array.of(1));
    await bus.ping(1); // the queue moves on; the broadcast left no reply behind
    for (const s of sim.servos) assert.equal(s.readRegister('Torque_Enable'), 1);
    assert.equal(bus.stats.staleBytes, 0);
  });

  test('broadcastPing collects every answer in the window, duplicates included', T, async () => {
    const { bus, sim } = makeBus(new FeetechBusSim({ ids: [1, 2, 3] }));
    await using _ = bus;
    assert.deepEqual((await bus.broadcastPing({ windowMs: 30 })).sort(), [1, 2, 3]);
    sim.addServo(new Sts3215Servo({ id: 2 }));
    const ids = await bus.broadcastPing({ windowMs: 30 });
    assert.equal(ids.filter((id) => id === 2).length, 2, `two servos answer to id 2: ${ids}`);
  });

  test('concurrent calls are queued: each request waits for the previous replies', T, async () => {
    const sim = new FeetechBusSim();
    const { transport, log } = recording(new SimTransport(sim));
    const bus = new FeetechBus(transport);
    await using _ = bus;
    const results = await Promise.all([
      bus.ping(1),
      bus.read(2, 'Present_Position'),
      bus.syncRead('Present_Position', [4, 5, 6]),
      bus.write(3, 'Torque_Enable', 1),
      bus.readModel(6),
    ]);
    assert.equal(results[1], 2048);
    assert.equal((results[2] as Map<number, number>).size, 3);
    assert.equal(results[4], 777);
    assert.deepEqual(log, [
      'PING 1',
      'reply 1',
      'READ 2',
      'reply 2',
      'SYNC_READ all',
      'reply 4',
      'reply 5',
      'reply 6',
      'WRITE 3',
      'reply 3',
      'READ 6',
      'reply 6',
    ]);
  });

  test('a failing call does not stall the queue behind it', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    sim.removeServo(4);
    const [missing, present] = await Promise.allSettled([bus.ping(4), bus.readModel(5)]);
    assert.equal(missing.status, 'rejected');
    assert.deepEqual(present, { status: 'fulfilled', value: 777 });
  });

  test('statistics count transactions and bytes both ways; resetStats zeroes them', T, async () => {
    const { bus } = makeBus();
    await using _ = bus;
    await bus.ping(1); // 6 bytes out, 6 back
    await bus.syncRead('Present_Position', ALL); // 14 out, 6 × 8 back
    const s = bus.stats;
    assert.equal(s.transactions, 2);
    assert.equal(s.bytesWritten, 6 + 14);
    assert.equal(s.bytesRead, 6 + 48);
    assert.equal(s.timeouts + s.corrupt + s.retries, 0);
    bus.resetStats();
    assert.equal(bus.stats.bytesWritten, 0);
  });

  test('windowMs follows LeRobot: tx·n + tx·3 + 50 ms', () => {
    const bus = new FeetechBus(new SimTransport());
    assert.ok(Math.abs(bus.windowMs(6) - (0.06 + 0.03 + 50)) < 1e-9);
    assert.ok(Math.abs(bus.windowMs(48) - (0.48 + 0.03 + 50)) < 1e-9);
    void bus.close();
  });
});
