// So100Robot over the driver's real packet path against the in-process STS3215 bus simulator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeetechBusSim, Sts3215Servo } from '../../src/core/sim';
import { SO100_MOTORS, motorId, perMotor, type So100Calibration } from '../../src/core/so100';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { ServoHardwareError } from '../../src/io/serial/feetechBusErrors';
import type { ByteTransport } from '../../src/io/serial/byteTransport';
import { Instruction, InstructionParser } from '../../src/core/feetech';
import { WireLog } from '../helpers/wireLog';
import { withWrite } from '../helpers/writeThrough';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { RobotHandshakeError, UnsafeActionError } from '../../src/io/robot/robotErrors';

const calibration: So100Calibration = perMotor((m) => ({
  id: motorId(m),
  drive_mode: 0,
  homing_offset: 10,
  range_min: m === 'wrist_roll' ? 0 : 1024,
  range_max: m === 'wrist_roll' ? 4095 : 3072,
}));

function simArm(servos?: Sts3215Servo[]) {
  const sim = new FeetechBusSim();
  if (servos) {
    for (const s of [...sim.servos]) sim.removeServo(s.id);
    for (const s of servos) sim.addServo(s);
  }
  return { sim, bus: new FeetechBus(new SimTransport(sim)) };
}

const reg = (sim: FeetechBusSim, id: number, name: string) => sim.servo(id)!.readRegister(name);

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('So100Robot on the simulated bus', () => {
  test('connect writes a differing calibration, then configures every servo as LeRobot does', async () => {
    const { sim, bus } = simArm();
    let written: readonly string[] = [];
    await using robot = await So100Robot.connect(bus, {
      calibration,
      bodyMode: 'DEGREES',
      onCalibrationWritten: (m) => {
        written = m;
      },
    });
    assert.deepEqual(written, [...SO100_MOTORS]);
    assert.match(robot.firmware, /^\d+\.\d+$/);
    for (const m of SO100_MOTORS) {
      const id = motorId(m);
      assert.equal(reg(sim, id, 'Homing_Offset'), 10);
      assert.equal(reg(sim, id, 'Min_Position_Limit'), calibration[m].range_min);
      assert.equal(reg(sim, id, 'Return_Delay_Time'), 0);
      assert.equal(reg(sim, id, 'Acceleration'), 254);
      assert.equal(reg(sim, id, 'Maximum_Acceleration'), 254);
      assert.equal(reg(sim, id, 'Operating_Mode'), 0);
      assert.deepEqual(
        [reg(sim, id, 'P_Coefficient'), reg(sim, id, 'I_Coefficient'), reg(sim, id, 'D_Coefficient')],
        [16, 0, 32],
      );
      assert.equal(reg(sim, id, 'Torque_Enable'), 1);
      assert.equal(reg(sim, id, 'Lock'), 1);
    }
    assert.equal(reg(sim, 6, 'Max_Torque_Limit'), 500);
    assert.equal(reg(sim, 6, 'Protection_Current'), 250);
    assert.equal(reg(sim, 6, 'Overload_Torque'), 25);
  });

  test('a second connect finds the arm calibrated and writes nothing; multi-turn Phase is cleared', async () => {
    const { sim, bus } = simArm(SO100_MOTORS.map((m) => new Sts3215Servo({ id: motorId(m), phase: 0x1c })));
    let calls = 0;
    const first = await So100Robot.connect(bus, {
      calibration,
      bodyMode: 'DEGREES',
      onCalibrationWritten: () => {
        calls++;
      },
    });
    assert.equal(reg(sim, 1, 'Phase') & 0x10, 0);
    await first.disconnect();
    await using second = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), {
      calibration,
      bodyMode: 'DEGREES',
      onCalibrationWritten: () => {
        calls++;
      },
    });
    assert.equal(calls, 1);
    assert.ok(second);
  });

  test('observe normalises Present_Position; act moves the joints toward safe targets', async () => {
    const { bus } = simArm();
    await using robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    const obs = await robot.observe();
    // Sim joints start at raw 2048 with offset 10 → Present 2038; DEGREES = (2038 − 2048)·360/4095.
    assert.equal(obs.raw.shoulder_pan, 2038);
    assert.ok(Math.abs(obs.positions.shoulder_pan - (-10 * 360) / 4095) < 1e-9);
    const target = {
      ...obs.positions,
      shoulder_pan: obs.positions.shoulder_pan + 5,
      gripper: obs.positions.gripper + 10,
    };
    const r = await robot.act(target);
    assert.equal(r.clamped.length, 0);
    assert.ok(
      await until(
        async () => Math.abs((await robot.observe()).positions.shoulder_pan - target.shoulder_pan) < 0.5,
        3000,
      ),
      'shoulder_pan reaches its goal',
    );
  });

  test('NaN in an action is refused and nothing reaches the servos', async () => {
    const { sim, bus } = simArm();
    await using robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    const obs = await robot.observe();
    const goalsBefore = SO100_MOTORS.map((m) => reg(sim, motorId(m), 'Goal_Position'));
    await assert.rejects(robot.act({ ...obs.positions, elbow_flex: NaN }), (e: unknown) => {
      assert.ok(e instanceof UnsafeActionError);
      assert.equal(e.motor, 'elbow_flex');
      assert.match(e.message, /NaN for elbow_flex.*nothing was sent/);
      return true;
    });
    await assert.rejects(robot.act({ shoulder_pan: 0 }), /no target for shoulder_lift/);
    assert.deepEqual(
      SO100_MOTORS.map((m) => reg(sim, motorId(m), 'Goal_Position')),
      goalsBefore,
    );
  });

  test('far targets are capped per tick and to the calibrated range, and the caps are reported', async () => {
    const { sim, bus } = simArm();
    await using robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    const obs = await robot.observe();
    const r = await robot.act({ ...obs.positions, shoulder_lift: obs.positions.shoulder_lift + 90, gripper: 500 });
    const lift = r.clamped.find((c) => c.motor === 'shoulder_lift');
    assert.equal(lift?.reason, 'step');
    assert.ok(
      Math.abs(r.sent.shoulder_lift - (obs.positions.shoulder_lift + 8)) < 0.1,
      'default body cap: 8° per tick',
    );
    assert.ok(r.clamped.some((c) => c.motor === 'gripper'));
    assert.ok(r.sent.gripper <= 100);
    // What the servo holds is exactly what was reported as sent.
    assert.equal(reg(sim, 2, 'Goal_Position'), r.raw.shoulder_lift);
  });

  test('torqueOff on the way out leaves the arm limp', async () => {
    const { sim, bus } = simArm();
    const robot = await So100Robot.connect(bus, { calibration, bodyMode: 'RANGE_M100_100' });
    await robot.disconnect();
    for (const m of SO100_MOTORS) assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 0);
    await robot.disconnect(); // idempotent
  });
});

