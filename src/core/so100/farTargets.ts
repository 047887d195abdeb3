// Policy targets so far outside a joint's calibrated range that they cannot be a slightly optimistic action: the
// sign of wrong units or normalisation (radians vs degrees, unnormalised model output). Safety clamps them anyway;
// this is what tells the user why the arm does not follow the policy.
import { SO100_MOTORS, type MotorName } from './motors';

export interface JointRange {
  readonly min: number;
  readonly max: number;
}

export interface FarTarget {
  readonly motor: MotorName;
  /** Row of the chunk it was found in. */
  readonly row: number;
  readonly value: number;
  readonly range: JointRange;
}

/**
 * The first finite target of a (rows × SO100_MOTORS) chunk that lies more than one range width outside its joint's
 * range, or undefined. `ranges` are in the targets' units, motor order.
 */
export function findFarTarget(targets: ArrayLike<number>, ranges: readonly JointRange[]): FarTarget | undefined {
  const dims = SO100_MOTORS.length;
  for (let i = 0; i < targets.length; i++) {
    const range = ranges[i % dims];
    const v = targets[i];
    if (range === undefined || !Number.isFinite(v)) continue;
    const width = range.max - range.min;
    if (v < range.min - width || v > range.max + width)
      return { motor: SO100_MOTORS[i % dims], row: Math.floor(i / dims), value: v, range };
  }
  return undefined;
}
