// Gripper units between LeRobot (RANGE_0_100, 0 = closed, 100 = open) and a policy's own convention.
import { ConverterError } from './converterError';
import type { ConverterOptions } from './layouts';

/** A linear map of the gripper between the robot's 0–100 and the policy's closed..open values. */
export interface GripperUnits {
  /** Robot 0–100 → policy units. */
  toPolicy(robot: number): number;
  /** Policy units → robot 0–100. */
  toRobot(policy: number): number;
}

/** The gripper map of `options.gripper` (identity when unset); rejects closed = open or non-finite values. */
export function gripperUnits(options: ConverterOptions = {}): GripperUnits {
  const closed = options.gripper?.closed ?? 0;
  const open = options.gripper?.open ?? 100;
  if (!Number.isFinite(closed) || !Number.isFinite(open) || closed === open) {
    throw new ConverterError(
      'converter.gripper',
      'finite, different closed and open values (e.g. { "closed": 0, "open": 1 })',
      `{ closed: ${closed}, open: ${open} }`,
    );
  }
  // Written so that the default (0, 100) is exactly the identity: the factors are 1.
  const toPolicyScale = (open - closed) / 100;
  const toRobotScale = 100 / (open - closed);
  return {
    toPolicy: (robot) => closed + robot * toPolicyScale,
    toRobot: (policy) => (policy - closed) * toRobotScale,
  };
}
