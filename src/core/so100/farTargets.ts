// Policy targets so far outside a joint's calibrated range that they cannot be a slightly optimistic action: the
// sign of wrong units or normalisation (radians vs degrees, unnormalised model output). Safety clamps them anyway;
// this is what tells the user why the arm does not follow the policy.
import { SO100_MOTORS, type MotorName } from './motors';

export interface JointRange {
  readonly min: number;
  readonly max: number;
}

export interface FarTarget<M extends string = MotorName> {
  readonly motor: M;
  /** Row of the chunk it was found in. */
  readonly row: number;
  readonly value: number;
  readonly range: JointRange;
}

/**
 * The first finite target of a (rows × motors) chunk that lies more than one range width outside its joint's
 * range, or undefined. `ranges` are in the targets' units, motor order; `motors` default to SO100_MOTORS.
 */
export function findFarTarget(targets: ArrayLike<number>, ranges: readonly JointRange[]): FarTarget | undefined;
export function findFarTarget<M extends string>(
  targets: ArrayLike<number>,
  ranges: readonly JointRange[],
  motors: readonly M[],
): FarTarget<M> | undefined;
export function findFarTarget(
  targets: ArrayLike<number>,
  ranges: readonly JointRange[],
  motors: readonly string[] = SO100_MOTORS,
): FarTarget<string> | undefined {
  const dims = motors.length;
  for (let i = 0; i < targets.length; i++) {
    const range = ranges[i % dims];
    const v = targets[i];
    if (range === undefined || !Number.isFinite(v)) continue;
    const width = range.max - range.min;
    if (v < range.min - width || v > range.max + width)
      return { motor: motors[i % dims], row: Math.floor(i / dims), value: v, range };
  }
  return undefined;
}
