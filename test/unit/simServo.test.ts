import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRegister, register } from '../../src/core/feetech';
import { NO_LOAD_SPEED_STEPS_PER_S, PHASE_MULTI_TURN, Sts3215Servo } from '../../src/core/sim';

/** Advances in 10 ms ticks, calling `each` after every tick, up to `ms`. */
function run(servo: Sts3215Servo, ms: number, each?: (tMs: number) => void): void {
  for (let t = 10; t <= ms; t += 10) {
    servo.advance(10);
    each?.(t);
  }
}

test('factory image: model 777 reads as 09 03, plausible defaults, Torque_Limit copied from Max_Torque_Limit', () => {
  const s = new Sts3215Servo({ id: 4 });
  assert.deepEqual(Array.from(s.read(3, 2)), [0x09, 0x03]);
  assert.equal(s.id, 4);
  const expect: Record<string, number> = {
    Baud_Rate: 0,
    Return_Delay_Time: 250,
    Response_Status_Level: 1,
    Min_Position_Limit: 0,
    Max_Position_Limit: 4095,
    Max_Torque_Limit: 1000,
    Torque_Limit: 1000,
    Torque_Enable: 0,
    Lock: 1,
    Present_Voltage: 120,
    Present_Temperature: 30,
    Present_Position: 2048,
    Homing_Offset: 0,
    Status: 0,
    Moving: 0,
  };
  for (const [name, value] of Object.entries(expect)) assert.equal(s.readRegister(name), value, name);
  assert.equal(s.readRegister('Phase') & PHASE_MULTI_TURN, 0, 'multi-turn feedback is clear by default');
  const other = new Sts3215Servo({ id: 5 });
  assert.deepEqual(Array.from(other.read(0, 2)), Array.from(s.read(0, 2)), 'same firmware on every servo');
});

test('writes to read-only registers are ignored (no error bit), neighbouring RW bytes still land', () => {
  const s = new Sts3215Servo({ id: 1 });
  assert.deepEqual(s.write(register('Model_Number').address, Uint8Array.of(0, 0)), { stored: 0, ignoredReadOnly: 2 });
  assert.equal(s.readRegister('Model_Number'), 777);
  // 55 = Lock (RW), 56–57 = Present_Position (RO)
  assert.deepEqual(s.write(55, Uint8Array.of(0, 0x10, 0x00)), { stored: 1, ignoredReadOnly: 2 });
  assert.equal(s.readRegister('Lock'), 0);
  assert.equal(s.readRegister('Present_Position'), 2048);
  assert.equal(s.errorByte, 0);
});

test('EEPROM writes survive powerCycle only when Lock was 0 at write time; SRAM always resets', () => {
  const s = new Sts3215Servo({ id: 1 });
  s.writeRegister('ID', 9); // Lock = 1 (factory)
  assert.equal(s.id, 9, 'takes effect at once');
  s.writeRegister('Lock', 0);
  s.writeRegister('Homing_Offset', -100);
  s.writeRegister('Max_Torque_Limit', 500);
  s.writeRegister('Acceleration', 254);
  s.writeRegister('Torque_Enable', 1);
  s.powerCycle();
  assert.equal(s.id, 1, 'ID written under Lock = 1 is lost');
  assert.equal(s.readRegister('Homing_Offset'), -100, 'written under Lock = 0, kept');
  assert.equal(s.readRegister('Max_Torque_Limit'), 500);
  assert.equal(s.readRegister('Torque_Limit'), 500, 'Torque_Limit reloads from Max_Torque_Limit at power-up');
  assert.equal(s.readRegister('Acceleration'), 0);
  assert.equal(s.readRegister('Torque_Enable'), 0);
  assert.equal(s.readRegister('Lock'), 1);
});

test('homing offset: Present = (Actual − Offset) mod 4096; the goal drives Actual to (Goal + Offset) mod 4096', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 2000 });
  assert.deepEqual(Array.from(encodeRegister('Homing_Offset', -100)), [0x64, 0x08]);
  s.write(register('Homing_Offset').address, Uint8Array.of(0x64, 0x08));
  assert.equal(s.readRegister('Present_Position'), 2100);
  s.writeRegister('Homing_Offset', 100);
  s.setActualPosition(50);
  assert.equal(s.readRegister('Present_Position'), 4046, 'wraps below 0');
  s.writeRegister('Homing_Offset', -100);
  s.writeRegister('Torque_Enable', 1);
  s.writeRegister('Goal_Position', 1000);
  run(s, 2000);
  assert.equal(s.actualPosition, 900);
  assert.equal(s.readRegister('Present_Position'), 1000);
});

test('with multi-turn feedback set, Present_Position is not wrapped and uses the bit-15 sign', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 50, phase: 0x0c | PHASE_MULTI_TURN });
  s.writeRegister('Homing_Offset', 100);
  assert.equal(s.readRegister('Present_Position'), -50);
  assert.deepEqual(Array.from(s.read(56, 2)), [0x32, 0x80]);
});

