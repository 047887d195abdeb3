// One joint's position-mode motion: a trapezoidal velocity profile toward a target, in encoder steps.

/** STS3215 no-load speed from the data sheet: 0.222 s per 60° at 7.4 V (≈ 45 rpm) → ≈ 3075 steps/s. */
export const NO_LOAD_SPEED_STEPS_PER_S = 4096 / 6 / 0.222;
/** Acceleration register unit: 8.7°/s² per unit (Vassar STS table) = 100 steps/s² at 0.087°/step. */
export const ACCELERATION_UNIT_STEPS_PER_S2 = 100;
/** Acceleration 0 means "maximum"; we take the largest register value (254) as that maximum. */
export const MAX_ACCELERATION_STEPS_PER_S2 = 254 * ACCELERATION_UNIT_STEPS_PER_S2;
/** Integration step: coarse enough to be cheap, fine enough that a 25 400 steps/s² ramp is smooth. */
export const MOTION_SUBSTEP_S = 0.001;

/** Physical state of a joint, in raw encoder steps (not the homing-offset frame). */
export interface JointState {
  position: number;
  velocity: number;
}

export interface MotionLimits {
  /** steps/s, > 0 */
  readonly maxVelocity: number;
  /** steps/s², > 0 */
  readonly maxAcceleration: number;
}

/** Something the joint cannot pass, in raw encoder steps (e.g. an object between the gripper fingers). */
export interface Obstacle {
  readonly lower?: number;
  readonly upper?: number;
}

/** Limits from the Goal_Velocity (steps/s, 0 = maximum) and Acceleration (0 = maximum) registers. */
export function motionLimits(goalVelocity: number, acceleration: number): MotionLimits {
  const speed = Math.abs(goalVelocity);
  return {
    maxVelocity: speed === 0 ? NO_LOAD_SPEED_STEPS_PER_S : Math.min(speed, NO_LOAD_SPEED_STEPS_PER_S),
    maxAcceleration: acceleration === 0 ? MAX_ACCELERATION_STEPS_PER_S2 : acceleration * ACCELERATION_UNIT_STEPS_PER_S2,
  };
}

/**
 * Advances `state` by `dtS` seconds toward `target`: accelerate, cruise, then brake so it stops on the
 * target without overshoot. Returns true when an obstacle stopped the joint short of its target.
 */
export function stepToward(
  state: JointState,
  target: number,
  limits: MotionLimits,
  dtS: number,
  obstacle?: Obstacle,
): boolean {
  const error = target - state.position;
  if (error === 0 && state.velocity === 0) return false;
  const a = limits.maxAcceleration;
  // Fastest speed from which we can still brake to a stop within the remaining distance.
  const stoppable = Math.sqrt(2 * a * Math.abs(error));
  const desired = Math.sign(error) * Math.min(limits.maxVelocity, stoppable);
  const dv = Math.max(-a * dtS, Math.min(a * dtS, desired - state.velocity));
  state.velocity += dv;
  let next = state.position + state.velocity * dtS;
  if ((error >= 0 && next >= target) || (error <= 0 && next <= target)) {
    next = target; // arrived (or the profile would cross it this step): stop exactly on the target
    state.velocity = 0;
  }
  let blocked = false;
  if (obstacle?.upper !== undefined && next > obstacle.upper && error > 0) {
    next = Math.max(state.position, obstacle.upper);
    blocked = true;
  }
  if (obstacle?.lower !== undefined && next < obstacle.lower && error < 0) {
    next = Math.min(state.position, obstacle.lower);
    blocked = true;
  }
  if (blocked) state.velocity = 0;
  state.position = next;
  return blocked;
}
