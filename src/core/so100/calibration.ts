// LeRobot calibration files for the SO follower: types, a strict parser with precise messages, and a writer
// that produces the same text LeRobot (draccus JSON, indent 4) writes (reference §3 "Calibration file").
import { STS3215_RESOLUTION } from '../feetech';
import { isMotorName, motorId, SO100_MOTORS, type MotorName, type PerMotor } from './motors';

/** One motor's entry, field names and order as in LeRobot's `MotorCalibration`. */
export interface MotorCalibration {
  readonly id: number;
  /** 0 = normal, 1 = inverted; LeRobot always writes 0 for the SO arms. */
  readonly drive_mode: 0 | 1;
  /** Value of the Homing_Offset register: Present_Position = Actual − homing_offset. */
  readonly homing_offset: number;
  readonly range_min: number;
  readonly range_max: number;
}

/** A robot's calibration: one entry per motor, keyed by the robot's motor names. */
export type RobotCalibration<M extends string> = { readonly [K in M]: MotorCalibration };

/** A full SO-100 calibration: one entry per motor. */
export type So100Calibration = PerMotor<MotorCalibration>;

/** Largest raw position of the single-turn encoder. */
export const MAX_RAW_POSITION = STS3215_RESOLUTION - 1;
/** Homing_Offset is sign-magnitude with the sign in bit 11, so its magnitude is at most 2047. */
export const MAX_HOMING_OFFSET_MAGNITUDE = 2047;

const FIELDS = ['id', 'drive_mode', 'homing_offset', 'range_min', 'range_max'] as const;
const FIX = 'Recalibrate the arm with `so100 calibrate` to write a fresh file.';

/** One thing wrong with a calibration file. */
export interface CalibrationIssue {
  readonly motor?: string;
  readonly field?: string;
  readonly message: string;
}

/** A calibration file that cannot be used; `issues` lists every problem found, the message names the file. */
export class CalibrationFileError extends Error {
  override readonly name = 'CalibrationFileError';
  constructor(
    readonly source: string,
    readonly issues: readonly CalibrationIssue[],
    /** 1-based position of a JSON syntax error, when there is one. */
    readonly line?: number,
    readonly column?: number,
  ) {
    const fix =
      line !== undefined
        ? `Fix the JSON at that line, or recalibrate with \`so100 calibrate\` to write a fresh file.`
        : FIX;
    super(
      `calibration file ${source} is not usable:\n` +
        issues.map((i) => `  - ${i.motor ? `${i.motor}: ` : ''}${i.message}`).join('\n') +
        `\n${fix}`,
    );
  }
}

/** Converts a character offset into a 1-based line and column. */
function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Line/column of a JSON.parse error; V8 reports "position N" (Node 20) or "(line L column C)" (newer). */
function syntaxErrorLocation(text: string, err: Error): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(err.message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(err.message);
  if (pos) return lineColumn(text, Number(pos[1]));
  if (/end of JSON input/i.test(err.message)) return lineColumn(text, text.length);
  return undefined;
}

