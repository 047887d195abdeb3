// The SO-100 follower arm (LeRobot `so100_follower`): six STS3215 servos, ids 1–6 in LeRobot's order (reference §3).
import { STS3215_MODEL_NUMBER } from '../feetech/controlTable';
import { describeRobot, type MotorDescription, type RobotDescription } from './robotDescription';

/** Motor names in bus and vector order: observation.state[i] and action[i] refer to the i-th. */
export const SO100_FOLLOWER_MOTORS = [
  'shoulder_pan',
  'shoulder_lift',
  'elbow_flex',
  'wrist_flex',
  'wrist_roll',
  'gripper',
] as const;

export type So100MotorName = (typeof SO100_FOLLOWER_MOTORS)[number];

/**
 * Default step cap of the body joints, in degrees per tick. π₀ chunks at 30 Hz move a joint a degree or two
 * per tick, and 8° per tick still allows ~240°/s, about the STS3215's no-load speed, so normal motion is never
 * cut. A bad action (units mixed up between degrees and ±100, a reordered vector) then moves a joint at most
 * 8° per tick, which leaves the user time to stop the episode.
 */
export const DEFAULT_BODY_MAX_STEP_DEGREES = 8;
/**
 * Default step cap of the gripper, in percent of its range per tick. It is looser than the body's because a
 * grasping gripper sits at the object while its goal says "closed": the gap between goal and measured position
 * is what makes the grip force, and a tight cap would make grasps limp.
 */
export const DEFAULT_GRIPPER_MAX_STEP_PERCENT = 20;

/**
 * The six motors of one SO-100 arm on `bus`, their names prefixed with `prefix` (`left_` for one arm of a bimanual
 * pair, as LeRobot's `bi_so100_follower`); the calibration file keeps the unprefixed names.
 */
export function so100ArmMotors<P extends string>(prefix: P, bus: string): MotorDescription<`${P}${So100MotorName}`>[] {
  return SO100_FOLLOWER_MOTORS.map((m, i) => {
    const gripper = m === 'gripper';
    return {
      name: `${prefix}${m}` as const,
      bus,
      id: i + 1,
      model: 'sts3215' as const,
      modelNumber: STS3215_MODEL_NUMBER,
      calibrationName: m,
      norm: gripper ? ('RANGE_0_100' as const) : ('body' as const),
      defaultStepCap: gripper
        ? { value: DEFAULT_GRIPPER_MAX_STEP_PERCENT, unit: 'normalized' as const }
        : { value: DEFAULT_BODY_MAX_STEP_DEGREES, unit: 'degrees' as const },
      fullTurn: m === 'wrist_roll',
      gripper,
    };
  });
}

/** The SO-100 follower: one bus, calibration `<id>.json`. */
export const SO100_FOLLOWER: RobotDescription<So100MotorName> = describeRobot({
  type: 'so100_follower',
  label: 'SO-100 follower arm',
  buses: ['arm'],
  motors: so100ArmMotors('', 'arm'),
  calibrationIds: (robotId) => ({ arm: robotId }),
});
