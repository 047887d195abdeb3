// The simulated SO-100's physical travel and the calibration a person would record on it.
import type { So100Calibration } from './calibration';
import { motorId, perMotor, type MotorName } from './motors';

/** Encoder position of every joint's middle on the simulated arm (the servos power up there). */
export const SIM_ARM_MIDDLE = 2048;

/**
 * Travel of each joint around its middle, in encoder steps (4096 per turn), from the SO-ARM100 URDF joint limits:
 * shoulder_pan ±1.92 rad, shoulder_lift ±1.75, elbow_flex ±1.69, wrist_flex ±1.66, gripper −0.17..1.75 rad;
 * wrist_roll turns fully.
 */
export const SIM_ARM_TRAVEL: Readonly<Record<MotorName, readonly [low: number, high: number]>> = {
  shoulder_pan: [-1251, 1251],
  shoulder_lift: [-1138, 1138],
  elbow_flex: [-1101, 1101],
  wrist_flex: [-1081, 1081],
  wrist_roll: [0, 0],
  gripper: [-114, 1138],
};

/**
 * The calibration of the simulated arm as LeRobot would record it with the arm homed at its middle: homing offset
 * 0, ranges = the travel, wrist_roll 0–4095. DEGREES then reads 0° at each joint's middle, as the scene expects.
 */
export function simulatedArmCalibration(): So100Calibration {
  return perMotor((m) => {
    const [low, high] = SIM_ARM_TRAVEL[m];
    const full = m === 'wrist_roll';
    return {
      id: motorId(m),
      drive_mode: 0,
      homing_offset: 0,
      range_min: full ? 0 : SIM_ARM_MIDDLE + low,
      range_max: full ? 4095 : SIM_ARM_MIDDLE + high,
    };
  });
}
