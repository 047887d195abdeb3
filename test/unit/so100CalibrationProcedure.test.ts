import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sts3215Servo } from '../../src/core/sim';
import {
  addSample,
  advanceCalibration,
  CalibrationSampleError,
  CalibrationStateError,
  crossedWrap,
  halfTurnHomingOffset,
  initialCalibrationState,
  normalizePosition,
  parseCalibration,
  perMotor,
  recenterSweep,
  serializeCalibration,
  SO100_MOTORS,
  startSweep,
  type BusCommand,
  type CalibrationEvent,
  type CalibrationStep,
  type MotorName,
  type PerMotor,
} from '../../src/core/so100';

/** Six emulated servos standing in for the arm; the caller side of the protocol, as a CLI would do it. */
class SimArm {
  readonly servos = perMotor((_m, i) => new Sts3215Servo({ id: i + 1, initialPosition: 2048 }));
  readonly log: BusCommand[] = [];

  /** Moves joints by hand (torque is off during calibration). */
  pose(actual: Partial<Record<MotorName, number>>): void {
    for (const [m, raw] of Object.entries(actual)) this.servos[m as MotorName].setActualPosition(raw as number);
  }

  present(): PerMotor<number> {
    return perMotor((m) => this.servos[m].readRegister('Present_Position'));
  }

  /** Runs a step's commands and returns the event that answers them (undefined when the user must act). */
  run(step: CalibrationStep): CalibrationEvent | undefined {
    for (const c of step.commands) {
      this.log.push(c);
      if (c.kind === 'writeRegister') {
        assert.equal(this.servos[c.motor].id, c.id);
        this.servos[c.motor].writeRegister(c.register, c.value);
      }
    }
    const last = step.commands.at(-1);
    if (last?.kind === 'readPositions') return { type: 'positions', raw: this.present() };
    return step.commands.length > 0 ? { type: 'commandsDone' } : undefined;
  }

  /** Feeds events until the machine waits for the user. */
  settle(step: CalibrationStep): CalibrationStep {
    let s = step;
    for (let guard = 0; guard < 10; guard++) {
      const ev = this.run(s);
      if (!ev || s.state.awaiting === 'user') return s;
      s = advanceCalibration(s.state, ev);
      if (s.state.phase === 'recordRanges' || s.state.phase === 'done') return s;
    }
    assert.fail('calibration did not settle');
  }

  /** One poll of the recording loop: read, then feed the sample. */
  poll(step: CalibrationStep): CalibrationStep {
    const ev = this.run(step);
    assert.equal(ev?.type, 'positions');
    return advanceCalibration(step.state, ev!);
  }
}

const BODY_TRAVEL: Record<MotorName, [number, number]> = {
  shoulder_pan: [800, 3300],
  shoulder_lift: [900, 3200],
  elbow_flex: [870, 3100],
  wrist_flex: [850, 3180],
  wrist_roll: [0, 4095],
  gripper: [2000, 3400],
};

/**
 * Moves every swept joint by hand from where it is down to its low end stop and up to its high one, in `n`
 * samples per leg. Steps stay well under half a turn, as they do when polling every 20 ms.
 */
function sweep(
  arm: SimArm,
  step: CalibrationStep,
  travel: Record<MotorName, [number, number]>,
  n = 30,
): CalibrationStep {
  let s = step;
  const start = perMotor((m) => arm.servos[m].actualPosition);
  for (let k = 0; k <= 2 * n; k++) {
    arm.pose(
      perMotor((m) => {
        if (m === 'wrist_roll') return start[m];
        const [lo, hi] = travel[m];
        return Math.round(k <= n ? start[m] + ((lo - start[m]) * k) / n : lo + ((hi - lo) * (k - n)) / n);
      }),
    );
    s = arm.poll(s);
  }
  return s;
}

function toRecording(arm: SimArm, middle: Partial<Record<MotorName, number>>): CalibrationStep {
  let s = advanceCalibration(initialCalibrationState(), { type: 'start' });
  assert.equal(s.state.phase, 'torqueOff');
  s = arm.settle(s);
  assert.equal(s.state.phase, 'awaitMiddle');
  assert.match(s.prompt, /middle of its range/);
  assert.deepEqual(s.commands, []);
  arm.pose(middle);
  s = arm.settle(advanceCalibration(s.state, { type: 'continue' }));
  assert.equal(s.state.phase, 'recordRanges');
  return s;
}

