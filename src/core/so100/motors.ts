// The SO-100 follower's motors as typed names and records. The arm itself is described once, in
// core/robots/so100Follower.ts; everything here is derived from that description.
import {
  normModeOf,
  SO100_FOLLOWER,
  SO100_FOLLOWER_MOTORS,
  perMotorOf,
  positionKeyOf,
  type MotorDescription,
  type MotorRecord,
  type So100MotorName,
} from '../robots';
import type { BodyJointMode, NormMode } from './normalization';

export { DEFAULT_BODY_MAX_STEP_DEGREES, DEFAULT_GRIPPER_MAX_STEP_PERCENT } from '../robots';

/** Motor names in bus and vector order: observation.state[i] and action[i] refer to SO100_MOTORS[i]. */
export const SO100_MOTORS = SO100_FOLLOWER_MOTORS;

export type MotorName = So100MotorName;

/** Observation/action key of one motor, as LeRobot names it. */
export type PositionKey = `${MotorName}.pos`;

export type MotorSpec = MotorDescription<MotorName>;

/** The six motors with their bus ids and model. */
export const SO100_MOTOR_SPECS: readonly MotorSpec[] = SO100_MOTORS.map((m) => SO100_FOLLOWER.motor[m]);

/** The body joints: every motor but the gripper (their units follow the robot's degrees/±100 setting). */
export const SO100_BODY_MOTORS: readonly MotorName[] = SO100_MOTORS.filter((m) => !SO100_FOLLOWER.motor[m].gripper);

/** The motor LeRobot calibrates with a fixed full-turn range (0–4095) instead of a recorded sweep. */
export const SO100_FULL_TURN_MOTORS: readonly MotorName[] = SO100_MOTORS.filter(
  (m) => SO100_FOLLOWER.motor[m].fullTurn,
);

/** A value per motor. */
export type PerMotor<T> = MotorRecord<MotorName, T>;

/** Whether a string is one of the six SO-100 motor names. */
export function isMotorName(name: string): name is MotorName {
  return (SO100_MOTORS as readonly string[]).includes(name);
}

/** Bus id of a motor. */
export function motorId(motor: MotorName): number {
  return SO100_FOLLOWER.motor[motor].id;
}

/** The normalisation mode of an SO-100 motor: the gripper is always 0..100, the body joints follow the setting. */
export function normModeFor(motor: MotorName, bodyMode: BodyJointMode): NormMode {
  return normModeOf(SO100_FOLLOWER.motor[motor], bodyMode);
}

/** The observation/action key of a motor, e.g. `shoulder_pan.pos`. */
export function positionKey(motor: MotorName): PositionKey {
  return positionKeyOf(motor);
}

/** Every position key in motor order. */
export const SO100_POSITION_KEYS: readonly PositionKey[] = SO100_MOTORS.map(positionKey);

/** Builds a per-motor record by calling `f` for each motor in order. */
export function perMotor<T>(f: (motor: MotorName, index: number) => T): PerMotor<T> {
  return perMotorOf(SO100_FOLLOWER, f);
}

/** Motor-ordered vector (observation.state / action layout) from a per-motor record. */
export function toMotorVector(values: PerMotor<number>): number[] {
  return SO100_MOTORS.map((m) => values[m]);
}

/** Per-motor record from a motor-ordered vector of length 6. */
export function fromMotorVector(vector: ArrayLike<number>): PerMotor<number> {
  if (vector.length !== SO100_MOTORS.length) {
    throw new RangeError(
      `an SO-100 joint vector has ${SO100_MOTORS.length} values (${SO100_MOTORS.join(', ')}), got ${vector.length}.`,
    );
  }
  return perMotor((_m, i) => vector[i]);
}

/** A `<motor>.pos` record (observation or action) from per-motor values. */
export function toPositionRecord(values: PerMotor<number>): Record<PositionKey, number> {
  const out = {} as Record<PositionKey, number>;
  for (const m of SO100_MOTORS) out[positionKey(m)] = values[m];
  return out;
}

/** Per-motor values from a `<motor>.pos` record; keys that are absent stay absent (the safety gate rejects them). */
export function fromPositionRecord(record: Readonly<Record<string, unknown>>): Partial<Record<MotorName, number>> {
  const out: Partial<Record<MotorName, number>> = {};
  for (const m of SO100_MOTORS) {
    const v = record[positionKey(m)];
    // Non-numbers are passed through as NaN so the safety gate reports the joint instead of a type error.
    if (v !== undefined) out[m] = typeof v === 'number' ? v : Number.NaN;
  }
  return out;
}
