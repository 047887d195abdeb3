// One simulated STS3215: a 256-byte memory image with EEPROM/Lock semantics, plus the joint it drives.
import { isEepromAddress, register, registerCovering, STS3215_RESOLUTION } from '../feetech/controlTable';
import { readUintLE, writeUintLE } from '../feetech/packet';
import { fromRawRegisterValue, toRawRegisterValue } from '../feetech/registerCodec';
import { factoryMemory, PHASE_MULTI_TURN } from './sts3215Defaults';
import { motionLimits, MOTION_SUBSTEP_S, stepToward, type JointState, type Obstacle } from './servoMotion';

const AMBIENT_C = 30;
/** Temperature rise at full load and its time constant: a slow first-order model, not measured. */
const FULL_LOAD_RISE_C = 40;
const THERMAL_TAU_S = 120;
/** Supply 12.0 V, sagging up to 0.5 V at full load. */
const SUPPLY_DECIVOLTS = 120;
/** Stall current ≈ 2.7 A at full load (0.1 % units → mA), reported in 6.5 mA units (reference §2). */
const STALL_CURRENT_MA = 2700;
const CURRENT_UNIT_MA = 6.5;
/** Blocked joint: load grows with position error times P, saturating at Torque_Limit (0.1 % units). */
const STALL_LOAD_PER_STEP_PER_P = 0.25;
/** Free motion: ~3 % friction plus up to 15 % while accelerating hard. */
const FRICTION_LOAD = 30;
const ACCEL_LOAD_FULL = 150;

export interface Sts3215ServoOptions {
  readonly id: number;
  /** Raw encoder position at power-up (0–4095); default 2048. */
  readonly initialPosition?: number;
  /** Phase register value; default has multi-turn feedback CLEAR. */
  readonly phase?: number;
  /** Another model number (default 777), to emulate a wrong servo on the bus. */
  readonly modelNumber?: number;
  /** Another firmware version (default SIM_FIRMWARE), to emulate a mixed-firmware arm. */
  readonly firmware?: { readonly major: number; readonly minor: number };
}

/** Outcome of a write: how many bytes were stored and how many hit read-only registers. */
export interface WriteOutcome {
  readonly stored: number;
  readonly ignoredReadOnly: number;
}

const A = {
  id: register('ID').address,
  lock: register('Lock').address,
  torqueEnable: register('Torque_Enable').address,
  goal: register('Goal_Position').address,
  goal2: register('Goal_Position_2').address,
  maxTorque: register('Max_Torque_Limit').address,
  torqueLimit: register('Torque_Limit').address,
  offset: register('Homing_Offset').address,
  phase: register('Phase').address,
  status: register('Status').address,
};

/**
 * A byte-level STS3215. Writes to RO registers are ignored without an error bit (real behaviour unknown);
 * while torque is off Goal_Position follows Present_Position so enabling torque never jumps (a judgement,
 * not verified on hardware); goals are clamped to Min/Max_Position_Limit unless both are 0 (multi-turn).
 */
export class Sts3215Servo {
  private memory: Uint8Array;
  /** What survives powerCycle(): EEPROM bytes as last written with Lock = 0. */
  private readonly eeprom: Uint8Array;
  private readonly joint: JointState;
  private temperature = AMBIENT_C;
  private pendingRegWrite: { address: number; data: Uint8Array } | undefined;
  /** Error bits forced from outside (fault injection); OR'ed into Status. */
  private forcedErrors = 0;
  /** Limits travel and raises load, e.g. an object in the gripper; null when free. */
  obstacle: Obstacle | null = null;

  constructor(options: Sts3215ServoOptions) {
    this.memory = factoryMemory(options.id);
    if (options.phase !== undefined) this.memory[A.phase] = options.phase;
    if (options.modelNumber !== undefined)
      this.memory.set(writeUintLE(options.modelNumber, 2), register('Model_Number').address);
    if (options.firmware !== undefined) {
      this.memory[register('Firmware_Major_Version').address] = options.firmware.major;
      this.memory[register('Firmware_Minor_Version').address] = options.firmware.minor;
    }
    this.eeprom = this.memory.slice();
    this.joint = { position: options.initialPosition ?? 2048, velocity: 0 };
    this.powerUpSram();
  }

  /** Current bus id (address 5); changes take effect immediately. */
  get id(): number {
    return this.memory[A.id];
  }

  /** Physical (raw encoder) position, before the homing offset. */
  get actualPosition(): number {
    return this.joint.position;
  }

  /** Moves the joint by hand (tests, calibration); a powered joint will drive back toward its goal. */
  setActualPosition(raw: number): void {
    this.joint.position = raw;
    this.joint.velocity = 0;
    this.refreshFeedback(0, false);
  }

