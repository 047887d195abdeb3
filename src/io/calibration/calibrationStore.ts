// Finds, reads and writes LeRobot calibration files for the SO follower where LeRobot keeps them
// (reference §3 "Calibration file"), so a file made by `lerobot-calibrate` works here and vice versa.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseCalibration, serializeCalibration, type So100Calibration } from '../../core/so100';
import { atomicWriteFile } from '../fs/atomicWriteFile';

/** Robot folder name since LeRobot v0.4.3 (`SOFollower.name`). */
export const ROBOT_FOLDER = 'so_follower';
/** Folder names before v0.4.3; still read so older calibrations keep working. */
export const LEGACY_ROBOT_FOLDERS = ['so100_follower', 'so101_follower'] as const;

/** Where to look: the robot id plus the environment, passed in so nothing reads process.env behind the caller's back. */
export interface CalibrationLocation {
  /** The robot's `id`; the file is `<id>.json`. */
  readonly robotId: string;
  /** `calibration_dir` from the config: the folder that holds `<id>.json` itself (LeRobot semantics); wins over all else. */
  readonly calibrationDir?: string;
  /** Environment with HF_LEROBOT_CALIBRATION, HF_LEROBOT_HOME, HF_HOME, XDG_CACHE_HOME (production: process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory used for `~` (production: os.homedir()). */
  readonly homeDir: string;
}

/** Which rule chose the file that was read. */
export type CalibrationOrigin = 'calibration_dir' | 'default' | 'legacy';

export interface LoadedCalibration {
  readonly calibration: So100Calibration;
  readonly path: string;
  readonly origin: CalibrationOrigin;
  /** One sentence for the log saying which file was used and why. */
  readonly note: string;
}

/** No calibration file exists for this robot id in any place LeRobot would look. */
export class CalibrationNotFoundError extends Error {
  override readonly name = 'CalibrationNotFoundError';
  constructor(
    readonly robotId: string,
    readonly tried: readonly string[],
  ) {
    super(
      `no calibration for robot id "${robotId}"; looked for:\n${tried.map((p) => `  - ${p}`).join('\n')}\n` +
        `Calibrate the arm with \`so100 calibrate\`, or set the robot's calibration_dir to the folder that holds ` +
        `"${robotId}.json" (or HF_LEROBOT_CALIBRATION to the folder that holds robots/${ROBOT_FOLDER}/).`,
    );
  }
}

