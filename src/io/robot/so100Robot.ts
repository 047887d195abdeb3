// The SO-100 follower arm on a Feetech bus, as LeRobot drives it: handshake, calibration on the servos,
// configure(), observe() = one SYNC_READ, act() = safety then one SYNC_WRITE, torque off on the way out.
// Motors, ids, models and normalisation come from the arm's description (core/robots/so100Follower.ts).
import type { RegisterName } from '../../core/feetech';
import { perMotorOf, RobotDescriptionError, SO100_FOLLOWER, type RobotDescription } from '../../core/robots';
import {
  ActionSafety,
  calibrationMismatches,
  classifyServoErrors,
  normalizePositions,
  restoreCalibrationCommands,
  unnormalizePositions,
  type BodyJointMode,
  type MaxStep,
  type MotorCalibrationRegisters,
  type MotorName,
  type PerMotor,
  type ServoErrorReport,
  type So100Calibration,
} from '../../core/so100';
import type { FeetechBus } from '../serial/feetechBus';
import type { PreparedSyncRead, PreparedSyncWrite } from '../serial/preparedSync';
import type { FeetechBusStats } from '../serial/feetechBusStats';
import { ServoHardwareError } from '../serial/feetechBusErrors';
import type { ActResult, Observation, Robot } from './robot';
import { RobotHandshakeError, UnsafeActionError } from './robotErrors';

export type { ActResult, Observation } from './robot';

const PHASE_MULTI_TURN_BIT = 0x10;

export interface So100RobotOptions {
  /** The arm's description; omitted = the SO-100 follower. One bus only (a two-bus robot needs its own driver). */
  readonly description?: RobotDescription<MotorName>;
  readonly calibration: So100Calibration;
  /** Units of the body joints; policies trained on LeRobot before v0.4.4 use RANGE_M100_100. */
  readonly bodyMode: BodyJointMode;
  /** Per-tick step cap (normalised units); omitted = safe defaults; null = off (not recommended). */
  readonly maxStep?: MaxStep | null;
  /** LeRobot's follower default: 2 retries on observation reads. */
  readonly readRetries?: number;
  /** Leave the arm limp on disconnect (LeRobot's default, true). */
  readonly disableTorqueOnDisconnect?: boolean;
  /** Told when connect() had to write the calibration to the servos (their registers differed from the file). */
  readonly onCalibrationWritten?: (motors: readonly MotorName[]) => void;
  /** Told about error bits that do not stop the arm (see servoFaults.ts), e.g. the gripper's overload while grasping. */
  readonly onServoWarning?: (report: ServoErrorReport) => void;
}

export class So100Robot implements Robot<MotorName> {
  readonly description: RobotDescription<MotorName>;
  private readonly ids: readonly number[];
  private safety: ActionSafety<MotorName>;
  private disableTorqueOnDisconnect: boolean;
  private lastObservation: Observation | undefined;
  private disconnected = false;
  /** Set by an observe() that saw fatal error bits; act() refuses until a later observe() is clean. */
  private servoFault: ServoHardwareError | undefined;
  /** The tick's SYNC_READ and SYNC_WRITE, prepared once (ids in the description's motor order). */
  private readonly presentPositions: PreparedSyncRead;
  private readonly goalPositions: PreparedSyncWrite;
  private readonly goalValues: Float64Array;

  private constructor(
    readonly bus: FeetechBus,
    private readonly options: So100RobotOptions,
    readonly firmware: string,
  ) {
    this.description = descriptionOf(options);
    this.ids = this.description.motors.map((m) => this.description.motor[m].id);
    this.safety = new ActionSafety(this.description, options.calibration, {
      bodyMode: options.bodyMode,
      maxStep: options.maxStep,
    });
    this.disableTorqueOnDisconnect = options.disableTorqueOnDisconnect ?? true;
    this.presentPositions = bus.syncReader('Present_Position', this.ids, { retries: options.readRetries ?? 2 });
    this.goalPositions = bus.syncWriter('Goal_Position', this.ids);
    this.goalValues = new Float64Array(this.ids.length);
  }

  /** Handshake, calibration check (writing the file's values when the servos differ), then configure(). */
  static async connect(bus: FeetechBus, options: So100RobotOptions): Promise<So100Robot> {
    const firmware = await handshake(bus, descriptionOf(options));
    const robot = new So100Robot(bus, options, firmware);
    await robot.ensureCalibrated();
    await robot.configure();
    return robot;
  }

  get calibration(): So100Calibration {
    return this.options.calibration;
  }

  get busStats(): FeetechBusStats {
    return this.bus.stats;
  }

  private motorId(motor: MotorName): number {
    return this.description.motor[motor].id;
  }

