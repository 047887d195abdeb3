// The bus's prepared SYNC_READ / SYNC_WRITE (what So100Robot runs every tick) over the in-process simulator: the same
// bytes and values as the Map calls, one reading object reused, retries, refusals, and queued writes keeping their values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeSyncRead,
  encodeSyncWrite,
  encodeRegister,
  InstructionParser,
  RegisterValueError,
} from '../../src/core/feetech';
import { FeetechBusSim } from '../../src/core/sim';
import type { ByteTransport } from '../../src/io/serial/byteTransport';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { ServoNoReplyError } from '../../src/io/serial/feetechBusErrors';
import { SimTransport } from '../../src/io/serial/simTransport';
import { withWrite } from '../helpers/writeThrough';

const ALL = [1, 2, 3, 4, 5, 6];
const T = { timeout: 10_000 };

/** Every packet written, as bytes, in order. */
function writes(inner: ByteTransport): { transport: ByteTransport; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const transport = withWrite(inner, (bytes) => {
    sent.push(bytes.slice());
    return inner.write(bytes);
  });
  return { transport, sent };
}

describe('prepared SYNC_READ', () => {
  test('sends the SYNC_READ request and decodes what syncRead decodes, into one reused reading', T, async () => {
    const sim = new FeetechBusSim();
    const { transport, sent } = writes(new SimTransport(sim));
    const bus = new FeetechBus(transport);
    await using _ = bus;
    const order = [5, 1, 3];
    for (const id of order) sim.servo(id)!.setActualPosition(1000 + id);
    const reader = bus.syncReader('Present_Position', order);
    const first = await reader.read();
    assert.deepEqual([...sent[0]], [...encodeSyncRead(56, 2, order)]);
    assert.deepEqual(first.ids, order);
    assert.deepEqual([...first.values], [1005, 1001, 1003]);
    assert.deepEqual([...first.errors], [0, 0, 0]);
    const viaMap = await bus.syncRead('Present_Position', order);
    assert.deepEqual([...viaMap.values()], [...first.values]);

    sim.servo(1)!.setActualPosition(2222);
    const second = await reader.read();
    assert.equal(second, first, 'the same reading object, overwritten');
    assert.equal(second.values[1], 2222);
  });

  test('error bits land in errors by index and reach onStatusError once the read is complete', T, async () => {
    const sim = new FeetechBusSim();
    const seen: [number, number][] = [];
    const bus = new FeetechBus(new SimTransport(sim), { onStatusError: (id, byte) => seen.push([id, byte]) });
    await using _ = bus;
    sim.faults.errorBits[4] = ['overload'];
    const reading = await bus.syncReader('Present_Position', ALL).read();
    assert.deepEqual(
      [...reading.errors].map((e) => e !== 0),
      [false, false, false, true, false, false],
    );
    assert.deepEqual(seen, [[4, reading.errors[3]]]);
  });

  test(
    'a silent servo: retried as configured, then a ServoNoReplyError naming it; the next read works again',
    T,
    async () => {
      const sim = new FeetechBusSim();
      const bus = new FeetechBus(new SimTransport(sim), { latencyMs: 5 });
      await using _ = bus;
      const reader = bus.syncReader('Present_Position', ALL, { retries: 2 });
      sim.faults.dropRepliesFrom = [3];
      await assert.rejects(reader.read(), (err: unknown) => err instanceof ServoNoReplyError && err.id === 3);
      assert.equal(bus.stats.retries, 2);
      assert.equal(bus.stats.timeouts, 3);
      sim.faults.dropRepliesFrom = [];
      assert.equal((await reader.read()).values.length, 6);
    },
  );

  test('repeated ids are refused when preparing', () => {
    const bus = new FeetechBus(new SimTransport(new FeetechBusSim()));
    assert.throws(() => bus.syncReader('Present_Position', [1, 2, 1]), RangeError);
    assert.throws(() => bus.syncWriter('Goal_Position', [4, 4]), RangeError);
    void bus.close();
  });
});

describe('prepared SYNC_WRITE', () => {
  test('writes the bytes syncWrite writes (sign-magnitude per servo) and the servos take them', T, async () => {
    const sim = new FeetechBusSim();
    const { transport, sent } = writes(new SimTransport(sim));
    const bus = new FeetechBus(transport);
    await using _ = bus;
    for (const id of [1, 2, 3]) await bus.write(id, 'Torque_Enable', 1); // a servo takes goals with torque on
    sent.length = 0;
    const writer = bus.syncWriter('Goal_Position', [1, 2, 3]);
    await writer.write([2100, -5, 1900]);
    const expected = encodeSyncWrite(42, 2, [
      { id: 1, data: encodeRegister('Goal_Position', 2100) },
      { id: 2, data: encodeRegister('Goal_Position', -5) },
      { id: 3, data: encodeRegister('Goal_Position', 1900) },
    ]);
    assert.deepEqual([...sent[0]], [...expected]);
    assert.deepEqual([...sim.servo(2)!.read(42, 2)], [0x05, 0x80]);
    await writer.write([2000, 2001, 2002]);
    assert.equal(sim.servo(3)!.readRegister('Goal_Position'), 2002);
  });

  test('a value that does not fit, or the wrong count, is refused and nothing is sent', T, async () => {
    const { transport, sent } = writes(new SimTransport(new FeetechBusSim()));
    const bus = new FeetechBus(transport);
    await using _ = bus;
    const writer = bus.syncWriter('Goal_Position', [1, 2]);
    await assert.rejects(writer.write([2048, 1.5]), RegisterValueError);
    await assert.rejects(writer.write([2048, 40000]), RegisterValueError);
    await assert.rejects(writer.write([2048]), /needs 2 values/);
    assert.equal(sent.length, 0);
    assert.equal(bus.stats.transactions, 0);
  });

  test('writes queued behind a read keep their own values although the packet is reused', T, async () => {
    const sim = new FeetechBusSim();
    const { transport, sent } = writes(new SimTransport(sim));
    const bus = new FeetechBus(transport);
    await using _ = bus;
    for (const id of [1, 2]) await bus.write(id, 'Torque_Enable', 1);
    sent.length = 0;
    const writer = bus.syncWriter('Goal_Position', [1, 2]);
    const values = new Float64Array([1500, 1600]);
    const read = bus.syncReader('Present_Position', ALL).read(); // holds the bus while the writes queue
    const a = writer.write(values);
    values[0] = 2500;
    values[1] = 2600;
    const b = writer.write(values);
    await Promise.all([read, a, b]);
    const goals = new InstructionParser()
      .push(Uint8Array.from(sent.slice(1).flatMap((p) => [...p])))
      .map((p) => [p.params[3] | (p.params[4] << 8), p.params[6] | (p.params[7] << 8)]);
    assert.deepEqual(goals, [
      [1500, 1600],
      [2500, 2600],
    ]);
    assert.equal(sim.servo(2)!.readRegister('Goal_Position'), 2600);
  });
});
