// The driver over a real `serialport` on a socat pty pair, with the simulator relayed behind it (SimPty).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { BusClosedError, ServoNoReplyError } from '../../src/io/serial/feetechBusErrors';
import {
  SerialPortBusyError,
  SerialPortDisconnectedError,
  SerialPortNotFoundError,
} from '../../src/io/serial/serialPortErrors';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { SimPty, SimPtyError, SocatMissingError } from '../../src/io/serial/simPty';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;
const skip = socatMissing ? 'socat is not installed (sudo apt install socat)' : false;
const ALL = [1, 2, 3, 4, 5, 6];
const WINDOW_MS = 2000;
// Deadlines bound a hang only (nothing here is about speed): generous, for a busy machine.
const T = { timeout: 180_000 };

function waitFor<T>(register: (resolve: (v: T) => void) => void, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

describe('FeetechBus over serialport on a socat pty', { skip }, () => {
  let dir: string;
  let pty: SimPty;
  let bus: FeetechBus;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'so100-pty-test-'));
    pty = await SimPty.start({ path: join(dir, 'arm') });
    // A wider window than LeRobot's 50 ms: the test runner shares two cores between several test files.
    // The reply window is wide: behind the pty the simulator shares a busy machine, and "no timeout in 2000
    // transactions" is a claim about the pipeline, not about the scheduler's worst moment.
    bus = new FeetechBus(await SerialPortTransport.open(pty.path), { latencyMs: WINDOW_MS });
  });

  after(async () => {
    await bus?.close();
    await pty?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('ping and model 777 on ids 1–6', T, async () => {
    for (const id of ALL) {
      await bus.ping(id);
      assert.equal(await bus.readModel(id), 777);
    }
  });

  test('a servo that is not there → ServoNoReplyError', T, async () => {
    await assert.rejects(bus.ping(7), { name: 'ServoNoReplyError', id: 7 });
    pty.sim.faults.dropRepliesFrom = [4];
    await assert.rejects(bus.syncRead('Present_Position', ALL), (err: unknown) => {
      assert.ok(err instanceof ServoNoReplyError);
      assert.deepEqual(err.missingIds, [4]);
      assert.match(
        err.message,
        new RegExp(`on ${pty.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} did not answer SYNC_READ`),
      );
      assert.match(err.message, new RegExp(`within ${WINDOW_MS}\\.\\d ms`));
      return true;
    });
    pty.sim.faults.dropRepliesFrom = [];
  });

  test('1000 SYNC_READ + SYNC_WRITE cycles without a timeout, and the joints follow', T, async () => {
    for (const id of ALL) {
      await bus.write(id, 'Return_Delay_Time', 0); // what LeRobot's configure() does
      await bus.write(id, 'Torque_Enable', 1);
    }
    bus.resetStats();
    let lowest = Infinity;
    let highest = -Infinity;
    let lastGoal = 2048;
    for (let i = 0; i < 1000; i++) {
      const positions = await bus.syncRead('Present_Position', ALL);
      assert.equal(positions.size, 6);
      for (const p of positions.values()) {
        lowest = Math.min(lowest, p);
        highest = Math.max(highest, p);
      }
      const goal = (lastGoal = 2048 + Math.round(300 * Math.sin(i / 50)));
      await bus.syncWrite(
        'Goal_Position',
        ALL.map((id) => [id, goal] as [number, number]),
      );
    }
    const s = bus.stats;
    assert.equal(s.transactions, 2000);
    assert.equal(s.timeouts + s.corrupt + s.staleBytes, 0);
    assert.equal(s.bytesRead, 1000 * 6 * 8);
    assert.ok(lowest < 1900 && highest > 2200, `the joints followed the goals (seen ${lowest}..${highest})`);
    // The joints move in simulated real time: wait until they arrive (bounded), then check where they stopped.
    let settled = await bus.syncRead('Present_Position', ALL);
    for (let i = 0; ALL.some((id) => Math.abs(settled.get(id)! - lastGoal) > 2) && i < 300; i++) {
      await new Promise((r) => setTimeout(r, 50));
      settled = await bus.syncRead('Present_Position', ALL);
    }
    for (const id of ALL)
      assert.ok(Math.abs(settled.get(id)! - lastGoal) <= 2, `id ${id} at ${settled.get(id)}, goal ${lastGoal}`);
  });

  test('a second opener of the same port gets SerialPortBusyError naming the usual suspects', T, async () => {
    await assert.rejects(SerialPortTransport.open(pty.path), (err: unknown) => {
      assert.ok(err instanceof SerialPortBusyError);
      assert.equal(err.path, pty.path);
      assert.match(err.message, /in use by another program: close LeRobot .*phosphobot/);
      return true;
    });
  });
});