test('happy path against six emulated servos: LeRobot order of writes, half-turn offsets, recorded ranges', () => {
  const arm = new SimArm();
  const middle = {
    shoulder_pan: 2100,
    shoulder_lift: 2000,
    elbow_flex: 1900,
    wrist_flex: 2010,
    wrist_roll: 3000,
    gripper: 2700,
  };
  let s = toRecording(arm, middle);
  // torque off + Lock 0 + Operating_Mode 0 for each motor, then reset (offset 0, limits 0..4095), then read
  const writes = arm.log
    .filter((c) => c.kind === 'writeRegister')
    .map((c) => c.kind === 'writeRegister' && `${c.id}:${c.register}=${c.value}`);
  assert.deepEqual(writes.slice(0, 2), ['1:Torque_Enable=0', '1:Lock=0']);
  assert.ok(writes.includes('6:Operating_Mode=0'));
  assert.ok(writes.indexOf('3:Homing_Offset=0') < writes.indexOf(`3:Homing_Offset=${1900 - 2047}`));
  for (const m of SO100_MOTORS) assert.equal(s.state.homingOffsets![m], middle[m] - 2047);
  // after homing every joint reads 2047 at its homing pose
  assert.deepEqual(
    arm.present(),
    perMotor(() => 2047),
  );
  assert.match(s.prompt, /except wrist_roll/);

  s = sweep(arm, s, BODY_TRAVEL);
  assert.deepEqual(s.problems, []);
  s = advanceCalibration(s.state, { type: 'finish' });
  assert.equal(s.state.phase, 'write');
  const cal = s.state.calibration!;
  for (const m of SO100_MOTORS) {
    if (m === 'wrist_roll') {
      assert.deepEqual([cal[m].range_min, cal[m].range_max], [0, 4095]);
      continue;
    }
    const [lo, hi] = BODY_TRAVEL[m];
    assert.equal(cal[m].range_min, lo - cal[m].homing_offset);
    assert.equal(cal[m].range_max, hi - cal[m].homing_offset);
    assert.equal(cal[m].id, SO100_MOTORS.indexOf(m) + 1);
    assert.equal(cal[m].drive_mode, 0);
  }
  assert.deepEqual(
    s.commands.slice(0, 3).map((c) => c.kind === 'writeRegister' && c.register),
    ['Homing_Offset', 'Min_Position_Limit', 'Max_Position_Limit'],
  );
  s = arm.settle(s);
  assert.equal(s.state.phase, 'done');
  assert.equal(arm.servos.gripper.readRegister('Max_Position_Limit'), cal.gripper.range_max);
  // the result is a valid LeRobot file
  assert.deepEqual(parseCalibration(serializeCalibration(cal), 'new.json'), cal);
});

test('finish is refused while a joint has not moved, naming it, and recording continues', () => {
  const arm = new SimArm();
  let s = toRecording(arm, {});
  const still: Record<MotorName, [number, number]> = {
    ...BODY_TRAVEL,
    elbow_flex: [2048, 2048],
    gripper: [2048, 2060],
  };
  s = sweep(arm, s, still);
  s = advanceCalibration(s.state, { type: 'finish' });
  assert.equal(s.state.phase, 'recordRanges');
  assert.deepEqual(
    s.problems.map((p) => [p.kind, p.motor]),
    [
      ['notMoved', 'elbow_flex'],
      ['notMoved', 'gripper'],
    ],
  );
  assert.match(s.problems[0].message, /elbow_flex moved only 0 steps/);
  assert.deepEqual(s.commands, [{ kind: 'readPositions' }]);
  s = sweep(arm, s, BODY_TRAVEL);
  s = advanceCalibration(s.state, { type: 'finish' });
  assert.deepEqual(s.problems, []);
  assert.equal(s.state.phase, 'write');
});

