// Stands in for the person at the arm when calibrating the simulated SO-100: puts the joints at the middle,
// then sweeps each through a realistic travel, so the calibration flow can be tried (and tested) end to end.
import type { FeetechBusSim } from '../../core/sim';
import type { CalibrationStep } from '../../core/so100';
import type { CalibrationUser } from './calibrationSession';
import { holdSimulatedArmAtMiddle, sweepSimulatedJoints } from './simulatedJointSweep';

export class SimulatedCalibrationUser implements CalibrationUser {
  constructor(
    private readonly sim: FeetechBusSim,
    private readonly log: (line: string) => void = () => {},
    private readonly sweepMs = 1200,
  ) {}

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
    holdSimulatedArmAtMiddle(this.sim);
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
    return (await sweepSimulatedJoints(this.sim, signal, this.sweepMs)) ? 'finish' : 'cancel';
  }
}
