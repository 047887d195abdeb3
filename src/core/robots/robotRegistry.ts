// The robots this project drives, by LeRobot robot type. Adding a robot adds a description file and one entry here.
import type { RobotDescription } from './robotDescription';
import { SO100_FOLLOWER } from './so100Follower';

export const ROBOTS = {
  so100_follower: SO100_FOLLOWER,
} as const satisfies Readonly<Record<string, RobotDescription>>;

export type RobotType = keyof typeof ROBOTS;

/** The robot a config without a robot type drives, and whose type an export without one is written with. */
export const DEFAULT_ROBOT_TYPE: RobotType = 'so100_follower';

/** A robot type that no description is registered for. */
export class UnknownRobotError extends Error {
  override readonly name = 'UnknownRobotError';
}

/** Whether `type` names a registered robot. */
export function isRobotType(type: string): type is RobotType {
  return Object.prototype.hasOwnProperty.call(ROBOTS, type);
}

/** The description of a registered robot type; throws UnknownRobotError listing the known ones. */
export function robotDescription(type: string): RobotDescription {
  if (!isRobotType(type)) {
    throw new UnknownRobotError(`unknown robot type "${type}"; this version drives ${Object.keys(ROBOTS).join(', ')}.`);
  }
  return ROBOTS[type];
}
