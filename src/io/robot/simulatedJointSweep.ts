// The simulated arm moved "by hand" while torque is off: every joint through its whole travel, as a person does
// when LeRobot records ranges. Used by the simulator's stand-in user and by the calibration panel's sweep button.
import type { FeetechBusSim } from '../../core/sim';
import { SIM_ARM_TRAVEL, SO100_MOTORS, motorId } from '../../core/so100';

/** The raw position every simulated joint powers up at: the middle of its travel. */
export const SIM_MIDDLE_RAW = 2048;

/** Puts every simulated joint at the middle of its travel. */
export function holdSimulatedArmAtMiddle(sim: FeetechBusSim): void {
  for (const m of SO100_MOTORS) sim.servo(motorId(m))?.setActualPosition(SIM_MIDDLE_RAW);
}

/**
 * Middle → low end → high end → middle in small steps over `sweepMs` (a hand moves continuously; the range
 * recorder relies on it). Resolves false when `signal` aborted it part-way.
 */
export async function sweepSimulatedJoints(sim: FeetechBusSim, signal: AbortSignal, sweepMs = 1200): Promise<boolean> {
  const path = [0, -1, -1, 1, 1, 0];
  const segmentMs = sweepMs / (path.length - 1);
  for (let k = 1; k < path.length; k++) {
    const t0 = Date.now();
    for (;;) {
      if (signal.aborted) return false;
      const f = Math.min(1, (Date.now() - t0) / segmentMs);
      const at = path[k - 1] + (path[k] - path[k - 1]) * f;
      for (const m of SO100_MOTORS) {
        const [low, high] = SIM_ARM_TRAVEL[m];
        sim.servo(motorId(m))?.setActualPosition(Math.round(SIM_MIDDLE_RAW + (at < 0 ? -at * low : at * high)));
      }
      if (f >= 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return true;
}
