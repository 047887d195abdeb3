// LeRobot's connect-time rule for calibration: use the saved file when there is one, otherwise calibrate now
// (with whoever is at the arm) and save the result where LeRobot looks for it.
import type { So100Calibration } from '../../core/so100';
import {
  CalibrationNotFoundError,
  readCalibrationFile,
  writeCalibrationFile,
  type CalibrationLocation,
} from '../calibration';
import type { FeetechBus } from '../serial/feetechBus';
import { runCalibration, type CalibrationUser } from './calibrationSession';
import { RobotError } from './robotErrors';

export interface ArmCalibration {
  readonly calibration: So100Calibration;
  readonly path: string;
  /** True when it was recorded just now rather than read from a file. */
  readonly recorded: boolean;
  /** A sentence for the log: which file, and why. */
  readonly note: string;
}

/** Reads the arm's calibration, or runs the calibration with `user` when none is saved (none given: the error says how). */
export async function loadOrCalibrate(
  bus: FeetechBus,
  location: CalibrationLocation,
  user?: CalibrationUser,
): Promise<ArmCalibration> {
  try {
    const loaded = await readCalibrationFile(location);
    return { calibration: loaded.calibration, path: loaded.path, recorded: false, note: loaded.note };
  } catch (err) {
    if (!(err instanceof CalibrationNotFoundError) || !user) throw err;
  }
  const calibration = await runCalibration(bus, user);
  if (!calibration)
    throw new RobotError(`calibration of "${location.robotId}" was cancelled; the arm cannot be used without one`);
  const path = await writeCalibrationFile(location, calibration);
  return {
    calibration,
    path,
    recorded: true,
    note: `no calibration was saved for "${location.robotId}": recorded one and saved ${path}`,
  };
}
