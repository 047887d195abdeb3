// What a robot is, as data: its buses, its motors in vector order, how each motor is normalised and capped, and how
// its LeRobot calibration files are named. Safety, normalisation and the drivers read this instead of a fixed arm.
import type { NormMode } from '../so100/normalization';

/** A default per-tick step cap: degrees of servo rotation (converted per mode), or normalised units as they are. */
export interface StepCap {
  readonly value: number;
  readonly unit: 'degrees' | 'normalized';
}

/** One motor of a robot. */
export interface MotorDescription<M extends string = string> {
  /** Name in the robot's vectors and keys: `observation.state[i]`, `<name>.pos`. */
  readonly name: M;
  /** The bus it is on (one of the robot's `buses`). */
  readonly bus: string;
  /** Servo id on that bus. */
  readonly id: number;
  /** LeRobot model name and the model number the servo reports at address 3. */
  readonly model: 'sts3215';
  readonly modelNumber: number;
  /** Its name in its bus's LeRobot calibration file (a bimanual arm's files use the one-arm names). */
  readonly calibrationName: string;
  /** `body` follows the robot's degrees / ±100 setting (LeRobot `use_degrees`); a gripper is always 0–100. */
  readonly norm: 'body' | Exclude<NormMode, 'DEGREES' | 'RANGE_M100_100'>;
  /** Cap used when the config gives none. */
  readonly defaultStepCap: StepCap;
  /** Calibrated with a fixed 0–4095 range instead of a recorded sweep (LeRobot's wrist roll). */
  readonly fullTurn: boolean;
  /** A gripper: torque-limited on configure, its command gap is its grip force. */
  readonly gripper: boolean;
}

/** A robot as LeRobot names and drives it. */
export interface RobotDescription<M extends string = string> {
  /** LeRobot's robot type, written as `robot_type` into exported datasets (e.g. `so100_follower`). */
  readonly type: string;
  /** For messages: "SO-100 follower arm". */
  readonly label: string;
  /** Bus names, in the order they are opened. */
  readonly buses: readonly string[];
  /** Motor names in vector order. */
  readonly motors: readonly M[];
  /** Each motor's description. */
  readonly motor: { readonly [K in M]: MotorDescription<K> };
  /** The calibration file id of each bus for a robot id (LeRobot's `<id>.json`; `<id>_left.json` for a bimanual arm). */
  calibrationIds(robotId: string): Readonly<Record<string, string>>;
}

/** A description that contradicts itself (a motor on no bus, two motors with one id on a bus, …). */
export class RobotDescriptionError extends Error {
  override readonly name = 'RobotDescriptionError';
}

/** Builds a description from its motors, checking that ids, names and buses fit together. */
export function describeRobot<M extends string>(fields: {
  readonly type: string;
  readonly label: string;
  readonly buses: readonly string[];
  readonly motors: readonly MotorDescription<M>[];
  readonly calibrationIds: (robotId: string) => Readonly<Record<string, string>>;
}): RobotDescription<M> {
  const { type, label, buses, motors, calibrationIds } = fields;
  const problems: string[] = [];
  if (motors.length === 0) problems.push('it has no motors');
  const seen = new Set<string>();
  const ids = new Set<string>();
  for (const m of motors) {
    if (seen.has(m.name)) problems.push(`motor "${m.name}" is listed twice`);
    seen.add(m.name);
    if (!buses.includes(m.bus)) problems.push(`motor "${m.name}" is on bus "${m.bus}", not one of ${buses.join(', ')}`);
    const busId = `${m.bus}#${m.id}`;
    if (ids.has(busId)) problems.push(`two motors have id ${m.id} on bus "${m.bus}"`);
    ids.add(busId);
    if (!Number.isInteger(m.id) || m.id < 0 || m.id > 253) problems.push(`motor "${m.name}" has id ${m.id} (0–253)`);
  }
  for (const bus of buses) {
    if (!motors.some((m) => m.bus === bus)) problems.push(`bus "${bus}" has no motors`);
  }
  if (problems.length > 0) {
    throw new RobotDescriptionError(`robot "${type}" cannot be used: ${problems.join('; ')}.`);
  }
  const motor = Object.fromEntries(motors.map((m) => [m.name, m])) as { [K in M]: MotorDescription<K> };
  return { type, label, buses, motors: motors.map((m) => m.name), motor, calibrationIds };
}