  /**
   * One SYNC_READ of Present_Position, normalised with the calibration. Throws ServoHardwareError when a servo
   * reports a fatal error bit (overheat, voltage, …; see servoFaults.ts); act() then refuses until a clean read.
   */
  async observe(): Promise<Observation> {
    const reading = await this.presentPositions.read();
    const errors = new Map<number, number>();
    for (let i = 0; i < this.ids.length; i++) if (reading.errors[i] !== 0) errors.set(this.ids[i], reading.errors[i]);
    const reports = classifyServoErrors(errors);
    const fatal = reports.filter((r) => r.fatal.length > 0);
    if (fatal.length > 0) {
      this.servoFault = this.hardwareError(fatal);
      throw this.servoFault;
    }
    this.servoFault = undefined;
    for (const r of reports) this.options.onServoWarning?.(r);
    const raw = perMotorOf(this.description, (_m, i) => reading.values[i]);
    const obs = {
      raw,
      positions: normalizePositions(this.description, raw, this.options.calibration, this.options.bodyMode),
      servoErrors: reports,
    };
    this.lastObservation = obs;
    return obs;
  }

  /**
   * Safety (finite values, calibrated range, per-tick step cap from `measured` — the latest observation when
   * omitted), then one SYNC_WRITE of Goal_Position. Throws UnsafeActionError and writes nothing when refused.
   */
  async act(target: Partial<Record<MotorName, number>>, measured?: PerMotor<number>): Promise<ActResult> {
    if (this.servoFault) throw this.servoFault;
    const from = measured ?? this.lastObservation?.positions ?? (await this.observe()).positions;
    const t0 = performance.now();
    const verdict = this.safety.check(target, from);
    if (!verdict.ok)
      throw new UnsafeActionError(verdict.rejection.motor, verdict.rejection.reason, verdict.rejection.message);
    const raw = unnormalizePositions(this.description, verdict.sent, this.options.calibration, this.options.bodyMode);
    const t1 = performance.now();
    this.description.motors.forEach((m, i) => (this.goalValues[i] = raw[m]));
    await this.goalPositions.write(this.goalValues);
    return {
      sent: verdict.sent,
      raw,
      clamped: verdict.clamped,
      timing: { safetyMs: t1 - t0, writeMs: performance.now() - t1 },
    };
  }

  /** New step caps (a live config edit) from the next act(); throws SafetyConfigError and keeps the old ones when invalid. */
  setMaxStep(maxStep: MaxStep | null | undefined): void {
    this.safety = new ActionSafety(this.description, this.options.calibration, {
      bodyMode: this.options.bodyMode,
      maxStep,
    });
  }

  /** Whether disconnect() leaves the arm limp (true, LeRobot's default) or holding. */
  setDisableTorqueOnDisconnect(limp: boolean): void {
    this.disableTorqueOnDisconnect = limp;
  }

  /**
   * Torque off on every servo, 5 retries each like LeRobot's disconnect; reports the servos that never answered.
   * A reply with error bits (an overheated servo) still acknowledges the write, so it counts as done.
   */
  async torqueOff(): Promise<{ readonly failed: readonly MotorName[] }> {
    const failed: MotorName[] = [];
    const write = async (id: number, name: RegisterName) => {
      try {
        await this.bus.write(id, name, 0, { retries: 5 });
      } catch (err) {
        if (!(err instanceof ServoHardwareError)) throw err;
      }
    };
    for (const m of this.description.motors) {
      try {
        await write(this.motorId(m), 'Torque_Enable');
        await write(this.motorId(m), 'Lock');
      } catch {
        failed.push(m);
      }
    }
    return { failed };
  }