test('a sweep across the 0/4095 wrap is detected; re-centre fixes the homing offset so the range covers the travel', () => {
  const arm = new SimArm();
  // wrist_flex travels 1000..3900 but is homed near its low end, so the seam lands inside its travel (issue 3587)
  const travel = { ...BODY_TRAVEL, wrist_flex: [1000, 3900] as [number, number] };
  let s = toRecording(arm, { wrist_flex: 1100 });
  s = sweep(arm, s, travel);
  assert.deepEqual(
    s.problems.map((p) => [p.kind, p.motor]),
    [['wrapCrossed', 'wrist_flex']],
  );
  const naive = s.state.sweeps!.wrist_flex;
  assert.ok(naive.min < 150 && naive.max > 3945, 'LeRobot-style min/max collapse to about 0..4095'); // samples are ≤ 97 steps apart
  const refused = advanceCalibration(s.state, { type: 'finish' });
  assert.equal(refused.state.phase, 'recordRanges');
  assert.match(refused.problems[0].message, /wrist_flex crossed the encoder's 0\/4095 wrap point.*re-centre/);

  s = advanceCalibration(s.state, { type: 'recenter' });
  assert.deepEqual(s.problems, []);
  const offset = s.state.homingOffsets!.wrist_flex;
  assert.ok(Math.abs(offset) <= 2047);
  assert.deepEqual(s.commands, [
    { kind: 'writeRegister', motor: 'wrist_flex', id: 4, register: 'Homing_Offset', value: offset },
    { kind: 'readPositions' },
  ]);
  s = arm.poll(s);
  s = sweep(arm, s, travel);
  s = advanceCalibration(s.state, { type: 'finish' });
  assert.equal(s.state.phase, 'write');
  const cal = s.state.calibration!;
  assert.equal(cal.wrist_flex.range_max - cal.wrist_flex.range_min, 2900);
  // the servo reads exactly the recorded limits at the two end stops, and the middle normalises to ~0°
  arm.pose({ wrist_flex: 1000 });
  assert.equal(arm.present().wrist_flex, cal.wrist_flex.range_min);
  arm.pose({ wrist_flex: 3900 });
  assert.equal(arm.present().wrist_flex, cal.wrist_flex.range_max);
  arm.pose({ wrist_flex: 2450 });
  assert.ok(Math.abs(normalizePosition(arm.present().wrist_flex, cal.wrist_flex, 'DEGREES', 'wrist_flex')) < 0.1);
});

test('a joint swept through a full turn cannot be re-centred and says so', () => {
  let sw = startSweep(2047);
  for (let k = 1; k <= 50; k++) sw = addSample(sw, (2047 + k * 90) % 4096);
  assert.ok(crossedWrap(sw));
  assert.equal(recenterSweep(sw, 0), undefined);
  const arm = new SimArm();
  let s = toRecording(arm, {});
  for (let k = 0; k <= 50; k++) {
    arm.pose({ elbow_flex: (2048 + k * 90) % 4096 });
    s = arm.poll(s);
  }
  const p = s.problems.find((x) => x.motor === 'elbow_flex');
  assert.ok(p && p.kind === 'wrapCrossed' && !p.recenterable);
  assert.match(p.message, /full revolution/);
});

test('property: after re-centring, any travel under a turn fits inside 0..4095 with the seam outside it', () => {
  const TURN = 4096;
  const mod = (x: number) => ((x % TURN) + TURN) % TURN;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4095 }),
      fc.integer({ min: 10, max: 4000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (lo, span, at) => {
        const pose = lo + Math.round(at * span); // homing pose anywhere in the travel (actual units, may exceed 4095)
        const ho = halfTurnHomingOffset(mod(pose));
        const read = (actual: number, offset: number) => mod(actual - offset);
        let sw = startSweep(read(pose, ho));
        for (let a = pose; a >= lo; a -= 37) sw = addSample(sw, read(a, ho));
        sw = addSample(sw, read(lo, ho));
        for (let a = lo; a <= lo + span; a += 37) sw = addSample(sw, read(a, ho));
        sw = addSample(sw, read(lo + span, ho));
        assert.equal(sw.unwrappedMax - sw.unwrappedMin, span);
        const r = recenterSweep(sw, ho);
        assert.ok(r);
        assert.ok(Math.abs(r.homingOffset) <= 2047);
        assert.ok(r.sweep.min >= 0 && r.sweep.max <= 4095);
        assert.equal(read(lo, r.homingOffset), r.sweep.min);
        assert.equal(read(lo + span, r.homingOffset), r.sweep.max);
        let back = r.sweep;
        for (let a = lo + span; a >= lo; a -= 37) back = addSample(back, read(a, r.homingOffset));
        assert.ok(
          !crossedWrap(addSample(back, read(lo, r.homingOffset))),
          'sweeping the travel again stays clear of the seam',
        );
      },
    ),
  );
});

test('homing at raw 4095 gives an offset that fits the register (LeRobot PR 3370)', () => {
  assert.equal(halfTurnHomingOffset(4095), 2047);
  assert.equal(halfTurnHomingOffset(0), -2047);
  assert.equal(halfTurnHomingOffset(2047), 0);
  const arm = new SimArm();
  const s = toRecording(arm, { wrist_roll: 4095 });
  assert.equal(s.state.homingOffsets!.wrist_roll, 2047);
});

test('events out of order throw CalibrationStateError; bad samples throw CalibrationSampleError', () => {
  const idle = initialCalibrationState();
  assert.throws(
    () => advanceCalibration(idle, { type: 'finish' }),
    (e: unknown) =>
      e instanceof CalibrationStateError &&
      e.phase === 'idle' &&
      /cannot handle 'finish' in phase 'idle'/.test(e.message),
  );
  const started = advanceCalibration(idle, { type: 'start' });
  assert.throws(() => advanceCalibration(started.state, { type: 'continue' }), CalibrationStateError);
  const arm = new SimArm();
  const rec = toRecording(arm, {});
  assert.throws(
    () => advanceCalibration(rec.state, { type: 'positions', raw: { ...arm.present(), gripper: 5000 } }),
    (e: unknown) => e instanceof CalibrationSampleError && e.motor === 'gripper' && /multi-turn/.test(e.message),
  );
});

test('restart returns to the middle pose; cancel ends the flow', () => {
  const arm = new SimArm();
  const rec = sweep(arm, toRecording(arm, {}), BODY_TRAVEL, 3);
  const again = advanceCalibration(rec.state, { type: 'restart' });
  assert.equal(again.state.phase, 'awaitMiddle');
  assert.equal(again.state.sweeps, undefined);
  assert.equal(again.state.homingOffsets, undefined);
  const cancelled = advanceCalibration(again.state, { type: 'cancel' });
  assert.equal(cancelled.state.phase, 'cancelled');
  assert.deepEqual(cancelled.commands, []);
  assert.throws(() => advanceCalibration(cancelled.state, { type: 'cancel' }), CalibrationStateError);
});
