// Every simulated fault ends a FeetechBus call with a typed error (never a hang), and the bus recovers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeetechBusSim } from '../../src/core/sim';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import {
  BusClosedError,
  ServoCorruptReplyError,
  ServoHardwareError,
  ServoNoReplyError,
} from '../../src/io/serial/feetechBusErrors';
import { SerialPortDisconnectedError } from '../../src/io/serial/serialPortErrors';
import { SimTransport } from '../../src/io/serial/simTransport';
import { withWrite } from '../helpers/writeThrough';

const ALL = [1, 2, 3, 4, 5, 6];
const T = { timeout: 10_000 };

function makeBus(options: ConstructorParameters<typeof FeetechBus>[1] = {}, sim = new FeetechBusSim()) {
  const transport = new SimTransport(sim);
  return { sim, transport, bus: new FeetechBus(transport, options) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FeetechBus faults', () => {
  test('a servo that does not answer → ServoNoReplyError naming id, address and the likely causes', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    sim.faults.dropRepliesFrom = [3];
    await assert.rejects(bus.ping(3), (err: unknown) => {
      assert.ok(err instanceof ServoNoReplyError);
      assert.equal(err.id, 3);
      assert.equal(err.address, undefined);
      assert.match(err.message, /servo 3 on simulated bus .* did not answer PING/);
      assert.match(err.message, /power supply/);
      assert.match(err.message, /baud/);
      assert.match(err.message, /cable/);
      return true;
    });
    await assert.rejects(bus.read(3, 'Present_Position'), (err: unknown) => {
      assert.ok(err instanceof ServoNoReplyError);
      assert.equal(err.address, 56);
      assert.match(err.message, /READ of Present_Position \(address 56\) within 50\.\d ms/);
      return true;
    });
    await assert.rejects(bus.write(3, 'Torque_Enable', 1), ServoNoReplyError);
    assert.equal(sim.servo(3)!.readRegister('Torque_Enable'), 1, 'the servo still obeyed');
    assert.equal(bus.stats.timeouts, 3);
  });

  test('SYNC_READ with silent servos names every missing id; the others still answered', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    sim.faults.dropRepliesFrom = [2, 5];
    await assert.rejects(bus.syncRead('Present_Position', ALL), (err: unknown) => {
      assert.ok(err instanceof ServoNoReplyError);
      assert.equal(err.id, 2);
      assert.deepEqual(err.missingIds, [2, 5]);
      assert.match(err.message, /servos 2, 5 on .* did not answer SYNC_READ/);
      return true;
    });
    sim.faults.dropRepliesFrom = [];
    assert.equal((await bus.syncRead('Present_Position', ALL)).size, 6, 'the bus recovers');
  });

  test('a servo missing from the bus and an unplugged servo cable both time out', T, async () => {
    const { bus, sim } = makeBus({ latencyMs: 10 });
    await using _ = bus;
    sim.removeServo(6);
    await assert.rejects(bus.readModel(6), { name: 'ServoNoReplyError', id: 6 });
    sim.faults.disconnected = true;
    await assert.rejects(bus.ping(1), ServoNoReplyError);
    await assert.rejects(bus.syncRead('Present_Position', [1, 2]), { missingIds: [1, 2] });
    sim.faults.disconnected = false;
    await bus.ping(1);
  });

  test('error bits → ServoHardwareError { id, bits } saying what the bit means and what to do', T, async () => {
    const statusErrors: [number, number][] = [];
    const { bus, sim } = makeBus({ onStatusError: (id, byte) => statusErrors.push([id, byte]) });
    await using _ = bus;
    sim.faults.errorBits[2] = ['overload'];
    await assert.rejects(bus.read(2, 'Present_Position'), (err: unknown) => {
      assert.ok(err instanceof ServoHardwareError);
      assert.equal(err.id, 2);
      assert.deepEqual(err.bits, ['overload']);
      assert.equal(err.errorByte, 0x20);
      assert.match(err.message, /servo 2 .* overload: .*collision.* let it cool/);
      return true;
    });
    sim.faults.errorBits[4] = ['overheat', 'inputVoltage'];
    await assert.rejects(bus.ping(4), (err: unknown) => {
      assert.ok(err instanceof ServoHardwareError);
      assert.deepEqual(err.bits, ['inputVoltage', 'overheat']);
      assert.match(err.message, /power supply/);
      assert.match(err.message, /cool/);
      return true;
    });
    await assert.rejects(bus.write(2, 'Torque_Enable', 0), ServoHardwareError);
    // Like LeRobot, SYNC_READ still returns positions and reports the bits on the side.
    const positions = await bus.syncRead('Present_Position', [1, 2, 4]);
    assert.equal(positions.size, 3);
    assert.deepEqual(statusErrors, [
      [2, 0x20],
      [4, 0x05],
    ]);
    assert.ok(bus.stats.statusErrors >= 5);
  });

  test('syncReadWithStatus returns the values and the non-zero ERR bytes by id', T, async () => {
    const { bus, sim } = makeBus();
    await using _ = bus;
    sim.faults.errorBits[3] = ['overheat', 'overload'];
    const { values, errors } = await bus.syncReadWithStatus('Present_Position', [1, 3, 5]);
    assert.deepEqual([...values.keys()], [1, 3, 5]);
    assert.equal(values.get(3), 2048);
    assert.deepEqual([...errors], [[3, 0x24]]);
    delete sim.faults.errorBits[3];
    assert.equal((await bus.syncReadWithStatus('Present_Position', [1, 3])).errors.size, 0);
  });

  test('hardware errors are not retried (the servo answered)', T, async () => {
    const { bus, sim } = makeBus({ retries: 3 });
    await using _ = bus;
    sim.faults.errorBits[1] = ['angleSensor'];
    await assert.rejects(bus.ping(1), ServoHardwareError);
    assert.equal(bus.stats.transactions, 1);
    assert.equal(bus.stats.retries, 0);
  });

  test('every reply corrupt → ServoCorruptReplyError after resending within the window', T, async () => {
    const { bus, sim } = makeBus({ latencyMs: 300 }); // room for every resend even on a loaded machine
    await using _ = bus;
    sim.faults.corruptChecksumFraction = 1;
    await assert.rejects(bus.readModel(1), (err: unknown) => {
      assert.ok(err instanceof ServoCorruptReplyError);
      assert.equal(err.id, 1);
      assert.match(err.message, /share id 1/);
      return true;
    });
    const s = bus.stats;
    assert.equal(s.resends, 3, 'resent up to the per-window bound');
    assert.equal(s.corrupt, s.resends + 1, 'one corrupt reply per request');
    assert.equal(s.transactions, 4);
  });

  test('occasional corruption is absorbed: corrupt replies are counted and re-asked within the window', T, async () => {
    const { bus, sim } = makeBus({}, new FeetechBusSim({ seed: 7 }));
    await using _ = bus;
    sim.faults.corruptChecksumFraction = 0.2;
    let ok = 0;
    for (let i = 0; i < 40; i++) {
      try {
        if ((await bus.syncRead('Present_Position', ALL)).size === 6) ok++;
      } catch (err) {
        assert.ok(err instanceof ServoCorruptReplyError, String(err));
      }
    }
    const s = bus.stats;
    assert.ok(s.corrupt > 0, 'some replies were corrupt');
    assert.ok(s.resends > 0, 'and re-asked');
    assert.ok(ok >= 35, `${ok} of 40 sync reads succeeded`);
  });

  test('retries: a failing call is tried 1 + retries times, then fails; per-call override', T, async () => {
    const { bus, sim } = makeBus({ retries: 2, latencyMs: 5 });
    await using _ = bus;
    sim.faults.dropRepliesFrom = [1];
    await assert.rejects(bus.ping(1), ServoNoReplyError);
    assert.equal(bus.stats.transactions, 3);
    assert.equal(bus.stats.retries, 2);
    bus.resetStats();
    await assert.rejects(bus.ping(1, { retries: 0 }), ServoNoReplyError);
    assert.equal(bus.stats.transactions, 1);
  });

  test('a retry succeeds when the fault clears between attempts', T, async () => {
    const sim = new FeetechBusSim();
    const inner = new SimTransport(sim);
    let writes = 0;
    // The first request is lost on the wire; the second gets through.
    const flaky = withWrite(inner, (bytes) => (++writes === 1 ? Promise.resolve() : inner.write(bytes)));
    const bus = new FeetechBus(flaky, { retries: 1, latencyMs: 5 });
    await using _ = bus;
    assert.equal(await bus.readModel(2), 777);
    assert.equal(bus.stats.retries, 1);
    assert.equal(bus.stats.timeouts, 1);
  });

  test(
    'a reply later than the window is a timeout; its late bytes are dropped, not taken by the next call',
    T,
    async () => {
      const { bus, sim } = makeBus({ latencyMs: 10 });
      await using _ = bus;
      // Far past the 10 ms window (the window's timer starts after the write; on a busy machine that can be late).
      sim.faults.extraDelayUs = 500_000;
      await assert.rejects(bus.read(1, 'Present_Position'), ServoNoReplyError);
      sim.faults.extraDelayUs = 0;
      // The late reply is an event on the wire: wait for its bytes (bounded), then check what the bus made of them.
      for (let i = 0; bus.stats.staleBytes < 8 && i < 500; i++) await sleep(10);
      assert.equal(bus.stats.staleBytes, 8, 'the late 8-byte reply arrived with nobody waiting');
      assert.equal(await bus.readModel(1), 777);
    },
  );

  test(
    'a late READ reply is never taken for the next READ of the same servo (no address in STS replies)',
    T,
    async () => {
      // Wide margins both ways (150 ms), so timers firing late on a busy machine cannot move the reply into the window.
      const { bus, sim } = makeBus({ latencyMs: 300 });
      await using _ = bus;
      sim.faults.extraDelayUs = 450_000; // past the 300 ms window, but inside the next call's
      await assert.rejects(bus.read(1, 'Firmware_Major_Version'), ServoNoReplyError);
      // Issued at once: without a pause the major version (3) lands in this call's window and reads as the minor.
      const minor = await bus.read(1, 'Firmware_Minor_Version').catch((e: unknown) => e);
      if (typeof minor === 'number') assert.notEqual(minor, 3, 'the late major version was taken as the minor');
      else assert.ok(minor instanceof ServoNoReplyError, String(minor));
      sim.faults.extraDelayUs = 0;
      assert.equal(await bus.read(1, 'Firmware_Minor_Version'), 10);
      assert.ok(bus.stats.staleBytes >= 7, 'the late reply was counted stale');
    },
  );

  test('the port vanishing mid-call rejects the running and queued calls with BusClosedError', T, async () => {
    const { bus, sim, transport } = makeBus();
    sim.faults.dropRepliesFrom = [1];
    const running = bus.ping(1);
    const queued = bus.readModel(2);
    setTimeout(() => transport.unplug(), 5);
    for (const call of [running, queued]) {
      await assert.rejects(call, (err: unknown) => {
        assert.ok(err instanceof BusClosedError);
        assert.ok(err.cause instanceof SerialPortDisconnectedError);
        assert.match(err.message, /disconnected/);
        return true;
      });
    }
    assert.equal(bus.isOpen, false);
    await assert.rejects(bus.ping(2), BusClosedError);
    await bus.close();
  });

  test('close() rejects queued calls and closes the transport it owns; ownsTransport: false keeps it', T, async () => {
    const { bus, transport } = makeBus();
    const pending = bus.ping(1);
    const queued = bus.ping(2);
    await bus.close();
    await assert.rejects(pending, BusClosedError);
    await assert.rejects(queued, BusClosedError);
    assert.equal(transport.isOpen, false);

    const shared = new SimTransport();
    const borrowed = new FeetechBus(shared, { ownsTransport: false });
    await borrowed.close();
    assert.equal(shared.isOpen, true);
    const again = new FeetechBus(shared);
    await again.ping(1);
    await again.close();
  });

  test('invalid ids and addresses reject the call without arming a transaction', T, async () => {
    const { bus } = makeBus();
    await using _ = bus;
    await assert.rejects(bus.ping(300), { name: 'ServoIdError' });
    await assert.rejects(bus.read(1, 300, 2), { name: 'RegisterValueError' });
    await bus.ping(1);
  });
});