  /** Leaves the arm limp (unless configured not to) and closes the bus. */
  async disconnect(): Promise<void> {
    if (this.disconnected) return;
    this.disconnected = true;
    try {
      if (this.disableTorqueOnDisconnect) await this.torqueOff();
    } finally {
      await this.bus.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  private hardwareError(fatal: readonly ServoErrorReport[]): ServoHardwareError {
    const [first, ...others] = fatal;
    const also = others.map((r) => `servo ${r.id} (${r.motor}) also reports ${r.fatal.join(' + ')}. `).join('');
    return new ServoHardwareError(
      first.id,
      first.errorByte,
      this.bus.port,
      `SYNC_READ of Present_Position (${first.motor})`,
      `${also}No goal is sent while a servo reports this: act() refuses until a reading comes back without it. ` +
        'Stop the episode (torque off), fix the cause, then start again.',
    );
  }

  private async ensureCalibrated(): Promise<void> {
    const regs = {} as Record<MotorName, MotorCalibrationRegisters>;
    for (const m of this.description.motors) {
      const id = this.motorId(m);
      regs[m] = {
        homing_offset: (await this.bus.read(id, 'Homing_Offset')) as number,
        range_min: (await this.bus.read(id, 'Min_Position_Limit')) as number,
        range_max: (await this.bus.read(id, 'Max_Position_Limit')) as number,
      };
    }
    const differing = calibrationMismatches(this.options.calibration, regs);
    if (differing.length === 0) return;
    // Torque off first (LeRobot writes EEPROM with torque on); configure() turns it back on.
    for (const c of restoreCalibrationCommands(this.options.calibration)) {
      if (c.kind === 'writeRegister') await this.bus.write(c.id, c.register, c.value);
    }
    this.options.onCalibrationWritten?.(differing);
  }

  /** LeRobot's SOFollower.configure(), in its order, with torque off throughout. */
  private async configure(): Promise<void> {
    const w = (m: MotorName, r: RegisterName, v: number) => this.bus.write(this.motorId(m), r, v);
    const motors = this.description.motors;
    for (const m of motors) {
      await w(m, 'Torque_Enable', 0);
      await w(m, 'Lock', 0);
    }
    for (const m of motors) {
      await w(m, 'Return_Delay_Time', 0);
      await w(m, 'Maximum_Acceleration', 254);
      await w(m, 'Acceleration', 254);
      const phase = (await this.bus.read(this.motorId(m), 'Phase')) as number;
      // Multi-turn feedback lets readings leave 0–4095, which the calibration cannot describe.
      if (phase & PHASE_MULTI_TURN_BIT) await w(m, 'Phase', phase & ~PHASE_MULTI_TURN_BIT);
      await w(m, 'Operating_Mode', 0);
      await w(m, 'P_Coefficient', 16);
      await w(m, 'I_Coefficient', 0);
      await w(m, 'D_Coefficient', 32);
      if (this.description.motor[m].gripper) {
        await w(m, 'Max_Torque_Limit', 500);
        await w(m, 'Protection_Current', 250);
        await w(m, 'Overload_Torque', 25);
      }
    }
    // Hold where the arm is: goals follow the present position before torque comes on.
    const present = await this.bus.syncRead('Present_Position', this.ids, {
      retries: this.options.readRetries ?? 2,
    });
    await this.bus.syncWrite(
      'Goal_Position',
      this.ids.map((id) => [id, present.get(id) as number] as const),
    );
    for (const m of motors) {
      await w(m, 'Torque_Enable', 1);
      await w(m, 'Lock', 1);
    }
  }
}

/** The description in the options (the SO-100 follower when omitted), refused when it has more than one bus. */
function descriptionOf(options: So100RobotOptions): RobotDescription<MotorName> {
  const description = options.description ?? SO100_FOLLOWER;
  if (description.buses.length !== 1) {
    throw new RobotDescriptionError(
      `So100Robot drives one bus, but "${description.type}" has ${description.buses.length} (${description.buses.join(', ')}); ` +
        'a robot with several buses needs a driver that opens each of them.',
    );
  }
  return description;
}

/** PING and model of every id, then identical firmware on all (LeRobot refuses mixed firmware). */
async function handshake(bus: FeetechBus, description: RobotDescription<MotorName>): Promise<string> {
  const specs = description.motors.map((m) => description.motor[m]);
  const modelNumber = specs[0].modelNumber;
  const missing: number[] = [];
  const wrongModel: string[] = [];
  const firmware = new Map<number, string>();
  for (const { id } of specs) {
    try {
      await bus.ping(id);
    } catch (err) {
      // A servo that answers with error bits is there: its own error says what is wrong with it.
      if (err instanceof ServoHardwareError) throw err;
      missing.push(id);
      continue;
    }
    const model = await bus.readModel(id);
    if (model !== modelNumber) wrongModel.push(`id ${id} is model ${model}`);
    const major = (await bus.read(id, 'Firmware_Major_Version')) as number;
    const minor = (await bus.read(id, 'Firmware_Minor_Version')) as number;
    firmware.set(id, `${major}.${minor}`);
  }
  if (missing.length > 0) {
    throw new RobotHandshakeError(
      `no answer from servo${missing.length > 1 ? 's' : ''} ${missing.join(', ')} on ${bus.port} ` +
        `(an ${description.label} has ids ${specs.map((m) => `${m.name}=${m.id}`).join(', ')}). Check the arm's power supply ` +
        "and the cables between the servos; a servo with a factory id of 1 needs LeRobot's setup-motors first.",
    );
  }
  if (wrongModel.length > 0) {
    throw new RobotHandshakeError(
      `expected ${specs[0].model.toUpperCase()} servos (model ${modelNumber}) on ${bus.port}, but ${wrongModel.join(', ')}; ` +
        `is this an ${description.label}?`,
    );
  }
  const versions = new Set(firmware.values());
  if (versions.size > 1) {
    throw new RobotHandshakeError(
      `the servos on ${bus.port} run different firmware (${[...firmware].map(([id, v]) => `id ${id}: ${v}`).join(', ')}); ` +
        "LeRobot requires the same version on all of them — update them with Feetech's FD tool.",
    );
  }
  return [...versions][0] ?? 'unknown';
}