describe('serial port failures', { skip }, () => {
  test('killing socat (the port vanishing) → onClose with SerialPortDisconnectedError; calls reject', T, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'so100-pty-test-'));
    const pty = await SimPty.start({ path: join(dir, 'arm') });
    try {
      const transport = await SerialPortTransport.open(pty.path);
      const bus = new FeetechBus(transport, { latencyMs: 10_000 }); // the pending call must end by the close, not its window
      await using _ = bus;
      await bus.ping(1);
      const closed = waitFor<Error | undefined>((r) => transport.onClose(r), 5000, 'onClose');
      const exited = waitFor<Error>((r) => pty.onExit(r), 5000, 'SimPty.onExit');
      pty.sim.faults.dropRepliesFrom = [2];
      const pending = assert.rejects(bus.ping(2), BusClosedError);
      process.kill(pty.socatPid!, 'SIGKILL');
      const err = await closed;
      assert.ok(err instanceof SerialPortDisconnectedError, String(err));
      assert.match(err.message, /disconnected: the USB adapter was unplugged/);
      assert.match((await exited).message, /socat exited/);
      await pending;
      await assert.rejects(bus.ping(1), BusClosedError);
    } finally {
      await pty.close();
      assert.equal(existsSync(join(dir, 'arm')), false, 'the dangling link was removed');
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a path that does not exist → SerialPortNotFoundError with what to check', T, async () => {
    await assert.rejects(SerialPortTransport.open('/dev/ttyACM-so100-nonexistent'), (err: unknown) => {
      assert.ok(err instanceof SerialPortNotFoundError);
      assert.equal(err.path, '/dev/ttyACM-so100-nonexistent');
      assert.match(err.message, /no serial port \/dev\/ttyACM-so100-nonexistent\./);
      assert.ok(Array.isArray(err.available));
      return true;
    });
  });

  test('SimPty never clobbers an existing file, clears a stale link, and reports a missing socat', T, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'so100-pty-test-'));
    try {
      const file = join(dir, 'notes.txt');
      await writeFile(file, 'keep me');
      await assert.rejects(
        SimPty.start({ path: file }),
        (err: unknown) => err instanceof SimPtyError && /already exists/.test(err.message),
      );
      assert.equal(await readFile(file, 'utf8'), 'keep me');

      const stale = join(dir, 'stale');
      await symlink('/dev/pts/999999', stale);
      const pty = await SimPty.start({ path: stale });
      try {
        await using bus = new FeetechBus(await SerialPortTransport.open(stale), { latencyMs: 250 });
        assert.equal(await bus.readModel(1), 777);
      } finally {
        await pty.close();
      }

      await assert.rejects(SimPty.start({ path: join(dir, 'x'), socatPath: '/nonexistent/socat' }), (err: unknown) => {
        assert.ok(err instanceof SocatMissingError);
        assert.match(err.message, /apt install socat/);
        return true;
      });
      await assert.rejects(SimPty.start({ path: join(dir, 'a,b') }), SimPtyError);
      await assert.rejects(SimPty.start({ path: join(dir, 'no-such-dir', 'arm') }), /does not exist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
