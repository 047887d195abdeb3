// Safety gate applied to every joint target before it is written to the servos: reject non-finite actions,
// clamp to the calibrated range, and cap the per-tick step from the measured position (LeRobot's
// max_relative_target, but on by default). Works in normalised units, like LeRobot.
import { isMotorOf, normModeOf, perMotorOf, type MotorRecord, type RobotDescription } from '../robots';
import type { RobotCalibration } from './calibration';
import type { MotorName } from './motors';
import { degreesToUnits, normalizedBounds, type BodyJointMode } from './normalization';

// Default caps are part of each robot's description (the SO-100's: core/robots/so100Follower.ts).

/** A step cap in normalised units: one number for every motor, or per motor (motors left out keep the default). */
export type MaxStep<M extends string = MotorName> = number | Partial<Record<M, number>>;

export interface ActionSafetyOptions<M extends string = MotorName> {
  readonly bodyMode: BodyJointMode;
  /** Per-tick cap relative to the measured position; omitted = each motor's default cap; null = no step cap. */
  readonly maxStep?: MaxStep<M> | null;
}

export type ClampReason = 'range' | 'step';

/** One joint whose target was changed before sending; `reason` is the limit that decided the sent value. */
export interface ClampEvent<M extends string = MotorName> {
  readonly motor: M;
  readonly wanted: number;
  readonly sent: number;
  readonly reason: ClampReason;
}

export type RejectReason = 'non-finite' | 'missing' | 'measured-non-finite';

/** Why a whole action was refused; nothing may be written. */
export interface ActionRejection<M extends string = MotorName> {
  readonly motor: M;
  readonly reason: RejectReason;
  readonly value: unknown;
  readonly message: string;
}

export type SafetyResult<M extends string = MotorName> =
  | { readonly ok: true; readonly sent: MotorRecord<M, number>; readonly clamped: readonly ClampEvent<M>[] }
  | { readonly ok: false; readonly rejection: ActionRejection<M> };

/** A step-cap setting that cannot be used (unknown motor, zero, negative or not a number). */
export class SafetyConfigError extends Error {
  override readonly name = 'SafetyConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** Limits of one motor in its normalised units. */
export interface MotorLimits {
  readonly low: number;
  readonly high: number;
  /** Infinity when the step cap is off. */
  readonly step: number;
}

function checkCap(value: unknown, key: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new SafetyConfigError(
      key,
      `${key} must be a positive number of degrees or percent per tick, got ${String(value)}; remove it to use the default.`,
    );
  }
  return value;
}

/** Resolves per-motor limits in normalised units from the robot's description, its calibration and the options. */
export function resolveSafetyLimits<M extends string>(
  robot: RobotDescription<M>,
  cal: RobotCalibration<M>,
  options: ActionSafetyOptions<M>,
): MotorRecord<M, MotorLimits> {
  const { maxStep } = options;
  if (maxStep !== null && typeof maxStep === 'object') {
    for (const key of Object.keys(maxStep)) {
      if (!isMotorOf(robot, key)) {
        throw new SafetyConfigError(
          `maxStep.${key}`,
          `maxStep.${key}: "${key}" is not a motor of the ${robot.label} (use ${robot.motors.join(', ')}).`,
        );
      }
    }
  }
  return perMotorOf(robot, (m) => {
    const mode = normModeOf(robot.motor[m], options.bodyMode);
    const { low, high } = normalizedBounds(cal[m], mode, m);
    const cap = robot.motor[m].defaultStepCap;
    const fallback = cap.unit === 'normalized' ? cap.value : degreesToUnits(cap.value, cal[m], mode);
    let step: number;
    if (maxStep === null) step = Infinity;
    else if (maxStep === undefined) step = fallback;
    else if (typeof maxStep === 'number') step = checkCap(maxStep, 'maxStep');
    else step = maxStep[m] === undefined ? fallback : checkCap(maxStep[m], `maxStep.${m}`);
    return { low, high, step };
  });
}

const clamp = (v: number, low: number, high: number): number => Math.min(high, Math.max(low, v));

/** Checks and clamps one action against resolved limits; pure, so it can be tested without a bus. */
export function applyActionSafety<M extends string>(
  robot: RobotDescription<M>,
  target: Partial<Record<M, number>>,
  measured: MotorRecord<M, number>,
  limits: MotorRecord<M, MotorLimits>,
): SafetyResult<M> {
  for (const m of robot.motors) {
    const v: unknown = target[m];
    if (v === undefined) {
      return reject(m, 'missing', v, `the action has no target for ${m}; nothing was sent.`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return reject(
        m,
        'non-finite',
        v,
        `the policy sent ${String(v)} for ${m}; the whole action was dropped and nothing was sent.`,
      );
    }
    if (!Number.isFinite(measured[m])) {
      return reject(
        m,
        'measured-non-finite',
        measured[m],
        `the measured position of ${m} is ${measured[m]}, so the step cap cannot be applied; nothing was sent.`,
      );
    }
  }
  const clamped: ClampEvent<M>[] = [];
  const sent = perMotorOf(robot, (m) => {
    const wanted = target[m] as number;
    const { low, high, step } = limits[m];
    const inRange = clamp(wanted, low, high);
    const stepped = clamp(inRange, measured[m] - step, measured[m] + step);
    // A measured position outside the range (DEGREES mode does not clamp reads) must not pull the goal out.
    const final = clamp(stepped, low, high);
    if (final !== wanted) {
      const reason: ClampReason = final !== stepped || stepped === inRange ? 'range' : 'step';
      clamped.push({ motor: m, wanted, sent: final, reason });
    }
    return final;
  });
  return { ok: true, sent, clamped };
}

function reject<M extends string>(motor: M, reason: RejectReason, value: unknown, message: string): SafetyResult<M> {
  return { ok: false, rejection: { motor, reason, value, message } };
}

/** The safety gate of one robot: limits resolved once from its calibration and settings. */
export class ActionSafety<M extends string = MotorName> {
  readonly limits: MotorRecord<M, MotorLimits>;

  constructor(
    readonly robot: RobotDescription<M>,
    cal: RobotCalibration<M>,
    options: ActionSafetyOptions<M>,
  ) {
    this.limits = resolveSafetyLimits(robot, cal, options);
  }

  /** Checks `target` (normalised units) against the calibrated range and a step cap around `measured`. */
  check(target: Partial<Record<M, number>>, measured: MotorRecord<M, number>): SafetyResult<M> {
    return applyActionSafety(this.robot, target, measured, this.limits);
  }
}