function parseJson(jsonText: string, source: string): unknown {
  // Some Windows editors save a byte-order mark, which JSON.parse rejects; it carries no data, so drop it.
  const text = jsonText.charCodeAt(0) === 0xfeff ? jsonText.slice(1) : jsonText;
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const at = syntaxErrorLocation(text, err);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    const detail = err.message.replace(/\s*in JSON at position \d+.*$/, '');
    throw new CalibrationFileError(source, [{ message: `malformed JSON${where}: ${detail}` }], at?.line, at?.column);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Checks one motor entry; pushes problems into `issues` and returns the entry when it is usable. */
function checkMotor(motor: MotorName, value: unknown, issues: CalibrationIssue[]): MotorCalibration | undefined {
  if (!isPlainObject(value)) {
    issues.push({ motor, message: `expected an object with ${FIELDS.join(', ')}, got ${describe(value)}` });
    return undefined;
  }
  const before = issues.length;
  for (const key of Object.keys(value)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      issues.push({ motor, field: key, message: `unknown field "${key}" (allowed: ${FIELDS.join(', ')})` });
    }
  }
  const ints: Partial<Record<(typeof FIELDS)[number], number>> = {};
  for (const field of FIELDS) {
    const v = value[field];
    if (v === undefined) issues.push({ motor, field, message: `missing field "${field}"` });
    else if (typeof v !== 'number' || !Number.isInteger(v)) {
      issues.push({ motor, field, message: `"${field}" must be an integer, got ${describe(v)}` });
    } else ints[field] = v;
  }
  const { id, drive_mode, homing_offset, range_min, range_max } = ints;
  if (id !== undefined && id !== motorId(motor)) {
    issues.push({ motor, field: 'id', message: `"id" is ${id} but ${motor} is servo ${motorId(motor)} on an SO-100` });
  }
  if (drive_mode !== undefined && drive_mode !== 0 && drive_mode !== 1) {
    issues.push({ motor, field: 'drive_mode', message: `"drive_mode" must be 0 or 1, got ${drive_mode}` });
  }
  if (homing_offset !== undefined && Math.abs(homing_offset) > MAX_HOMING_OFFSET_MAGNITUDE) {
    issues.push({
      motor,
      field: 'homing_offset',
      message: `"homing_offset" ${homing_offset} does not fit the Homing_Offset register (magnitude at most ${MAX_HOMING_OFFSET_MAGNITUDE})`,
    });
  }
  for (const field of ['range_min', 'range_max'] as const) {
    const v = ints[field];
    if (v !== undefined && (v < 0 || v > MAX_RAW_POSITION)) {
      issues.push({ motor, field, message: `"${field}" ${v} is outside the encoder range 0–${MAX_RAW_POSITION}` });
    }
  }
  if (range_min !== undefined && range_max !== undefined && range_min >= range_max) {
    issues.push({
      motor,
      field: 'range_min',
      message: `"range_min" ${range_min} must be below "range_max" ${range_max} (the joint was not moved while recording ranges?)`,
    });
  }
  if (issues.length > before || id === undefined || homing_offset === undefined) return undefined;
  if (range_min === undefined || range_max === undefined) return undefined;
  return { id, drive_mode: drive_mode === 1 ? 1 : 0, homing_offset, range_min, range_max };
}

/** Parses a LeRobot SO follower calibration file; throws CalibrationFileError naming `source` and each bad motor. */
export function parseCalibration(jsonText: string, source: string): So100Calibration {
  const root = parseJson(jsonText, source);
  if (!isPlainObject(root)) {
    throw new CalibrationFileError(source, [
      { message: `expected a JSON object keyed by motor name (${SO100_MOTORS.join(', ')}), got ${describe(root)}` },
    ]);
  }
  const issues: CalibrationIssue[] = [];
  for (const key of Object.keys(root)) {
    if (!isMotorName(key)) {
      issues.push({ motor: key, message: `"${key}" is not an SO-100 motor (expected ${SO100_MOTORS.join(', ')})` });
    }
  }
  const out: Partial<Record<MotorName, MotorCalibration>> = {};
  for (const motor of SO100_MOTORS) {
    if (!(motor in root)) {
      issues.push({ motor, message: `motor "${motor}" is missing` });
      continue;
    }
    const entry = checkMotor(motor, root[motor], issues);
    if (entry) out[motor] = entry;
  }
  if (issues.length > 0) throw new CalibrationFileError(source, issues);
  return out as So100Calibration;
}

/** The file text LeRobot writes for this calibration: JSON with indent 4, motors in bus order, no trailing newline. */
export function serializeCalibration(cal: So100Calibration): string {
  const ordered: Record<string, MotorCalibration> = {};
  for (const motor of SO100_MOTORS) {
    const c = cal[motor];
    ordered[motor] = {
      id: c.id,
      drive_mode: c.drive_mode,
      homing_offset: c.homing_offset,
      range_min: c.range_min,
      range_max: c.range_max,
    };
  }
  return JSON.stringify(ordered, null, 4);
}

/** What the servos hold in their calibration registers (read back at connect). */
export interface MotorCalibrationRegisters {
  readonly homing_offset: number;
  readonly range_min: number;
  readonly range_max: number;
}

/**
 * Motors whose registers differ from the calibration (LeRobot's `is_calibrated` compares Homing_Offset,
 * Min_Position_Limit and Max_Position_Limit); empty when the arm is calibrated.
 */
export function calibrationMismatches(
  cal: So100Calibration,
  registers: PerMotor<MotorCalibrationRegisters>,
): MotorName[] {
  return SO100_MOTORS.filter((m) => {
    const c = cal[m];
    const r = registers[m];
    return c.homing_offset !== r.homing_offset || c.range_min !== r.range_min || c.range_max !== r.range_max;
  });
}
