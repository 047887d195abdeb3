// Runs the pure calibration state machine (core/so100/calibrationProcedure) against a Feetech bus, asking a
// CalibrationUser — a terminal, a VS Code panel, or the simulator's stand-in — for each decision.
import {
  SO100_MOTORS,
  advanceCalibration,
  initialCalibrationState,
  motorId,
  perMotor,
  type BusCommand,
  type CalibrationOptions,
  type CalibrationState,
  type CalibrationStep,
  type PerMotor,
  type So100Calibration,
} from '../../core/so100';
import type { FeetechBus } from '../serial/feetechBus';

const IDS = SO100_MOTORS.map(motorId);

/** The person (or stand-in) doing the calibration. */
export interface CalibrationUser {
  /** Every step, for display: its prompt and any problems. */
  onStep(step: CalibrationStep): void;
  /** Called after every position sample while ranges are recorded (live min/max display). */
  onSample?(state: CalibrationState): void;
  /** The arm is limp: resolve when it is at the middle of its range ('continue'), or 'cancel'. */
  awaitMiddle(signal: AbortSignal): Promise<'continue' | 'cancel'>;
  /** Ranges are being recorded: resolve when the user is done moving the joints. */
  awaitRecordingDone(signal: AbortSignal): Promise<'finish' | 'recenter' | 'restart' | 'cancel'>;
}

export interface CalibrationRunOptions extends CalibrationOptions {
  /** Time between position samples while recording (LeRobot: 20 ms). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/** Drives one calibration to its end; resolves with the calibration written to the servos, or undefined if cancelled. */
export async function runCalibration(
  bus: FeetechBus,
  user: CalibrationUser,
  options: CalibrationRunOptions = {},
): Promise<So100Calibration | undefined> {
  const pollMs = options.pollMs ?? 20;
  const local = new AbortController();
  const onAbort = () => local.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let decision: Promise<'finish' | 'recenter' | 'restart' | 'cancel'> | undefined;
  let decided: 'finish' | 'recenter' | 'restart' | 'cancel' | undefined;
  try {
    let step = advanceCalibration(initialCalibrationState(options), { type: 'start' });
    for (;;) {
      user.onStep(step);
      const raw = await perform(bus, step.commands);
      const { state } = step;
      // Aborted while the user was asked, the flow has already ended (cancelled): nothing more to cancel.
      if (options.signal?.aborted && state.awaiting !== 'nothing') step = advanceCalibration(state, { type: 'cancel' });
      else if (state.awaiting === 'commandsDone') step = advanceCalibration(state, { type: 'commandsDone' });
      else if (state.awaiting === 'user') {
        const answer = await user.awaitMiddle(local.signal);
        step = advanceCalibration(state, { type: answer === 'continue' ? 'continue' : 'cancel' });
      } else if (state.awaiting === 'positions' && raw) {
        if (state.phase === 'recordRanges') {
          if (!decision) {
            decision = user.awaitRecordingDone(local.signal);
            void decision.then(
              (d) => {
                decided = d;
              },
              () => {
                decided = 'cancel';
              },
            );
          }
          step = advanceCalibration(state, { type: 'positions', raw });
          user.onSample?.(step.state);
          if (decided) {
            const event = decided;
            decided = undefined;
            decision = undefined;
            step = advanceCalibration(step.state, { type: event });
          } else {
            await new Promise((r) => setTimeout(r, pollMs));
          }
        } else {
          step = advanceCalibration(state, { type: 'positions', raw });
        }
      } else {
        return state.phase === 'done' ? state.calibration : undefined;
      }
    }
  } finally {
    local.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs a step's bus commands in order; returns the raw positions when the last one was a read. */
async function perform(bus: FeetechBus, commands: readonly BusCommand[]): Promise<PerMotor<number> | undefined> {
  let raw: PerMotor<number> | undefined;
  for (const c of commands) {
    if (c.kind === 'writeRegister') {
      await bus.write(c.id, c.register, c.value, { retries: 5 });
      raw = undefined;
    } else {
      const values = await bus.syncRead('Present_Position', IDS, { retries: 5 });
      raw = perMotor((m) => values.get(motorId(m)) as number);
    }
  }
  return raw;
}
