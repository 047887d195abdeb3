// Per-motor records, vectors and `<motor>.pos` keys of any robot description, in its motor order.
import type { BodyJointMode, NormMode } from '../so100/normalization';
import type { MotorDescription, RobotDescription } from './robotDescription';

/** A value per motor of a robot whose motor names are `M`. */
export type MotorRecord<M extends string, T> = { readonly [K in M]: T };

/** Builds a per-motor record by calling `f` for each motor of `robot` in order. */
export function perMotorOf<M extends string, T>(
  robot: RobotDescription<M>,
  f: (motor: M, index: number) => T,
): MotorRecord<M, T> {
  const out = {} as { [K in M]: T };
  robot.motors.forEach((m, i) => {
    out[m] = f(m, i);
  });
  return out;
}

/** Whether `name` is one of the robot's motors. */
export function isMotorOf<M extends string>(robot: RobotDescription<M>, name: string): name is M {
  return (robot.motors as readonly string[]).includes(name);
}

/** The observation/action key of a motor, as LeRobot names it: `shoulder_pan.pos`, `left_gripper.pos`. */
export function positionKeyOf<M extends string>(motor: M): `${M}.pos` {
  return `${motor}.pos`;
}

/** The observation/action keys of the robot, in motor order (`left_shoulder_pan.pos`, …). */
export function positionKeysOf<M extends string>(robot: RobotDescription<M>): `${M}.pos`[] {
  return robot.motors.map(positionKeyOf);
}

/** The normalisation mode of one motor under the robot's body-joint setting. */
export function normModeOf(motor: MotorDescription, bodyMode: BodyJointMode): NormMode {
  return motor.norm === 'body' ? bodyMode : motor.norm;
}

/** The motors of one bus, in motor order. */
export function motorsOnBus<M extends string>(robot: RobotDescription<M>, bus: string): M[] {
  return robot.motors.filter((m) => robot.motor[m].bus === bus);
}

/** The robot's vector of a per-motor record (observation.state / action order: its `motors`). */
export function vectorOf<M extends string>(robot: RobotDescription<M>, values: MotorRecord<M, number>): number[] {
  return robot.motors.map((m) => values[m]);
}

/**
 * The per-motor record of a vector in the robot's motor order; a RangeError naming the robot and its motors when
 * the vector's length is not theirs.
 */
export function recordOf<M extends string>(
  robot: RobotDescription<M>,
  vector: ArrayLike<number>,
): MotorRecord<M, number> {
  if (vector.length !== robot.motors.length) {
    throw new RangeError(
      `a joint vector of the ${robot.label} has ${robot.motors.length} values (${robot.motors.join(', ')}), got ${vector.length}.`,
    );
  }
  return perMotorOf(robot, (_m, i) => vector[i]);
}
