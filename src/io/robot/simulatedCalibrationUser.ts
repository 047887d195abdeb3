// Stands in for the person at the arm when calibrating the simulated SO-100: puts the joints at the middle,
// then sweeps each through a realistic travel, so the calibration flow can be tried (and tested) end to end.
import type { FeetechBusSim } from '../../core/sim';
import { SIM_ARM_TRAVEL, SO100_MOTORS, motorId, type CalibrationStep } from '../../core/so100';
import type { CalibrationUser } from './calibrationSession';

export class SimulatedCalibrationUser implements CalibrationUser {
  constructor(private readonly sim: FeetechBusSim, private readonly log: (line: string) => void = () => {},
    private readonly sweepMs = 1200) {}

  private attempts = 0;
  private sawWrap = false;
  private lastPrompt = '';
  private readonly said = new Set<string>();

  onStep(step: CalibrationStep): void {
    if (step.prompt && step.prompt !== this.lastPrompt) this.log(step.prompt);
    this.lastPrompt = step.prompt;
    if (step.problems.some((p) => p.kind === 'wrapCrossed' && p.recenterable)) this.sawWrap = true;
    // Problems are repeated with every sample; say each once.
    for (const p of step.problems) {
      if (this.said.has(p.message)) continue;
      this.said.add(p.message);
      this.log(`  ! ${p.message}`);
    }
  }

  async awaitMiddle(): Promise<'continue'> {
    for (const m of SO100_MOTORS) this.sim.servo(motorId(m))?.setActualPosition(2048);
    this.log('  (simulated: the arm is put at the middle of its range)');
    return 'continue';
  }

  async awaitRecordingDone(signal: AbortSignal): Promise<'finish' | 'recenter' | 'cancel'> {
    // A real person reacts to what the flow says; so does the stand-in, and gives up rather than loop.
    if (++this.attempts > 3) return 'cancel';
    if (this.sawWrap) {
      this.sawWrap = false;
      return 'recenter';
    }
    this.log('  (simulated: each joint is moved through its whole travel)');
    // Middle → low end → high end → middle, in small steps (a hand moves continuously; the recorder relies on it).
    const path = [0, -1, -1, 1, 1, 0];
    const segmentMs = this.sweepMs / (path.length - 1);
    for (let k = 1; k < path.length; k++) {
      const t0 = Date.now();
      for (;;) {
        if (signal.aborted) return 'cancel';
        const f = Math.min(1, (Date.now() - t0) / segmentMs);
        const at = path[k - 1] + (path[k] - path[k - 1]) * f;
        for (const m of SO100_MOTORS) {
          const [low, high] = SIM_ARM_TRAVEL[m];
          this.sim.servo(motorId(m))?.setActualPosition(Math.round(2048 + (at < 0 ? -at * low : at * high)));
        }
        if (f >= 1) break;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return 'finish';
  }
}
