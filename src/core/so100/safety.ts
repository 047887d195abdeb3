// Safety gate applied to every joint target before it is written to the servos: reject non-finite actions,
// clamp to the calibrated range, and cap the per-tick step from the measured position (LeRobot's
// max_relative_target, but on by default). Works in normalised units, like LeRobot.
import type { So100Calibration } from './calibration';
import { isMotorName, perMotor, SO100_MOTORS, type MotorName, type PerMotor } from './motors';
import { degreesToUnits, normalizedBounds, normModeFor, type BodyJointMode } from './normalization';

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

/** A step cap in normalised units: one number for every motor, or per motor (motors left out keep the default). */
export type MaxStep = number | Partial<Record<MotorName, number>>;

export interface ActionSafetyOptions {
  readonly bodyMode: BodyJointMode;
  /** Per-tick cap relative to the measured position; omitted = defaults above; null = no step cap. */
  readonly maxStep?: MaxStep | null;
}

export type ClampReason = 'range' | 'step';

/** One joint whose target was changed before sending; `reason` is the limit that decided the sent value. */
export interface ClampEvent {
  readonly motor: MotorName;
  readonly wanted: number;
  readonly sent: number;
  readonly reason: ClampReason;
}

export type RejectReason = 'non-finite' | 'missing' | 'measured-non-finite';

/** Why a whole action was refused; nothing may be written. */
export interface ActionRejection {
  readonly motor: MotorName;
  readonly reason: RejectReason;
  readonly value: unknown;
  readonly message: string;
}

export type SafetyResult =
  | { readonly ok: true; readonly sent: PerMotor<number>; readonly clamped: readonly ClampEvent[] }
  | { readonly ok: false; readonly rejection: ActionRejection };

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

/** Resolves per-motor limits in normalised units from the calibration and the options. */
export function resolveSafetyLimits(cal: So100Calibration, options: ActionSafetyOptions): PerMotor<MotorLimits> {
  const { maxStep } = options;
  if (maxStep !== null && typeof maxStep === 'object') {
    for (const key of Object.keys(maxStep)) {
      if (!isMotorName(key)) {
        throw new SafetyConfigError(
          `maxStep.${key}`,
          `maxStep.${key}: "${key}" is not an SO-100 motor (use ${SO100_MOTORS.join(', ')}).`,
        );
      }
    }
  }
  return perMotor((m) => {
    const mode = normModeFor(m, options.bodyMode);
    const { low, high } = normalizedBounds(cal[m], mode, m);
    const fallback =
      m === 'gripper' ? DEFAULT_GRIPPER_MAX_STEP_PERCENT : degreesToUnits(DEFAULT_BODY_MAX_STEP_DEGREES, cal[m], mode);
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
export function applyActionSafety(
  target: Partial<Record<MotorName, number>>,
  measured: PerMotor<number>,
  limits: PerMotor<MotorLimits>,
): SafetyResult {
  for (const m of SO100_MOTORS) {
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
  const clamped: ClampEvent[] = [];
  const sent = perMotor((m) => {
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

function reject(motor: MotorName, reason: RejectReason, value: unknown, message: string): SafetyResult {
  return { ok: false, rejection: { motor, reason, value, message } };
}

/** The safety gate of one robot: limits resolved once from its calibration and settings. */
export class ActionSafety {
  readonly limits: PerMotor<MotorLimits>;

  constructor(cal: So100Calibration, options: ActionSafetyOptions) {
    this.limits = resolveSafetyLimits(cal, options);
  }

  /** Checks `target` (normalised units) against the calibrated range and a step cap around `measured`. */
  check(target: Partial<Record<MotorName, number>>, measured: PerMotor<number>): SafetyResult {
    return applyActionSafety(target, measured, this.limits);
  }
}
