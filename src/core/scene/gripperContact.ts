// Where the simulated gripper's jaws meet the cube, as an obstacle for the gripper servo's emulator, so a grasp
// stalls on the cube (the servo stops short of its "closed" goal and its load rises) like a real STS3215 does.
import type { Obstacle } from '../sim/servoMotion';
import { STS3215_RESOLUTION } from '../feetech/controlTable';
import type { So100Calibration } from '../so100/calibration';
import { unnormalizePosition } from '../so100/normalization';
import { SO100_GEOMETRY } from './armKinematics';
import type { CubeTask } from './cubeTask';

/** Gripper value (0 = closed … 100 = open) at which the jaw gap equals an object's width. */
export function gripperValueForGap(widthM: number): number {
  return Math.max(0, Math.min(100, (widthM / SO100_GEOMETRY.maxJawGap) * 100));
}

/**
 * The gripper servo's obstacle for the cube task's current state: the raw encoder position (before Homing_Offset,
 * the frame `Sts3215Servo.obstacle` uses) where closing jaws touch the cube's sides; null when no cube is between
 * the jaws. Closing lowers the gripper value, so the contact is a lower bound, or an upper one with drive_mode 1.
 * Assumes the gripper's travel does not cross the encoder's 4095 → 0 wrap (true of the SO-100's calibrations).
 */
export function gripperObstacle(
  task: Pick<CubeTask, 'cubeBetweenJaws' | 'cubeSize'>,
  calibration: So100Calibration,
): Obstacle | null {
  if (!task.cubeBetweenJaws) return null;
  const cal = calibration.gripper;
  const present = unnormalizePosition(gripperValueForGap(task.cubeSize), cal, 'RANGE_0_100', 'gripper');
  const actual = (((present + cal.homing_offset) % STS3215_RESOLUTION) + STS3215_RESOLUTION) % STS3215_RESOLUTION;
  return cal.drive_mode ? { upper: actual } : { lower: actual };
}
