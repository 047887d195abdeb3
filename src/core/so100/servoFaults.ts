// Which servo status error bits stop the arm and which are only reported, per SO-100 motor.
import { errorBitsOf, type ServoErrorBit } from '../feetech';
import { SO100_FOLLOWER } from '../robots';
import { SO100_MOTORS, type MotorName } from './motors';

/**
 * Bits that make driving a joint unsafe. Choices:
 * - inputVoltage: a sagging or wrong supply browns servos out mid-motion (they reset, drop torque); fatal.
 * - angleSensor: Present_Position cannot be trusted, and every goal is computed from it; fatal.
 * - overheat: going on heats the motor further towards damage; fatal.
 * - overCurrent: the driver stage is at its limit (collision, jam); fatal.
 * - overload: fatal for the body joints (a blocked joint, a collision). Not for the gripper: LeRobot's configure()
 *   gives it Protection_Current 250 and Overload_Torque 25 precisely so that squeezing an object trips the
 *   overload protection (torque drops to 25 %) instead of burning the motor — that is a normal grasp.
 * Reserved bits (0x10, 0x40, 0x80) have no documented meaning; they are reported, not fatal.
 */
const FATAL: Readonly<Record<ServoErrorBit, (motor: MotorName) => boolean>> = {
  inputVoltage: () => true,
  angleSensor: () => true,
  overheat: () => true,
  overCurrent: () => true,
  overload: (motor) => !SO100_FOLLOWER.motor[motor].gripper,
};

/** Error bits one servo reported, split by what they mean for the episode. */
export interface ServoErrorReport {
  readonly motor: MotorName;
  readonly id: number;
  /** The whole ERR byte as received. */
  readonly errorByte: number;
  /** Named bits that must stop the arm. */
  readonly fatal: readonly ServoErrorBit[];
  /** Named bits that are only reported (e.g. the gripper's overload while grasping). */
  readonly tolerated: readonly ServoErrorBit[];
}

/** Sorts the ERR bytes of SO-100 servos (id → byte, zeros allowed) into reports, in motor order. */
export function classifyServoErrors(errors: ReadonlyMap<number, number>): ServoErrorReport[] {
  const out: ServoErrorReport[] = [];
  SO100_MOTORS.forEach((motor, i) => {
    const id = i + 1;
    const errorByte = errors.get(id) ?? 0;
    if (errorByte === 0) return;
    const bits = errorBitsOf(errorByte);
    out.push({
      motor,
      id,
      errorByte,
      fatal: bits.filter((b) => FATAL[b](motor)),
      tolerated: bits.filter((b) => !FATAL[b](motor)),
    });
  });
  return out;
}