describe('So100Robot handshake failures', () => {
  test('a missing servo is named with the likely causes', async () => {
    const { bus } = simArm(
      SO100_MOTORS.filter((m) => m !== 'wrist_flex').map((m) => new Sts3215Servo({ id: motorId(m) })),
    );
    await assert.rejects(So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' }), (e: unknown) => {
      assert.ok(e instanceof RobotHandshakeError);
      assert.match(e.message, /no answer from servo 4 .*power supply/);
      return true;
    });
    await bus.close();
  });

  test('a wrong model and mixed firmware are refused', async () => {
    const wrong = simArm(
      SO100_MOTORS.map((m) => new Sts3215Servo({ id: motorId(m), modelNumber: m === 'gripper' ? 2825 : undefined })),
    );
    await assert.rejects(
      So100Robot.connect(wrong.bus, { calibration, bodyMode: 'DEGREES' }),
      /expected STS3215 servos \(model 777\).*id 6 is model 2825/,
    );
    await wrong.bus.close();
    const mixed = simArm(
      SO100_MOTORS.map(
        (m) => new Sts3215Servo({ id: motorId(m), firmware: m === 'elbow_flex' ? { major: 3, minor: 9 } : undefined }),
      ),
    );
    await assert.rejects(
      So100Robot.connect(mixed.bus, { calibration, bodyMode: 'DEGREES' }),
      /different firmware .*id 3: 3\.9/,
    );
    await mixed.bus.close();
  });
});