test('motion: torque on moves toward the goal within speed limits, then stops exactly on it', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 1000 });
  s.writeRegister('Torque_Enable', 1);
  s.writeRegister('Goal_Position', 3000);
  let last = s.readRegister('Present_Position');
  let sawMoving = false;
  let arrivedAt = -1;
  run(s, 3000, (t) => {
    const p = s.readRegister('Present_Position');
    assert.ok(p >= last, `never moves backwards (${last} → ${p} at ${t} ms)`);
    assert.ok(s.readRegister('Present_Velocity') <= Math.ceil(NO_LOAD_SPEED_STEPS_PER_S));
    if (s.readRegister('Moving')) sawMoving = true;
    if (p === 3000 && arrivedAt < 0) arrivedAt = t;
    last = p;
  });
  assert.ok(sawMoving);
  assert.ok(
    arrivedAt >= (2000 / NO_LOAD_SPEED_STEPS_PER_S) * 1000,
    `2000 steps cannot take less than the no-load time (arrived at ${arrivedAt} ms)`,
  );
  assert.equal(s.readRegister('Present_Position'), 3000);
  assert.equal(s.readRegister('Present_Velocity'), 0);
  assert.equal(s.readRegister('Moving'), 0);
  assert.equal(s.readRegister('Present_Load'), 0);
});

test('Acceleration (100 steps/s² per unit) and Goal_Velocity (steps/s) shape the profile', () => {
  const slow = new Sts3215Servo({ id: 1, initialPosition: 0 });
  slow.writeRegister('Torque_Enable', 1);
  slow.writeRegister('Acceleration', 10); // 1000 steps/s²
  slow.writeRegister('Goal_Position', 4000);
  run(slow, 100);
  assert.ok(
    slow.readRegister('Present_Velocity') <= 101,
    `after 0.1 s at 1000 steps/s²: ${slow.readRegister('Present_Velocity')}`,
  );
  assert.ok(slow.readRegister('Present_Velocity') >= 99);
  const capped = new Sts3215Servo({ id: 1, initialPosition: 0 });
  capped.writeRegister('Torque_Enable', 1);
  capped.writeRegister('Goal_Velocity', 500);
  capped.writeRegister('Goal_Position', 4000);
  let peak = 0;
  run(capped, 1000, () => {
    peak = Math.max(peak, capped.readRegister('Present_Velocity'));
  });
  assert.equal(peak, 500);
});

test('torque off: the joint stays put, can be moved by hand, and Goal_Position follows it', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 1500 });
  s.writeRegister('Goal_Position', 3000);
  run(s, 500);
  assert.equal(s.actualPosition, 1500);
  s.setActualPosition(1234);
  assert.equal(s.readRegister('Present_Position'), 1234);
  assert.equal(s.readRegister('Goal_Position'), 1234);
  s.writeRegister('Torque_Enable', 1);
  run(s, 200);
  assert.equal(s.actualPosition, 1234, 'enabling torque holds position rather than jumping');
});

test('goals are clamped to Min/Max_Position_Limit', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 2000 });
  s.writeRegister('Max_Position_Limit', 2500);
  s.writeRegister('Torque_Enable', 1);
  s.writeRegister('Goal_Position', 3500);
  run(s, 1500);
  assert.equal(s.readRegister('Present_Position'), 2500);
  assert.equal(s.readRegister('Goal_Position_2'), 2500);
});

test('an obstacle stops the gripper short of its goal and raises Present_Load (bit-10 sign)', () => {
  const s = new Sts3215Servo({ id: 6, initialPosition: 2000 });
  s.obstacle = { lower: 1800 };
  s.writeRegister('Torque_Enable', 1);
  s.writeRegister('Goal_Position', 1200);
  run(s, 1000);
  assert.equal(s.readRegister('Present_Position'), 1800);
  assert.equal(s.readRegister('Moving'), 0);
  assert.equal(s.readRegister('Present_Load'), -1000, 'pushing towards lower positions at the torque limit');
  assert.ok(s.readRegister('Present_Current') > 0);
  s.writeRegister('Torque_Limit', 300);
  run(s, 20);
  assert.equal(s.readRegister('Present_Load'), -300);
  const t0 = s.readRegister('Present_Temperature');
  run(s, 120_000);
  assert.ok(s.readRegister('Present_Temperature') > t0, 'stalling heats the servo');
  s.obstacle = null;
  run(s, 1000);
  assert.equal(s.readRegister('Present_Position'), 1200);
});

test('Torque_Enable 128 makes the current position read 2048 and leaves torque off', () => {
  const s = new Sts3215Servo({ id: 1, initialPosition: 3000 });
  s.writeRegister('Torque_Enable', 128);
  assert.equal(s.readRegister('Present_Position'), 2048);
  assert.equal(s.readRegister('Homing_Offset'), 952);
  assert.equal(s.readRegister('Torque_Enable'), 0);
});

test('REG_WRITE is held until action()', () => {
  const s = new Sts3215Servo({ id: 1 });
  s.regWrite(register('Acceleration').address, Uint8Array.of(42));
  assert.equal(s.readRegister('Acceleration'), 0);
  s.action();
  assert.equal(s.readRegister('Acceleration'), 42);
});

test('one long advance ends in the same state as many short ones (time is only what the caller passes)', () => {
  const make = () => {
    const s = new Sts3215Servo({ id: 1, initialPosition: 500 });
    s.writeRegister('Torque_Enable', 1);
    s.writeRegister('Goal_Position', 3500);
    return s;
  };
  const once = make();
  once.advance(3_600_000);
  const stepped = make();
  run(stepped, 3000);
  assert.equal(once.actualPosition, 3500);
  assert.deepEqual(Array.from(once.read(56, 11)), Array.from(stepped.read(56, 11)));
});