  /** Error bits forced by fault injection (see errorBits.ts), reported in Status and every reply. */
  setForcedErrors(errorByte: number): void {
    this.forcedErrors = errorByte & 0xff;
    this.memory[A.status] = this.ownErrors() | this.forcedErrors;
  }

  /** The ERR byte this servo puts in its status packets. */
  get errorByte(): number {
    return this.memory[A.status];
  }

  /** `length` bytes of memory from `address` (bytes past 255 read as 0). */
  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    out.set(this.memory.subarray(address, Math.min(256, address + length)));
    return out;
  }

  /** Decoded value of a named register (sign-magnitude applied). */
  readRegister(name: string): number {
    const spec = register(name);
    return fromRawRegisterValue(spec, readUintLE(this.memory, spec.address, spec.size));
  }

  /** Writes a named register through the same path as a bus WRITE. */
  writeRegister(name: string, value: number): WriteOutcome {
    const spec = register(name);
    return this.write(spec.address, writeUintLE(toRawRegisterValue(spec, value), spec.size));
  }

  /** Applies a WRITE: RO bytes are skipped; EEPROM bytes persist only when Lock was 0 at write time. */
  write(address: number, data: Uint8Array): WriteOutcome {
    const persist = this.memory[A.lock] === 0;
    let stored = 0;
    let ignoredReadOnly = 0;
    for (let i = 0; i < data.length && address + i < 256; i++) {
      const at = address + i;
      if (registerCovering(at)?.access === 'RO') {
        ignoredReadOnly++;
        continue;
      }
      this.memory[at] = data[i];
      if (persist && isEepromAddress(at)) this.eeprom[at] = data[i];
      stored++;
    }
    if (this.memory[A.torqueEnable] === 128) this.calibrateMiddle(persist);
    this.refreshFeedback(0, false);
    return { stored, ignoredReadOnly };
  }

  /** Buffers a REG_WRITE until action(); a new REG_WRITE replaces the previous one. */
  regWrite(address: number, data: Uint8Array): void {
    this.pendingRegWrite = { address, data: data.slice() };
  }

  /** Runs the buffered REG_WRITE, if any. */
  action(): void {
    const pending = this.pendingRegWrite;
    this.pendingRegWrite = undefined;
    if (pending) this.write(pending.address, pending.data);
  }

  /** Power off and on: SRAM to defaults, EEPROM from the persisted snapshot, the joint stays where it is. */
  powerCycle(): void {
    this.memory = this.eeprom.slice();
    const factory = factoryMemory(this.memory[A.id]);
    for (let at = 40; at < 80; at++) this.memory[at] = factory[at];
    this.joint.velocity = 0;
    this.pendingRegWrite = undefined;
    this.powerUpSram();
  }

  /** Advances physics by `dtMs` of simulated time. */
  advance(dtMs: number): void {
    if (!(dtMs > 0)) return;
    let remaining = dtMs / 1000;
    let blocked = false;
    let peakAccel = 0;
    if (this.driving()) {
      // Registers and the obstacle cannot change during one call, so a joint at rest stays at rest.
      const limits = motionLimits(this.readRegister('Goal_Velocity'), this.memory[register('Acceleration').address]);
      const target = this.targetActual();
      const obstacle = this.obstacle ?? undefined;
      while (remaining > 1e-9) {
        if (this.joint.velocity === 0 && (this.joint.position === target || blocked)) break;
        const dt = Math.min(MOTION_SUBSTEP_S, remaining);
        remaining -= dt;
        const before = this.joint.velocity;
        blocked = stepToward(this.joint, target, limits, dt, obstacle);
        peakAccel = Math.max(peakAccel, Math.abs(this.joint.velocity - before) / dt / limits.maxAcceleration);
        this.heat(dt);
      }
    } else {
      this.joint.velocity = 0;
    }
    this.refreshFeedback(peakAccel, blocked);
    if (remaining > 1e-9) {
      this.heat(remaining); // at rest (or free): only the temperature still changes
      this.refreshFeedback(peakAccel, blocked);
    }
  }

  private powerUpSram(): void {
    this.memory.set(this.memory.subarray(A.maxTorque, A.maxTorque + 2), A.torqueLimit);
    this.refreshFeedback(0, false);
  }

  /** Torque_Enable 1 drives the joint; 0 (free) and 2 (damping) do not; Torque_Limit 0 gives no torque. */
  private driving(): boolean {
    return this.memory[A.torqueEnable] === 1 && readUintLE(this.memory, A.torqueLimit, 2) > 0;
  }

  private multiTurn(): boolean {
    return (this.memory[A.phase] & PHASE_MULTI_TURN) !== 0;
  }

  /** Goal in the offset frame, clamped to the position limits. */
  private clampedGoal(): number {
    let goal = this.readRegister('Goal_Position');
    const min = this.readRegister('Min_Position_Limit');
    const max = this.readRegister('Max_Position_Limit');
    if (!(min === 0 && max === 0) && min <= max) goal = Math.min(max, Math.max(min, goal));
    return goal;
  }

  /** Raw encoder target: (Goal + Offset) mod 4096 (reference §3, servo position model). */
  private targetActual(): number {
    return mod(this.clampedGoal() + this.readRegister('Homing_Offset'), STS3215_RESOLUTION);
  }

  /** Present = (Actual − Offset) mod 4096, or unwrapped when Phase bit 4 (multi-turn) is set. */
  private presentPosition(): number {
    const p = Math.round(this.joint.position) - this.readRegister('Homing_Offset');
    return this.multiTurn() ? p : mod(p, STS3215_RESOLUTION);
  }

  /** Torque_Enable = 128: make the current position read 2048 by rewriting Homing_Offset. */
  private calibrateMiddle(persist: boolean): void {
    const offset = Math.round(this.joint.position) - 2048;
    const raw = writeUintLE(toRawRegisterValue(register('Homing_Offset'), offset), 2);
    this.memory.set(raw, A.offset);
    if (persist) this.eeprom.set(raw, A.offset);
    this.memory[A.torqueEnable] = 0;
  }

  private heat(dtS: number): void {
    const load = Math.abs(this.readRegister('Present_Load'));
    const equilibrium = AMBIENT_C + (FULL_LOAD_RISE_C * load) / 1000;
    this.temperature += ((equilibrium - this.temperature) * dtS) / THERMAL_TAU_S;
  }

  private ownErrors(): number {
    const volts = this.memory[register('Present_Voltage').address];
    let bits = 0;
    if (
      volts > this.memory[register('Max_Voltage_Limit').address] ||
      volts < this.memory[register('Min_Voltage_Limit').address]
    )
      bits |= 0x01;
    if (Math.round(this.temperature) > this.memory[register('Max_Temperature_Limit').address]) bits |= 0x04;
    return bits;
  }

  /** Stores a named register's value in memory as the bus would write it; allocates nothing (runs every physics step). */
  private store(name: string, value: number): void {
    const spec = register(name);
    const raw = toRawRegisterValue(spec, value);
    for (let i = 0; i < spec.size; i++) this.memory[spec.address + i] = (raw >>> (8 * i)) & 0xff;
  }

  /** Rewrites the RO feedback registers from the physical state. */
  private refreshFeedback(accelFraction: number, blocked: boolean): void {
    const driving = this.driving();
    if (!driving) this.store('Goal_Position', clampMagnitude(this.presentPosition(), 32767));
    const torqueLimit = readUintLE(this.memory, A.torqueLimit, 2);
    const error = driving ? this.targetActual() - this.joint.position : 0;
    let load = 0;
    if (driving && blocked) {
      load =
        Math.sign(error) *
        Math.min(
          torqueLimit,
          Math.abs(error) * this.memory[register('P_Coefficient').address] * STALL_LOAD_PER_STEP_PER_P,
        );
    } else if (driving && this.joint.velocity !== 0) {
      load =
        Math.sign(this.joint.velocity) *
        Math.min(torqueLimit, FRICTION_LOAD + ACCEL_LOAD_FULL * Math.min(1, accelFraction));
    }
    load = Math.round(clampMagnitude(load, 1000));
    this.store('Present_Position', clampMagnitude(this.presentPosition(), 32767));
    this.store('Present_Velocity', Math.round(clampMagnitude(this.joint.velocity, 32767)));
    this.store('Present_Load', load);
    this.store('Present_Voltage', SUPPLY_DECIVOLTS - Math.round((5 * Math.abs(load)) / 1000));
    this.store('Present_Temperature', Math.max(0, Math.min(255, Math.round(this.temperature))));
    this.store('Present_Current', Math.round((STALL_CURRENT_MA * Math.abs(load)) / 1000 / CURRENT_UNIT_MA));
    const deadZone = Math.max(1, this.memory[register('CW_Dead_Zone').address]);
    this.store('Moving', driving && (this.joint.velocity !== 0 || Math.abs(error) > deadZone) && !blocked ? 1 : 0);
    this.store('Goal_Position_2', Math.max(0, Math.min(0xffff, driving ? this.clampedGoal() : this.presentPosition())));
    this.memory[A.status] = this.ownErrors() | this.forcedErrors;
  }
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function clampMagnitude(x: number, max: number): number {
  return Math.max(-max, Math.min(max, x));
}