describe('So100Robot and servo status error bits', () => {
  const goals = (sim: FeetechBusSim) => SO100_MOTORS.map((m) => reg(sim, motorId(m), 'Goal_Position'));

  test('overheat + inputVoltage on servo 2: observe throws ServoHardwareError, act refuses, no goal changes', async () => {
    const { sim, bus } = simArm();
    await using robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    const obs = await robot.observe();
    sim.faults.errorBits[2] = ['overheat', 'inputVoltage'];
    const before = goals(sim);
    await assert.rejects(robot.observe(), (e: unknown) => {
      assert.ok(e instanceof ServoHardwareError, String(e));
      assert.equal(e.id, 2);
      assert.deepEqual([...e.bits].sort(), ['inputVoltage', 'overheat']);
      assert.match(e.message, /servo 2 .*shoulder_lift/);
      assert.match(e.message, /power supply/, 'voltage advice');
      assert.match(e.message, /let it cool/, 'overheat advice');
      assert.match(e.message, /No goal is sent/);
      return true;
    });
    const target = { ...obs.positions, shoulder_pan: obs.positions.shoulder_pan + 5 };
    await assert.rejects(
      robot.act(target, obs.positions),
      (e: unknown) => e instanceof ServoHardwareError && e.id === 2,
    );
    assert.deepEqual(goals(sim), before, 'Goal_Position registers unchanged after the refused tick');

    delete sim.faults.errorBits[2];
    const clean = await robot.observe();
    assert.deepEqual(clean.servoErrors, []);
    const r = await robot.act(target, clean.positions);
    assert.equal(reg(sim, 1, 'Goal_Position'), r.raw.shoulder_pan, 'acting works again once the servo is clean');
  });

  test("every named bit but the gripper's overload is fatal; the gripper's overload is reported as a warning", async () => {
    const { sim, bus } = simArm();
    const warnings: string[] = [];
    await using robot = await So100Robot.connect(bus, {
      calibration,
      bodyMode: 'DEGREES',
      onServoWarning: (r) => warnings.push(`${r.motor}:${r.tolerated.join('+')}`),
    });
    for (const bit of ['inputVoltage', 'angleSensor', 'overheat', 'overCurrent', 'overload'] as const) {
      sim.faults.errorBits[3] = [bit];
      await assert.rejects(
        robot.observe(),
        (e: unknown) => e instanceof ServoHardwareError && e.id === 3 && e.bits.includes(bit),
        bit,
      );
      delete sim.faults.errorBits[3];
    }
    sim.faults.errorBits[6] = ['overload'];
    const obs = await robot.observe();
    assert.deepEqual(
      obs.servoErrors.map((r) => [r.motor, r.fatal, r.tolerated]),
      [['gripper', [], ['overload']]],
    );
    assert.deepEqual(warnings, ['gripper:overload']);
    await robot.act(obs.positions, obs.positions); // a grasping gripper does not stop the arm
    sim.faults.errorBits[6] = ['overload', 'overheat'];
    await assert.rejects(
      robot.observe(),
      (e: unknown) => e instanceof ServoHardwareError && e.id === 6 && e.bits.includes('overheat'),
    );
    delete sim.faults.errorBits[6];
  });

  test('two faulty servos: the error names the first and mentions the other', async () => {
    const { sim, bus } = simArm();
    await using robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    sim.faults.errorBits[2] = ['overheat'];
    sim.faults.errorBits[5] = ['angleSensor'];
    await assert.rejects(
      robot.observe(),
      (e: unknown) =>
        e instanceof ServoHardwareError &&
        e.id === 2 &&
        /servo 5 \(wrist_roll\) also reports angleSensor/.test(e.message),
    );
    sim.faults.errorBits = {};
  });

  test('torqueOff still makes an overheated arm limp: a reply with error bits acknowledges the write', async () => {
    const { sim, bus } = simArm();
    const robot = await So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' });
    sim.faults.errorBits[2] = ['overheat'];
    const { failed } = await robot.torqueOff();
    assert.deepEqual(failed, []);
    for (const m of SO100_MOTORS) assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 0, `${m} limp`);
    await robot.disconnect();
  });

  test('connect to an arm whose servo reports error bits fails with that servo\'s error, not "no answer"', async () => {
    const { sim, bus } = simArm();
    sim.faults.errorBits[4] = ['inputVoltage'];
    await assert.rejects(
      So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' }),
      (e: unknown) => e instanceof ServoHardwareError && e.id === 4 && /power supply/.test(e.message),
    );
    await bus.close();
  });
});

