// One calibration in the runtime process: LeRobot's flow (core/so100/calibrationProcedure) driven on the arm's bus
// by runCalibration, with the person answering over RPC (the VS Code panel) instead of at a terminal.
import { homedir } from 'node:os';
import path from 'node:path';
import type { RobotConfig } from '../core/config';
import type { CalibrationAnswer, CalibrationEnded, CalibrationStarted, RuntimeEvents } from '../core/rpc';
import { FeetechBusSim } from '../core/sim';
import { calibrationSampleView, calibrationStepView, type CalibrationState, type CalibrationStep } from '../core/so100';
import { calibrationPath, writeCalibrationFile, type CalibrationLocation } from '../io/calibration';
import { runCalibration, type CalibrationUser } from '../io/robot/calibrationSession';
import { sweepSimulatedJoints } from '../io/robot/simulatedJointSweep';
import { FeetechBus } from '../io/serial/feetechBus';
import { SerialPortTransport } from '../io/serial/serialPortTransport';
import { SimTransport } from '../io/serial/simTransport';
import { isSimulatedArm } from '../core/config';

type CalibrationEvent = 'calibrationStep' | 'calibrationSample' | 'calibrationEnded';
export type CalibrationEmit = <E extends CalibrationEvent>(event: E, data: RuntimeEvents[E]) => void;

/** An answer that does not fit the calibration's current step (a stale button, a double click). */
export class CalibrationAnswerError extends Error {
  override readonly name = 'CalibrationAnswerError';
}

/** The live range display needs a few updates a second, not the 50 samples the recorder reads. */
const SAMPLE_EVERY_MS = 100;

export class CalibrationRun {
  /** Resolves once the flow ended (saved, cancelled or failed) and the bus is closed. */
  readonly ended: Promise<CalibrationEnded>;
  private readonly abort = new AbortController();
  private readonly sweepAbort = new AbortController();
  private answers: readonly CalibrationAnswer[] = [];
  private queued: CalibrationAnswer | undefined;
  private waiter: ((a: CalibrationAnswer) => void) | undefined;
  private lastStep = '';
  private lastSampleMs = -Infinity;
  private sweeping: Promise<boolean> | undefined;

  private constructor(
    readonly started: CalibrationStarted,
    private readonly bus: FeetechBus,
    private readonly sim: FeetechBusSim | undefined,
    location: CalibrationLocation,
    private readonly emit: CalibrationEmit,
  ) {
    this.ended = this.run(location);
  }

  /** Opens the arm's bus (a fresh simulated arm for `sim`) and starts the flow with torque off. */
  static async start(robot: RobotConfig, workspace: string, emit: CalibrationEmit): Promise<CalibrationRun> {
    const location: CalibrationLocation = {
      robotId: robot.id,
      env: process.env,
      homeDir: homedir(),
      calibrationDir: robot.calibrationDir === undefined ? undefined : path.resolve(workspace, robot.calibrationDir),
    };
    const file = calibrationPath(location); // a bad robot id fails here, before torque goes off
    if (isSimulatedArm(robot)) {
      const sim = new FeetechBusSim();
      return new CalibrationRun(
        { robotId: robot.id, file, simulated: true, arm: 'simulated SO-100' },
        new FeetechBus(new SimTransport(sim)),
        sim,
        location,
        emit,
      );
    }
    const bus = new FeetechBus(await SerialPortTransport.open(robot.port));
    return new CalibrationRun(
      { robotId: robot.id, file, simulated: false, arm: robot.port },
      bus,
      undefined,
      location,
      emit,
    );
  }

  /** Hands the person's answer to the flow; `cancel` fits every step, the others only the steps that offer them. */
  answer(answer: CalibrationAnswer): void {
    if (answer === 'cancel') {
      this.cancel();
      return;
    }
    if (!this.answers.includes(answer)) {
      throw new CalibrationAnswerError(
        `the calibration cannot take "${answer}" now; it offers ${this.answers.join(', ') || 'nothing (it has ended)'}`,
      );
    }
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(answer);
    else this.queued = answer; // answered before the flow asked (it asks after its first read)
  }

  /** Simulator only: moves every joint through its travel while ranges are recorded. */
  async sweep(): Promise<void> {
    if (!this.sim)
      throw new CalibrationAnswerError(
        "only the simulated arm can be swept from here; move the real arm's joints by hand",
      );
    if (!this.answers.includes('finish'))
      throw new CalibrationAnswerError('the joints are swept while ranges are recorded; continue to that step first');
    this.sweeping ??= sweepSimulatedJoints(this.sim, this.sweepAbort.signal).finally(() => {
      this.sweeping = undefined;
    });
    await this.sweeping;
  }

  cancel(): void {
    this.sweepAbort.abort();
    this.abort.abort(new Error('cancelled'));
  }

  private async run(location: CalibrationLocation): Promise<CalibrationEnded> {
    let ended: CalibrationEnded;
    try {
      const calibration = await runCalibration(this.bus, this.user(), { signal: this.abort.signal });
      if (calibration) {
        const file = await writeCalibrationFile(location, calibration);
        ended = { outcome: 'saved', file, message: `Calibration of "${location.robotId}" saved to ${file}.` };
      } else {
        ended = {
          outcome: 'cancelled',
          message:
            'Calibration cancelled; nothing was saved. If it got past homing, the servos hold partial settings: calibrate again before use.',
        };
      }
    } catch (err) {
      ended = { outcome: 'failed', message: `Calibration failed: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      this.sweepAbort.abort();
      this.answers = [];
      await this.sweeping?.catch(() => undefined);
      await this.bus.close().catch(() => undefined);
    }
    this.emit('calibrationEnded', ended);
    return ended;
  }

  private user(): CalibrationUser {
    const ask = (signal: AbortSignal): Promise<CalibrationAnswer> => {
      const q = this.queued;
      this.queued = undefined;
      if (q) return Promise.resolve(q);
      return new Promise((resolve) => {
        const onAbort = () => {
          this.waiter = undefined;
          resolve('cancel');
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiter = (a) => {
          signal.removeEventListener('abort', onAbort);
          resolve(a);
        };
      });
    };
    return {
      onStep: (step) => this.onStep(step),
      onSample: (state) => this.onSample(state),
      awaitMiddle: async (signal) => ((await ask(signal)) === 'continue' ? 'continue' : 'cancel'),
      awaitRecordingDone: async (signal) => {
        const a = await ask(signal);
        return a === 'continue' ? 'finish' : a;
      },
    };
  }

  private onStep(step: CalibrationStep): void {
    const view = calibrationStepView(step);
    this.answers = view.answers;
    if (this.queued && !view.answers.includes(this.queued)) this.queued = undefined;
    // Every sample is a step too; tell only what changed.
    const key = JSON.stringify(view);
    if (key === this.lastStep) return;
    this.lastStep = key;
    this.emit('calibrationStep', { ...this.started, ...view });
  }

  private onSample(state: CalibrationState): void {
    const now = performance.now();
    if (now - this.lastSampleMs < SAMPLE_EVERY_MS) return;
    this.lastSampleMs = now;
    const view = calibrationSampleView(state);
    if (view) this.emit('calibrationSample', view);
  }
}
