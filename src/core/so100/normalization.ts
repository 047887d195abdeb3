// Raw servo positions ↔ the normalised units policies see, with LeRobot's exact formulas
// (`SerialMotorsBus._normalize` / `_unnormalize`, reference §3 "Normalization"). Operation order matches
// the Python so float results, and therefore the truncated raw values, are identical.
import { normModeOf, perMotorOf, type MotorRecord, type RobotDescription } from '../robots';
import { MAX_RAW_POSITION, type MotorCalibration, type RobotCalibration } from './calibration';

/** LeRobot's `MotorNormMode` values used by the SO arms. */
export type NormMode = 'DEGREES' | 'RANGE_M100_100' | 'RANGE_0_100';

/**
 * Units of the five body joints, a per-robot setting (LeRobot `use_degrees`). LeRobot defaults to degrees
 * since v0.4.4; policies trained on older datasets (many SO-100 π₀ fine-tunes) expect −100..100.
 */
export type BodyJointMode = 'DEGREES' | 'RANGE_M100_100';

/** The calibration fields normalisation needs. */
export type MotorRange = Pick<MotorCalibration, 'range_min' | 'range_max' | 'drive_mode'>;

/** A calibration that normalisation cannot use (min ≥ max, or a value that is not a finite number). */
export class NormalizationError extends Error {
  override readonly name = 'NormalizationError';
  constructor(
    readonly motor: string,
    message: string,
  ) {
    super(`${motor}: ${message}`);
  }
}

function checkRange(cal: MotorRange, motor: string): void {
  if (!(cal.range_min < cal.range_max)) {
    throw new NormalizationError(
      motor,
      `calibrated range ${cal.range_min}..${cal.range_max} is empty; recalibrate with \`so100 calibrate\` and move this joint through its travel.`,
    );
  }
}

/** The unit a position in `mode` is written in, for axis labels: degrees, percent of the range, or ±100 of it. */
export function positionUnit(mode: NormMode): string {
  return mode === 'DEGREES' ? '°' : mode === 'RANGE_0_100' ? '%' : '±100';
}

/** Raw position → normalised value (LeRobot `_normalize` for one motor). DEGREES ignores drive_mode and does not clamp. */
export function normalizePosition(raw: number, cal: MotorRange, mode: NormMode, motor = 'motor'): number {
  checkRange(cal, motor);
  const min = cal.range_min;
  const max = cal.range_max;
  switch (mode) {
    case 'RANGE_M100_100': {
      const bounded = Math.min(max, Math.max(min, raw));
      const norm = ((bounded - min) / (max - min)) * 200 - 100;
      return cal.drive_mode ? -norm : norm;
    }
    case 'RANGE_0_100': {
      const bounded = Math.min(max, Math.max(min, raw));
      const norm = ((bounded - min) / (max - min)) * 100;
      return cal.drive_mode ? 100 - norm : norm;
    }
    case 'DEGREES': {
      const mid = (min + max) / 2;
      return ((raw - mid) * 360) / MAX_RAW_POSITION;
    }
  }
}

/** Normalised value → raw position (LeRobot `_unnormalize`, Python `int()` truncation toward zero). */
export function unnormalizePosition(value: number, cal: MotorRange, mode: NormMode, motor = 'motor'): number {
  checkRange(cal, motor);
  if (!Number.isFinite(value)) {
    throw new NormalizationError(
      motor,
      `cannot convert ${value} to a servo position; the target must be a finite number.`,
    );
  }
  const min = cal.range_min;
  const max = cal.range_max;
  let raw: number;
  switch (mode) {
    case 'RANGE_M100_100': {
      const v = cal.drive_mode ? -value : value;
      const bounded = Math.min(100, Math.max(-100, v));
      raw = ((bounded + 100) / 200) * (max - min) + min;
      break;
    }
    case 'RANGE_0_100': {
      const v = cal.drive_mode ? 100 - value : value;
      const bounded = Math.min(100, Math.max(0, v));
      raw = (bounded / 100) * (max - min) + min;
      break;
    }
    case 'DEGREES': {
      const mid = (min + max) / 2;
      raw = (value * MAX_RAW_POSITION) / 360 + mid;
      break;
    }
  }
  // Math.trunc(-0.5) is -0; a servo position has no sign of zero.
  return Math.trunc(raw) + 0;
}

/** Normalised units covered by one raw encoder step in this mode (the round-trip tolerance). */
export function unitsPerRawStep(cal: MotorRange, mode: NormMode): number {
  switch (mode) {
    case 'DEGREES':
      return 360 / MAX_RAW_POSITION;
    case 'RANGE_M100_100':
      return 200 / (cal.range_max - cal.range_min);
    case 'RANGE_0_100':
      return 100 / (cal.range_max - cal.range_min);
  }
}

/** Converts an angle in degrees of servo rotation into this mode's normalised units. */
export function degreesToUnits(degrees: number, cal: MotorRange, mode: NormMode): number {
  return (degrees / (360 / MAX_RAW_POSITION)) * unitsPerRawStep(cal, mode);
}

/**
 * Lowest and highest normalised values inside the calibrated range (what a target may be clamped to). Throws
 * NormalizationError naming `motor` for an empty range, in every mode (the ±100 and 0–100 bounds do not need the
 * range, but clamping to them would still be meaningless).
 */
export function normalizedBounds(
  cal: MotorRange,
  mode: NormMode,
  motor = 'motor',
): { readonly low: number; readonly high: number } {
  checkRange(cal, motor);
  switch (mode) {
    case 'RANGE_M100_100':
      return { low: -100, high: 100 };
    case 'RANGE_0_100':
      return { low: 0, high: 100 };
    case 'DEGREES': {
      const a = normalizePosition(cal.range_min, cal, mode, motor);
      const b = normalizePosition(cal.range_max, cal, mode, motor);
      return { low: Math.min(a, b), high: Math.max(a, b) };
    }
  }
}

/** Normalises raw Present_Position values of every motor of `robot` (observation units). */
export function normalizePositions<M extends string>(
  robot: RobotDescription<M>,
  raw: MotorRecord<M, number>,
  cal: RobotCalibration<M>,
  bodyMode: BodyJointMode,
): MotorRecord<M, number> {
  return perMotorOf(robot, (m) => normalizePosition(raw[m], cal[m], normModeOf(robot.motor[m], bodyMode), m));
}

/** Converts normalised targets of every motor of `robot` into raw Goal_Position values. */
export function unnormalizePositions<M extends string>(
  robot: RobotDescription<M>,
  values: MotorRecord<M, number>,
  cal: RobotCalibration<M>,
  bodyMode: BodyJointMode,
): MotorRecord<M, number> {
  return perMotorOf(robot, (m) => unnormalizePosition(values[m], cal[m], normModeOf(robot.motor[m], bodyMode), m));
}
