// What the episode loop, the glide and the runtime session need from a robot, whatever its buses and motors:
// observe, act through the safety gate, torque off. `So100Robot` is the one-bus Feetech arm that implements it.
import type { MotorRecord, RobotDescription } from '../../core/robots';
import type { ClampEvent, MaxStep, MotorName, RobotCalibration, ServoErrorReport } from '../../core/so100';
import type { FeetechBusStats } from '../serial/feetechBusStats';

export interface Observation<M extends string = MotorName> {
  /** Normalised joint positions (degrees / ±100 for the body, 0–100 for a gripper). */
  readonly positions: MotorRecord<M, number>;
  /** Present_Position as read (after Homing_Offset, before normalisation). */
  readonly raw: MotorRecord<M, number>;
  /** Servos that reported only tolerated error bits with this reading (fatal ones make observe() throw). */
  readonly servoErrors: readonly ServoErrorReport[];
}

export interface ActResult<M extends string = MotorName> {
  /** What was really written, normalised. */
  readonly sent: MotorRecord<M, number>;
  readonly raw: MotorRecord<M, number>;
  readonly clamped: readonly ClampEvent<M>[];
  /** Milliseconds spent in the safety gate and in the writes. */
  readonly timing: { readonly safetyMs: number; readonly writeMs: number };
}

export interface Robot<M extends string = MotorName> extends AsyncDisposable {
  /** What it is: motors, buses, normalisation, default caps. */
  readonly description: RobotDescription<M>;
  readonly calibration: RobotCalibration<M>;
  /** Firmware version its servos report ("3.10"). */
  readonly firmware: string;
  /** Bus transactions, retries and timeouts so far, over all its buses. */
  readonly busStats: FeetechBusStats;
  /** One reading of every motor, normalised; throws when a servo reports a fatal error. */
  observe(): Promise<Observation<M>>;
  /** Safety gate, then one write of every goal; throws UnsafeActionError and writes nothing when refused. */
  act(target: Partial<Record<M, number>>, measured?: MotorRecord<M, number>): Promise<ActResult<M>>;
  /** New step caps from the next act(); throws SafetyConfigError and keeps the old ones when invalid. */
  setMaxStep(maxStep: MaxStep<M> | null | undefined): void;
  /** Whether disconnect() leaves the arm limp or holding. */
  setDisableTorqueOnDisconnect(limp: boolean): void;
  /** Torque off on every servo; reports the motors that never answered. */
  torqueOff(): Promise<{ readonly failed: readonly M[] }>;
  /** Torque off unless told to hold, then close its buses. */
  disconnect(): Promise<void>;
}
