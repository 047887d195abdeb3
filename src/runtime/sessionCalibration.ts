// The session's calibration flow: at most one CalibrationRun on its own bus, the person's answers and the simulated
// sweep routed to it, and its end awaited (an e-stop or a disconnect cancels it; it turns torque off first).
import type { RobotConfig } from '../core/config';
import type { CalibrationAnswer, CalibrationStarted } from '../core/rpc';
import { CalibrationRun } from './calibrationRun';
import { RuntimePhaseError, type RuntimeEventSink } from './runtimeEventSink';

export class SessionCalibration {
  private run: CalibrationRun | undefined;

  constructor(
    private readonly workspace: string,
    private readonly sink: RuntimeEventSink,
  ) {}

  /** A calibration is in progress. */
  get active(): boolean {
    return this.run !== undefined;
  }

  /** Starts LeRobot's calibration of `robot`; `onEnded` runs once it ends by itself (not when a later one replaced it). */
  async start(robot: RobotConfig, onEnded: () => void): Promise<CalibrationStarted> {
    const run = await CalibrationRun.start(robot, this.workspace, (event, data) => this.sink.emit(event, data));
    this.run = run;
    void run.ended.then(() => {
      if (this.run !== run) return;
      this.run = undefined;
      onEnded();
    });
    return run.started;
  }

  /** The person's answer to the calibration's current step. */
  answer(answer: CalibrationAnswer): void {
    this.current().answer(answer);
  }

  /** Simulated arm: sweeps every joint through its travel for the range recording. */
  sweep(): Promise<void> {
    return this.current().sweep();
  }

  /** Cancels a calibration in progress and waits until its bus is closed. */
  async end(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.cancel();
    await run.ended;
  }

  private current(): CalibrationRun {
    if (!this.run) throw new RuntimePhaseError('no calibration is in progress; start one with SO-100: Calibrate Arm');
    return this.run;
  }
}