/** Passes everything through, except that it can swallow the next N WRITE packets to one id (a flaky cable). */
function flakyWrites(inner: ByteTransport) {
  const parser = new InstructionParser();
  const drop = { id: -1, left: 0, dropped: 0 };
  const transport = withWrite(inner, async (bytes) => {
    // Tests write whole packets; each packet is judged on its own.
    const packets = parser.push(bytes);
    if (
      packets.length === 1 &&
      packets[0].instruction === Instruction.WRITE &&
      packets[0].id === drop.id &&
      drop.left > 0
    ) {
      drop.left--;
      drop.dropped++;
      return;
    }
    return inner.write(bytes);
  });
  return { transport, dropNextWrites: (id: number, n: number) => Object.assign(drop, { id, left: n }), drop };
}

describe('So100Robot torqueOff and disconnect options', () => {
  test('the first 3 writes to servo 4 lost: torqueOff retries and the arm still ends limp', async () => {
    const sim = new FeetechBusSim();
    const flaky = flakyWrites(new SimTransport(sim));
    const robot = await So100Robot.connect(new FeetechBus(flaky.transport), { calibration, bodyMode: 'DEGREES' });
    assert.equal(reg(sim, 4, 'Torque_Enable'), 1);
    flaky.dropNextWrites(4, 3);
    const { failed } = await robot.torqueOff();
    assert.deepEqual(failed, []);
    assert.equal(flaky.drop.dropped, 3, 'three torque-off writes to servo 4 were lost');
    for (const m of SO100_MOTORS) assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 0, `${m} limp`);
    assert.equal(reg(sim, 4, 'Lock'), 0);
    assert.ok(robot.bus.stats.retries >= 3);
    await robot.disconnect();
  });

  test('more losses than 5 retries: that servo is reported, the others still go limp', async () => {
    const sim = new FeetechBusSim();
    const flaky = flakyWrites(new SimTransport(sim));
    const robot = await So100Robot.connect(new FeetechBus(flaky.transport), { calibration, bodyMode: 'DEGREES' });
    flaky.dropNextWrites(4, 6); // the first try and all 5 retries
    const { failed } = await robot.torqueOff();
    assert.deepEqual(failed, ['wrist_flex']);
    assert.equal(reg(sim, 4, 'Torque_Enable'), 1, 'servo 4 never heard it');
    for (const m of SO100_MOTORS.filter((x) => x !== 'wrist_flex'))
      assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 0, `${m} limp`);
    await robot.disconnect(); // the drops are used up: disconnect's own torque-off gets through
    assert.equal(reg(sim, 4, 'Torque_Enable'), 0);
  });

  test('disableTorqueOnDisconnect: false keeps torque on after disconnect and writes no torque-off', async () => {
    const sim = new FeetechBusSim();
    const wire = new WireLog();
    const robot = await So100Robot.connect(new FeetechBus(wire.wrap(new SimTransport(sim))), {
      calibration,
      bodyMode: 'DEGREES',
      disableTorqueOnDisconnect: false,
    });
    const mark = wire.mark();
    await robot.disconnect();
    assert.equal(robot.bus.isOpen, false, 'the bus is closed');
    assert.deepEqual(
      wire.events.filter((e) => e.seq >= mark),
      [],
      'nothing was written on the way out',
    );
    for (const m of SO100_MOTORS) assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 1, `${m} still holds`);
  });

  test('by default disconnect writes Torque_Enable=0 to every servo', async () => {
    const sim = new FeetechBusSim();
    const wire = new WireLog();
    const robot = await So100Robot.connect(new FeetechBus(wire.wrap(new SimTransport(sim))), {
      calibration,
      bodyMode: 'DEGREES',
    });
    const mark = wire.mark();
    await robot.disconnect();
    const offs = wire.events
      .filter((e) => e.seq >= mark && e.kind === 'torque' && e.value === 0)
      .map((e) => e.kind === 'torque' && e.id);
    assert.deepEqual(offs, [1, 2, 3, 4, 5, 6]);
    for (const m of SO100_MOTORS) assert.equal(reg(sim, motorId(m), 'Torque_Enable'), 0);
  });
});
