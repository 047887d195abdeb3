// The order of LeRobot's configure() as it reaches the wire (torque and Lock off for every servo before any
// configuration write, torque then Lock back on last), and EEPROM settings that survive a power cycle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FeetechBusSim } from '../../src/core/sim';
import { SO100_MOTORS, motorId, perMotor, type So100Calibration } from '../../src/core/so100';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { WireLog, type WireEvent } from '../helpers/wireLog';

const calibration: So100Calibration = perMotor((m) => ({
  id: motorId(m),
  drive_mode: 0,
  homing_offset: -35,
  range_min: m === 'wrist_roll' ? 0 : 900,
  range_max: m === 'wrist_roll' ? 4095 : 3100,
}));
const IDS = SO100_MOTORS.map(motorId);

type Switch = 'torque' | 'lock';
/** Torque_Enable / Lock writes as (switch, id, value); undefined for any other event. */
function switchOf(e: WireEvent): { which: Switch; id: number; value: number } | undefined {
  if (e.kind === 'torque') return { which: 'torque', id: e.id, value: e.value };
  if (e.kind === 'write' && e.register === 'Lock') return { which: 'lock', id: e.id, value: e.value };
  return undefined;
}
const isConfigWrite = (e: WireEvent) => e.kind === 'write' && e.register !== 'Lock';

/** At every configuration write, every servo's last Torque_Enable and Lock writes on the wire were 0. */
function assertConfigWritesUnlocked(events: readonly WireEvent[]): number {
  const state = new Map<string, number>();
  let checked = 0;
  for (const e of events) {
    const s = switchOf(e);
    if (s) {
      state.set(`${s.which} ${s.id}`, s.value);
      continue;
    }
    if (!isConfigWrite(e)) continue;
    checked++;
    for (const id of IDS) {
      for (const which of ['torque', 'lock'] as const) {
        assert.equal(
          state.get(`${which} ${id}`),
          0,
          `${e.kind === 'write' ? `${e.register} of servo ${e.id}` : '?'} was written while servo ${id}'s ${which} was ${state.get(`${which} ${id}`) ?? 'never switched off'}`,
        );
      }
    }
  }
  return checked;
}

/** The connect ends with Torque_Enable=1 then Lock=1 per servo, after the holding goal, and nothing enables earlier. */
function assertEnabledLast(events: readonly WireEvent[]): void {
  const tail = events.slice(-IDS.length * 2).map((e) => switchOf(e));
  assert.deepEqual(
    tail,
    IDS.flatMap((id) => [
      { which: 'torque', id, value: 1 },
      { which: 'lock', id, value: 1 },
    ]),
    'torque then Lock on, servo by servo, last',
  );
  const head = events.slice(0, -IDS.length * 2);
  assert.deepEqual(
    head.filter((e) => switchOf(e)?.value === 1),
    [],
    'nothing is enabled or locked before the end',
  );
  const goal = head.findLastIndex((e) => e.kind === 'goal');
  assert.ok(
    goal >= 0 && head.slice(goal + 1).every((e) => e.kind !== 'write'),
    'the holding goal is the last thing before torque comes on',
  );
}

function connectLogged(sim: FeetechBusSim) {
  const wire = new WireLog();
  const bus = new FeetechBus(wire.wrap(new SimTransport(sim)));
  return { wire, connecting: So100Robot.connect(bus, { calibration, bodyMode: 'DEGREES' }) };
}

describe('So100Robot.connect: configure() order on the wire', () => {
  test('first connect (calibration written too): torque and Lock off everywhere before each configuration write, on last', async () => {
    const sim = new FeetechBusSim();
    const { wire, connecting } = connectLogged(sim);
    const robot = await connecting;
    try {
      const checked = assertConfigWritesUnlocked(wire.events);
      // 3 calibration registers + 7 configure() registers per servo, plus the gripper's 3 limits.
      assert.equal(checked, IDS.length * (3 + 7) + 3, 'every calibration and configuration write was checked');
      const offsets = wire.events.flatMap((e) => (e.kind === 'write' && e.register === 'Homing_Offset' ? [e.id] : []));
      assert.deepEqual(offsets, IDS, 'the calibration was written');
      assertEnabledLast(wire.events);
    } finally {
      await robot.disconnect();
    }
  });

  test('connect to a calibrated arm: the same order for configure() alone', async () => {
    const sim = new FeetechBusSim();
    await (await connectLogged(sim).connecting).disconnect();
    const { wire, connecting } = connectLogged(sim);
    const robot = await connecting;
    try {
      assert.equal(
        wire.events.filter((e) => e.kind === 'write' && e.register === 'Homing_Offset').length,
        0,
        'nothing to calibrate',
      );
      const firstConfig = wire.events.findIndex(isConfigWrite);
      const offsBefore = wire.events
        .slice(0, firstConfig)
        .map(switchOf)
        .filter((s) => s?.value === 0);
      assert.equal(
        offsBefore.length,
        IDS.length * 2,
        'every Torque_Enable=0 and Lock=0 comes before the first configuration write',
      );
      assertConfigWritesUnlocked(wire.events);
      assertEnabledLast(wire.events);
    } finally {
      await robot.disconnect();
    }
  });

  test("after connect, a power cycle keeps the calibration and configure()'s EEPROM settings", async () => {
    const sim = new FeetechBusSim();
    const robot = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), { calibration, bodyMode: 'DEGREES' });
    await robot.disconnect();
    for (const m of SO100_MOTORS) {
      const servo = sim.servo(motorId(m))!;
      servo.powerCycle();
      const reg = (name: string) => servo.readRegister(name);
      assert.deepEqual(
        [reg('Homing_Offset'), reg('Min_Position_Limit'), reg('Max_Position_Limit')],
        [calibration[m].homing_offset, calibration[m].range_min, calibration[m].range_max],
        `${m} calibration survives`,
      );
      assert.deepEqual(
        [
          reg('Return_Delay_Time'),
          reg('Maximum_Acceleration'),
          reg('Operating_Mode'),
          reg('P_Coefficient'),
          reg('I_Coefficient'),
          reg('D_Coefficient'),
        ],
        [0, 254, 0, 16, 0, 32],
        `${m} configuration survives`,
      );
      assert.equal(reg('Phase') & 0x10, 0, `${m} multi-turn stays off`);
      assert.equal(reg('Torque_Enable'), 0, `${m} comes back limp (SRAM)`);
    }
    const gripper = sim.servo(motorId('gripper'))!;
    assert.deepEqual(
      [
        gripper.readRegister('Max_Torque_Limit'),
        gripper.readRegister('Protection_Current'),
        gripper.readRegister('Overload_Torque'),
      ],
      [500, 250, 25],
    );
    // And the next connect finds everything in place: nothing to rewrite.
    let rewritten: readonly string[] = [];
    const again = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), {
      calibration,
      bodyMode: 'DEGREES',
      onCalibrationWritten: (ms) => {
        rewritten = ms;
      },
    });
    await again.disconnect();
    assert.deepEqual(rewritten, []);
  });
});
