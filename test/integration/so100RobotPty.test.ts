// The SO-100 stack as it runs against a real arm — serialport's native binding on a real pseudo-terminal —
// with the simulated arm behind socat: calibrate, configure, 1000 observe/act cycles, and each bus fault
// giving its typed error while nothing unsafe is written.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeetechBusSim } from '../../src/core/sim';
import { SO100_MOTORS, motorId, perMotor, type So100Calibration } from '../../src/core/so100';
import { FeetechBus, type FeetechBusOptions } from '../../src/io/serial/feetechBus';
import {
  BusClosedError,
  ServoCorruptReplyError,
  ServoHardwareError,
  ServoNoReplyError,
} from '../../src/io/serial/feetechBusErrors';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { SimPty } from '../../src/io/serial/simPty';
import { runCalibration } from '../../src/io/robot/calibrationSession';
import { SimulatedCalibrationUser } from '../../src/io/robot/simulatedCalibrationUser';
import { So100Robot, type So100RobotOptions } from '../../src/io/robot/so100Robot';
import { UnsafeActionError } from '../../src/io/robot/robotErrors';
import { WireLog } from '../helpers/wireLog';

const socat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
const T = { timeout: 60_000, skip: socat ? false : 'socat is not installed (apt install socat)' };

/** Polls `attempt` until it resolves; rethrows its last error after `timeoutMs`. */
async function eventually<V>(attempt: () => Promise<V>, timeoutMs: number): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('SO-100 over a real pty (serialport ↔ socat ↔ simulated arm)', { skip: T.skip }, () => {
  let dir: string;
  let pty: SimPty;
  let sim: FeetechBusSim;
  let calibration: So100Calibration;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'so100-pty-'));
    sim = new FeetechBusSim();
    pty = await SimPty.start({ path: join(dir, 'arm'), sim });
  });
  after(async () => {
    await pty?.close();
    await rm(dir, { recursive: true, force: true });
  });

  // A wide reply window and two retries per call: behind the pty the simulator shares a busy machine, and this
  // file checks what is written, not how fast; the faults below set their own window and retries where they matter.
  const openBus = async (options: FeetechBusOptions = { retries: 2, latencyMs: 1000 }) =>
    new FeetechBus(await SerialPortTransport.open(pty.path), options);
  /** Connects on a fresh bus; a failed connect closes it again so the port is free for the next test. */
  const connectRobot = async (options: Partial<So100RobotOptions> = {}, busOptions?: FeetechBusOptions) => {
    const bus = await openBus(busOptions);
    try {
      return await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES', ...options });
    } catch (err) {
      await bus.close();
      throw err;
    }
  };

  test('calibrate, then connect + configure finds the calibration on the servos', T, async () => {
    const bus = await openBus();
    const log: string[] = [];
    let robot: So100Robot | undefined;
    try {
      // A slow sweep: under a loaded machine a read can stall for a while, and a sweep faster than the sampling
      // would look like a jump across the encoder wrap.
      const cal = await runCalibration(bus, new SimulatedCalibrationUser(sim, (l) => log.push(l), 2500));
      assert.ok(cal, `calibration finished; it said:\n${log.join('\n')}`);
      calibration = cal;
      let rewritten = false;
      robot = await So100Robot.connect(bus, {
        calibration,
        bodyMode: 'DEGREES',
        onCalibrationWritten: () => {
          rewritten = true;
        },
      });
      assert.equal(rewritten, false, 'connect found the calibration already on the servos');
      for (const m of SO100_MOTORS)
        assert.equal(sim.servo(motorId(m))!.readRegister('Torque_Enable'), 1, `${m} torque on`);
    } finally {
      if (robot) await robot.disconnect();
      else await bus.close();
    }
  });

  test('1000 observe/act cycles: every goal written is finite, in range and within the step cap', T, async () => {
    assert.ok(calibration, 'needs the calibration of the previous test');
    const robot = await connectRobot();
    try {
      let clampedTicks = 0;
      const start = await robot.observe();
      for (let i = 0; i < 1000; i++) {
        const obs = await robot.observe();
        // A wandering target, sometimes far away, sometimes NaN: the robot must filter every one.
        const target = Object.fromEntries(
          SO100_MOTORS.map((m, j) => [m, start.positions[m] + 40 * Math.sin(i / 50 + j) + (i % 97 === 0 ? 500 : 0)]),
        ) as Record<string, number>;
        if (i % 113 === 0) {
          await assert.rejects(robot.act({ ...target, wrist_flex: NaN }, obs.positions), UnsafeActionError);
          continue;
        }
        const r = await robot.act(target, obs.positions);
        if (r.clamped.length) clampedTicks++;
        for (const m of SO100_MOTORS) {
          const c = calibration[m];
          assert.ok(
            Number.isFinite(r.raw[m]) && r.raw[m] >= c.range_min && r.raw[m] <= c.range_max,
            `${m} raw ${r.raw[m]} in range`,
          );
        }
        assert.ok(Math.abs(r.sent.shoulder_pan - obs.positions.shoulder_pan) <= 8 + 1e-6, 'step cap held');
      }
      assert.ok(clampedTicks > 0, 'the far targets were clamped');
    } finally {
      await robot.disconnect();
    }
  });

  test('bus faults give typed errors; a failed read writes nothing; the arm can still be made limp', T, async () => {
    assert.ok(calibration, 'needs the calibration of the first test');
    const robot = await connectRobot({ readRetries: 0 });
    try {
      const goal = () => SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Goal_Position'));
      sim.faults.dropRepliesFrom.push(3);
      const before = goal();
      await assert.rejects(
        robot.observe(),
        (e: unknown) => e instanceof ServoNoReplyError && e.id === 3 && /power supply/.test(e.message),
      );
      assert.deepEqual(goal(), before, 'no write followed the failed read');
      sim.faults.dropRepliesFrom.length = 0;

      sim.faults.corruptChecksumFraction = 1;
      await assert.rejects(
        robot.observe(),
        (e: unknown) => e instanceof ServoCorruptReplyError || e instanceof ServoNoReplyError,
      );
      sim.faults.corruptChecksumFraction = 0.01;
      for (let i = 0; i < 50; i++) await robot.observe().catch(() => undefined); // 1 % corrupt: some reads may fail, none hang
      sim.faults.corruptChecksumFraction = 0;

      sim.faults.errorBits[2] = ['overload'];
      await assert.rejects(
        robot.bus.write(2, 'Goal_Time', 0),
        (e: unknown) => e instanceof ServoHardwareError && e.bits.includes('overload'),
      );
      delete sim.faults.errorBits[2];

      const limp = await robot.torqueOff();
      assert.deepEqual(limp.failed, []);
      for (const m of SO100_MOTORS) assert.equal(sim.servo(motorId(m))!.readRegister('Torque_Enable'), 0);
    } finally {
      await robot.disconnect();
    }
  });

  test(
    'inputVoltage on servo 2: observe throws ServoHardwareError, act refuses, Goal_Position unchanged',
    T,
    async () => {
      assert.ok(calibration, 'needs the calibration of the first test');
      const robot = await connectRobot();
      try {
        const goal = () => SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Goal_Position'));
        const obs = await robot.observe();
        sim.faults.errorBits[2] = ['inputVoltage'];
        const before = goal();
        await assert.rejects(
          robot.observe(),
          (e: unknown) =>
            e instanceof ServoHardwareError &&
            e.id === 2 &&
            e.bits.includes('inputVoltage') &&
            /power supply/.test(e.message),
        );
        await assert.rejects(
          robot.act({ ...obs.positions, shoulder_pan: obs.positions.shoulder_pan + 4 }, obs.positions),
          ServoHardwareError,
        );
        assert.deepEqual(goal(), before, 'no goal was written on the refused tick');
        delete sim.faults.errorBits[2];
        const again = await robot.observe();
        assert.deepEqual(again.servoErrors, []);
      } finally {
        delete sim.faults.errorBits[2];
        await robot.disconnect();
      }
    },
  );
  test(
    'replies later than the window → ServoNoReplyError, no goal written; the arm answers again once the delay is gone',
    T,
    async () => {
      assert.ok(calibration, 'needs the calibration of the first test');
      const robot = await connectRobot({ readRetries: 0 });
      try {
        const goal = () => SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Goal_Position'));
        const window = robot.bus.windowMs(6 * 8);
        sim.faults.extraDelayUs = Math.round(window * 1000) + 250_000; // 250 ms past the SYNC_READ window
        const before = goal();
        await assert.rejects(
          robot.observe(),
          (e: unknown) => e instanceof ServoNoReplyError && e.id === 1 && /did not answer SYNC_READ/.test(e.message),
        );
        assert.deepEqual(goal(), before, 'no write followed the late read');
        sim.faults.extraDelayUs = 0;
        const obs = await eventually(() => robot.observe(), 10_000);
        assert.deepEqual(obs.servoErrors, []);
      } finally {
        sim.faults.extraDelayUs = 0;
        await robot.disconnect();
      }
    },
  );

  test(
    'the cable out (disconnected) → no servo answers: ServoNoReplyError naming all six; torqueOff reports them all',
    T,
    async () => {
      assert.ok(calibration, 'needs the calibration of the first test');
      // Every call here waits out its whole window for six silent servos: a shorter window and one retry keep the
      // wait bounded while still wide enough for the connect on a busy machine.
      const robot = await connectRobot({ readRetries: 0 }, { retries: 1, latencyMs: 250 });
      try {
        sim.faults.disconnected = true;
        await assert.rejects(robot.observe(), (e: unknown) => {
          assert.ok(e instanceof ServoNoReplyError, String(e));
          assert.deepEqual(e.missingIds, [1, 2, 3, 4, 5, 6]);
          assert.match(e.message, /servos 1, 2, 3, 4, 5, 6 .*power supply/);
          return true;
        });
        await assert.rejects(robot.bus.ping(4), ServoNoReplyError);
        const limp = await robot.torqueOff();
        assert.deepEqual(limp.failed, [...SO100_MOTORS], 'nobody acknowledged the torque-off');
        sim.faults.disconnected = false;
        await eventually(() => robot.observe(), 10_000);
      } finally {
        sim.faults.disconnected = false;
        await robot.disconnect();
      }
    },
  );

  test(
    'the pty vanishing in the middle of the observe/act loop → BusClosedError, no goal after it, disconnect() resolves',
    T,
    async () => {
      assert.ok(calibration, 'needs the calibration of the first test');
      const ownSim = new FeetechBusSim();
      const ownPty = await SimPty.start({ path: join(dir, 'vanishing'), sim: ownSim });
      try {
        const wire = new WireLog();
        // A long window: the call in flight must end by the port closing, not by its timeout.
        const bus = new FeetechBus(wire.wrap(await SerialPortTransport.open(ownPty.path)), { latencyMs: 10_000 });
        const robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
        let failure: unknown;
        let cycles = 0;
        try {
          for (; cycles < 500; cycles++) {
            if (cycles === 20) process.kill(ownPty.socatPid!, 'SIGKILL'); // not awaited: the loop goes on meanwhile
            const obs = await robot.observe();
            await robot.act(
              { ...obs.positions, shoulder_pan: obs.positions.shoulder_pan + Math.sin(cycles / 5) },
              obs.positions,
            );
          }
        } catch (err) {
          failure = err;
        }
        assert.ok(cycles >= 20, `the loop ran until the kill (${cycles} cycles)`);
        assert.ok(failure instanceof BusClosedError, `the loop ended with ${String(failure)}`);
        assert.match(failure.message, /closed/);
        const goalsBefore = SO100_MOTORS.map((m) => ownSim.servo(motorId(m))!.readRegister('Goal_Position'));
        const mark = wire.mark();
        await assert.rejects(
          robot.act(
            { shoulder_pan: 0, shoulder_lift: 0, elbow_flex: 0, wrist_flex: 0, wrist_roll: 0, gripper: 50 },
            perMotor(() => 0),
          ),
          BusClosedError,
        );
        await assert.rejects(robot.observe(), BusClosedError);
        assert.deepEqual(wire.goalsAfter(mark), [], 'nothing reached the wire after the port was lost');
        assert.deepEqual(
          SO100_MOTORS.map((m) => ownSim.servo(motorId(m))!.readRegister('Goal_Position')),
          goalsBefore,
        );
        await robot.disconnect(); // resolves: the torque-off attempts fail quietly on a closed bus
        assert.equal(robot.bus.isOpen, false);
      } finally {
        await ownPty.close();
      }
    },
  );
});
