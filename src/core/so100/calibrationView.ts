// What a calibration UI shows of the pure flow (calibrationProcedure.ts): which answers fit the current step, and
// one row per joint with the range recorded so far. Shared by the runtime (which sends it) and the VS Code panel.
import type { CalibrationPhase, CalibrationProblem, CalibrationState, CalibrationStep } from './calibrationProcedure';
import { MAX_RAW_POSITION } from './calibration';
import { SO100_MOTORS, type MotorName } from './motors';
import { sweepSpan } from './rangeSweep';

/** What the person at the arm may answer: the CalibrationUser choices. */
export type CalibrationAnswer = 'continue' | 'finish' | 'recenter' | 'restart' | 'cancel';
export const CALIBRATION_ANSWERS: readonly CalibrationAnswer[] = [
  'continue',
  'finish',
  'recenter',
  'restart',
  'cancel',
];

/** One calibration step as a UI draws it. */
export interface CalibrationStepView {
  readonly phase: CalibrationPhase;
  readonly prompt: string;
  readonly problems: readonly {
    readonly kind: CalibrationProblem['kind'];
    readonly motor: MotorName;
    readonly message: string;
  }[];
  /** The answers that fit now (buttons to enable); empty while bus commands run or once the flow ended. */
  readonly answers: readonly CalibrationAnswer[];
}

/** One joint while ranges are recorded, in raw steps (0–4095). */
export interface CalibrationJointView {
  readonly motor: MotorName;
  readonly min: number;
  readonly max: number;
  readonly current: number;
  /** Travel seen, in degrees (wrap-aware). */
  readonly spanDegrees: number;
  /** Not swept: LeRobot gives it the full turn 0–4095. */
  readonly fullTurn: boolean;
}

export interface CalibrationSampleView {
  readonly samples: number;
  readonly joints: readonly CalibrationJointView[];
}

/** The answers that fit `step`: continue at the middle pose; finish / restart (and recenter when it would help) while recording. */
export function calibrationAnswers(step: CalibrationStep): CalibrationAnswer[] {
  const { phase, awaiting } = step.state;
  if (phase === 'done' || phase === 'cancelled') return [];
  if (phase === 'awaitMiddle' && awaiting === 'user') return ['continue', 'cancel'];
  if (phase === 'recordRanges') {
    const recenter = step.problems.some((p) => p.kind === 'wrapCrossed' && p.recenterable);
    return recenter ? ['finish', 'recenter', 'restart', 'cancel'] : ['finish', 'restart', 'cancel'];
  }
  // Torque off, homing and writing are bus commands: only cancel (checked between commands).
  return ['cancel'];
}

/** The step as the UI shows it. */
export function calibrationStepView(step: CalibrationStep): CalibrationStepView {
  return {
    phase: step.state.phase,
    prompt: step.prompt,
    problems: step.problems.map((p) => ({ kind: p.kind, motor: p.motor, message: p.message })),
    answers: calibrationAnswers(step),
  };
}

/** The live min / max / current of every joint, once recording has its first sample (undefined before). */
export function calibrationSampleView(state: CalibrationState): CalibrationSampleView | undefined {
  const sweeps = state.sweeps;
  if (!sweeps) return undefined;
  return {
    samples: state.sampleCount,
    joints: SO100_MOTORS.map((motor) => {
      const s = sweeps[motor];
      const fullTurn = state.fullTurnMotors.includes(motor);
      return {
        motor,
        min: s.min,
        max: s.max,
        current: s.last,
        fullTurn,
        spanDegrees: Math.round((sweepSpan(s) * 360) / (MAX_RAW_POSITION + 1)),
      };
    }),
  };
}