/** A calibration file that exists but cannot be read or written (permissions, a folder in the way, a full disk). */
export class CalibrationAccessError extends Error {
  override readonly name = 'CalibrationAccessError';
  constructor(
    readonly path: string,
    readonly operation: 'read' | 'write',
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(
      `cannot ${operation} calibration file ${path}${code ? ` (${code})` : ''}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        `Check that the path is a file you may ${operation}, or set calibration_dir to another folder.`,
      { cause },
    );
  }
}

/** A robot id that cannot be a file name. */
export class InvalidRobotIdError extends Error {
  override readonly name = 'InvalidRobotIdError';
  constructor(readonly robotId: string) {
    super(
      `robot id ${JSON.stringify(robotId)} cannot name a calibration file; use a plain name such as "my_so100" ` +
        `(no slashes, not empty, not "." or "..").`,
    );
  }
}

function checkId(robotId: string): void {
  if (robotId === '' || robotId === '.' || robotId === '..' || /[/\\\0]/.test(robotId))
    throw new InvalidRobotIdError(robotId);
}

/** An env value, with an empty string counting as unset (Python would treat "" as the current directory). */
function envValue(env: CalibrationLocation['env'], name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Python's expanduser for the one form that matters here: a leading `~` or `~/`. */
function expandUser(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homeDir, path.slice(2));
  return path;
}

/**
 * LeRobot's calibration root: HF_LEROBOT_CALIBRATION, else $HF_LEROBOT_HOME/calibration, else
 * $HF_HOME/lerobot/calibration, else ~/.cache/huggingface/lerobot/calibration (HF_HOME defaulting to
 * $XDG_CACHE_HOME/huggingface, as huggingface_hub does).
 */
export function calibrationRoot(env: CalibrationLocation['env'], homeDir: string): string {
  const explicit = envValue(env, 'HF_LEROBOT_CALIBRATION');
  if (explicit) return expandUser(explicit, homeDir);
  const lerobotHome = envValue(env, 'HF_LEROBOT_HOME');
  if (lerobotHome) return join(expandUser(lerobotHome, homeDir), 'calibration');
  const hfHome =
    envValue(env, 'HF_HOME') ?? join(envValue(env, 'XDG_CACHE_HOME') ?? join(homeDir, '.cache'), 'huggingface');
  return join(expandUser(hfHome, homeDir), 'lerobot', 'calibration');
}

/** The file a calibration is saved to: `<calibration_dir>/<id>.json`, else `<root>/robots/so_follower/<id>.json`. */
export function calibrationPath(loc: CalibrationLocation): string {
  checkId(loc.robotId);
  const file = `${loc.robotId}.json`;
  if (loc.calibrationDir) return join(expandUser(loc.calibrationDir, loc.homeDir), file);
  return join(calibrationRoot(loc.env, loc.homeDir), 'robots', ROBOT_FOLDER, file);
}

/** Every file looked at when reading, in order, with the rule that names it. */
export function calibrationCandidates(
  loc: CalibrationLocation,
): { readonly path: string; readonly origin: CalibrationOrigin }[] {
  const primary = calibrationPath(loc);
  if (loc.calibrationDir) return [{ path: primary, origin: 'calibration_dir' }];
  const root = calibrationRoot(loc.env, loc.homeDir);
  return [
    { path: primary, origin: 'default' },
    ...LEGACY_ROBOT_FOLDERS.map((folder) => ({
      path: join(root, 'robots', folder, `${loc.robotId}.json`),
      origin: 'legacy' as const,
    })),
  ];
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Reads the file text, or undefined when it does not exist. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CalibrationAccessError(path, 'read', code, e);
  }
}

/**
 * Finds and parses this robot's calibration: calibration_dir if configured, else the so_follower folder, else
 * the pre-v0.4.3 folders. Throws CalibrationNotFoundError listing every path, or CalibrationFileError for a bad file.
 */
export async function readCalibrationFile(loc: CalibrationLocation): Promise<LoadedCalibration> {
  const candidates = calibrationCandidates(loc);
  for (const { path, origin } of candidates) {
    const text = await readIfPresent(path);
    if (text === undefined) continue;
    const calibration = parseCalibration(text, path);
    const note =
      origin === 'legacy'
        ? `Using calibration ${path} from a pre-v0.4.3 LeRobot folder; the next \`so100 calibrate\` saves to ${candidates[0].path}.`
        : `Using calibration ${path}.`;
    return { calibration, path, origin, note };
  }
  throw new CalibrationNotFoundError(
    loc.robotId,
    candidates.map((c) => c.path),
  );
}

/** The path of the file readCalibrationFile would use, or undefined when there is none (does not parse it). */
export async function findCalibrationFile(loc: CalibrationLocation): Promise<string | undefined> {
  for (const { path } of calibrationCandidates(loc)) {
    if ((await readIfPresent(path)) !== undefined) return path;
  }
  return undefined;
}

/**
 * Saves a calibration in LeRobot's format to calibrationPath(loc) (the new folder, never a legacy one), atomically:
 * a temp file in the same folder is written, flushed and renamed over the target. Returns the path written.
 */
export async function writeCalibrationFile(loc: CalibrationLocation, calibration: So100Calibration): Promise<string> {
  const path = calibrationPath(loc);
  try {
    await mkdir(dirname(path), { recursive: true });
    await atomicWriteFile(path, serializeCalibration(calibration));
  } catch (e) {
    throw new CalibrationAccessError(path, 'write', errorCode(e), e);
  }
  return path;
}
