// The SO-100 calibration flow (LeRobot SOFollower.calibrate, reference §3) as a pure state machine, so the
// CLI and the UI drive the same logic. It performs no I/O: each step lists bus commands for the caller to
// run in order. When the list ends with `readPositions`, answer with a `positions` event; when it holds only
// writes, answer `commandsDone`; when it is empty, wait for the user (`continue` / `finish`).
//
//   idle ─start→ torqueOff ─commandsDone→ awaitMiddle ─continue→ homing ─positions→ homing ─commandsDone→
//   recordRanges (positions…; finish) → write ─commandsDone→ done
//
// Always run the commands of the latest step only (a `finish` between two polls replaces the pending read).
// Torque stays off at the end; the caller's configure step turns it back on.
import { calibrationWriteCommands, torqueOffCommands, writeRegister, type BusCommand } from './busCommand';
import { MAX_RAW_POSITION, type MotorCalibration, type So100Calibration } from './calibration';
import { perMotor, SO100_FULL_TURN_MOTORS, SO100_MOTORS, type MotorName, type PerMotor } from './motors';
import {
  addSample,
  crossedWrap,
  halfTurnHomingOffset,
  recenterSweep,
  startSweep,
  sweepSpan,
  type RangeSweep,
} from './rangeSweep';

export type CalibrationPhase =
  'idle' | 'torqueOff' | 'awaitMiddle' | 'homing' | 'recordRanges' | 'write' | 'done' | 'cancelled';

/** What the machine waits for next. */
export type CalibrationAwaiting = 'start' | 'commandsDone' | 'positions' | 'user' | 'nothing';

export interface CalibrationOptions {
  /** Motors given the fixed range 0–4095 instead of a recorded one (LeRobot HEAD: wrist_roll). */
  readonly fullTurnMotors?: readonly MotorName[];
  /** A recorded range smaller than this many steps counts as "not moved" (LeRobot only refuses 0; noise beats that). */
  readonly minRangeSteps?: number;
}

export interface CalibrationState {
  readonly phase: CalibrationPhase;
  readonly awaiting: CalibrationAwaiting;
  readonly fullTurnMotors: readonly MotorName[];
  readonly minRangeSteps: number;
  readonly homingOffsets?: PerMotor<number>;
  /** Set from the first sample of recordRanges on. */
  readonly sweeps?: PerMotor<RangeSweep>;
  readonly sampleCount: number;
  /** The result, once phase is `write` or `done`; the caller saves it with the calibration store. */
  readonly calibration?: So100Calibration;
}

export type CalibrationEvent =
  | { readonly type: 'start' }
  | { readonly type: 'commandsDone' }
  | { readonly type: 'continue' }
  | { readonly type: 'positions'; readonly raw: PerMotor<number> }
  | { readonly type: 'finish' }
  /** Back to awaitMiddle to choose the homing pose again (torque stays off). */
  | { readonly type: 'restart' }
  /** Re-choose the homing offset of every motor whose sweep crossed the wrap, from its observed travel. */
  | { readonly type: 'recenter' }
  | { readonly type: 'cancel' };

/** Why recording cannot finish yet (or a live warning while it runs). */
export type CalibrationProblem =
  | { readonly kind: 'notMoved'; readonly motor: MotorName; readonly rangeSteps: number; readonly message: string }
  | {
      readonly kind: 'wrapCrossed';
      readonly motor: MotorName;
      readonly recenterable: boolean;
      readonly message: string;
    };

export interface CalibrationStep {
  readonly state: CalibrationState;
  /** Run these in order, then send the event `state.awaiting` names. */
  readonly commands: readonly BusCommand[];
  /** What to tell the user now. */
  readonly prompt: string;
  readonly problems: readonly CalibrationProblem[];
}

/** An event that does not fit the current phase (a caller bug, or a double click in the UI). */
export class CalibrationStateError extends Error {
  override readonly name = 'CalibrationStateError';
  constructor(
    readonly phase: CalibrationPhase,
    readonly event: string,
    readonly expected: CalibrationAwaiting,
  ) {
    super(`calibration cannot handle '${event}' in phase '${phase}' (it waits for ${expected}).`);
  }
}

/** A position reading that cannot be a single-turn STS3215 position. */
export class CalibrationSampleError extends Error {
  override readonly name = 'CalibrationSampleError';
  constructor(
    readonly motor: MotorName,
    readonly value: unknown,
  ) {
    super(
      `${motor} reported position ${String(value)}, outside 0–${MAX_RAW_POSITION}. The servo may be in multi-turn mode ` +
        `(Phase bit 4); connect once with \`so100\` so configure clears it, then calibrate again.`,
    );
  }
}

const PROMPTS: Record<CalibrationPhase, string> = {
  idle: 'Ready to calibrate.',
  torqueOff: 'Disabling torque on all motors…',
  awaitMiddle: 'Move the arm to the middle of its range of motion, then continue.',
  homing: 'Setting the homing offsets…',
  recordRanges: '',
  write: 'Writing the calibration to the motors…',
  done: 'Calibration done. Save it, then connect to re-enable torque.',
  cancelled:
    'Calibration cancelled. If it got past homing, the motors hold partial settings: calibrate again (or connect ' +
    'with a saved calibration, which writes it back) before moving the arm under torque.',
};

function recordPrompt(state: CalibrationState): string {
  const sweeping = SO100_MOTORS.filter((m) => !state.fullTurnMotors.includes(m));
  const fixed = state.fullTurnMotors.length > 0 ? ` except ${state.fullTurnMotors.join(', ')}` : '';
  return `Move every joint${fixed} (${sweeping.join(', ')}) through its entire range of motion, then finish.`;
}

function step(
  state: CalibrationState,
  commands: readonly BusCommand[] = [],
  problems: readonly CalibrationProblem[] = [],
): CalibrationStep {
  const prompt = state.phase === 'recordRanges' ? recordPrompt(state) : PROMPTS[state.phase];
  return { state, commands, prompt, problems };
}

/** The machine before `start`. */
export function initialCalibrationState(options: CalibrationOptions = {}): CalibrationState {
  return {
    phase: 'idle',
    awaiting: 'start',
    fullTurnMotors: options.fullTurnMotors ?? SO100_FULL_TURN_MOTORS,
    minRangeSteps: Math.max(1, options.minRangeSteps ?? 100),
    sampleCount: 0,
  };
}

function checkSample(raw: PerMotor<number>): void {
  for (const m of SO100_MOTORS) {
    const v = raw[m];
    if (!Number.isInteger(v) || v < 0 || v > MAX_RAW_POSITION) throw new CalibrationSampleError(m, v);
  }
}

function sweptMotors(state: CalibrationState): MotorName[] {
  return SO100_MOTORS.filter((m) => !state.fullTurnMotors.includes(m));
}

function wrapProblems(state: CalibrationState): CalibrationProblem[] {
  const sweeps = state.sweeps;
  if (!sweeps) return [];
  return sweptMotors(state)
    .filter((m) => crossedWrap(sweeps[m]))
    .map((m) => {
      const recenterable = recenterSweep(sweeps[m], state.homingOffsets?.[m] ?? 0) !== undefined;
      const fix = recenterable
        ? `choose "re-centre" to move the homing offset to the middle of the travel seen, or restart and hold ${m} at the middle of its travel when continuing`
        : `it turned about a full revolution, so no single-turn range can hold it; restart and sweep it only across its real end stops`;
      return {
        kind: 'wrapCrossed' as const,
        motor: m,
        recenterable,
        message:
          `${m} crossed the encoder's 0/4095 wrap point while sweeping, so its range would be recorded wrongly ` +
          `(the homing pose was not the middle of its travel): ${fix}.`,
      };
    });
}

function finishProblems(state: CalibrationState): CalibrationProblem[] {
  const problems: CalibrationProblem[] = [];
  for (const m of sweptMotors(state)) {
    const rangeSteps = state.sweeps ? state.sweeps[m].max - state.sweeps[m].min : 0;
    if (rangeSteps < state.minRangeSteps) {
      problems.push({
        kind: 'notMoved',
        motor: m,
        rangeSteps,
        message: `${m} moved only ${rangeSteps} steps (${((rangeSteps * 360) / 4096).toFixed(1)}°); move it from one end stop to the other, then finish.`,
      });
    }
  }
  return [...problems, ...wrapProblems(state)];
}

function buildCalibration(state: CalibrationState): So100Calibration {
  const offsets = state.homingOffsets as PerMotor<number>;
  const sweeps = state.sweeps as PerMotor<RangeSweep>;
  return perMotor((m, i): MotorCalibration => {
    const full = state.fullTurnMotors.includes(m);
    return {
      id: i + 1,
      drive_mode: 0,
      homing_offset: offsets[m],
      range_min: full ? 0 : sweeps[m].min,
      range_max: full ? MAX_RAW_POSITION : sweeps[m].max,
    };
  });
}

function expect(
  state: CalibrationState,
  event: CalibrationEvent,
  phases: readonly CalibrationPhase[],
  awaiting?: CalibrationAwaiting,
): void {
  if (!phases.includes(state.phase) || (awaiting !== undefined && state.awaiting !== awaiting)) {
    throw new CalibrationStateError(state.phase, event.type, state.awaiting);
  }
}

const READ: readonly BusCommand[] = [{ kind: 'readPositions' }];

/** Advances the calibration by one event; throws CalibrationStateError for an event that does not fit. */
export function advanceCalibration(state: CalibrationState, event: CalibrationEvent): CalibrationStep {
  if (event.type === 'cancel') {
    if (state.phase === 'done' || state.phase === 'cancelled')
      throw new CalibrationStateError(state.phase, event.type, state.awaiting);
    return step({ ...state, phase: 'cancelled', awaiting: 'nothing' });
  }
  switch (event.type) {
    case 'start': {
      expect(state, event, ['idle']);
      const commands = [...torqueOffCommands(), ...SO100_MOTORS.map((m) => writeRegister(m, 'Operating_Mode', 0))];
      return step({ ...state, phase: 'torqueOff', awaiting: 'commandsDone' }, commands);
    }
    case 'commandsDone': {
      expect(state, event, ['torqueOff', 'homing', 'write'], 'commandsDone');
      if (state.phase === 'torqueOff') return step({ ...state, phase: 'awaitMiddle', awaiting: 'user' });
      if (state.phase === 'homing') {
        return step(
          { ...state, phase: 'recordRanges', awaiting: 'positions', sweeps: undefined, sampleCount: 0 },
          READ,
        );
      }
      return step({ ...state, phase: 'done', awaiting: 'nothing' });
    }
    case 'continue': {
      expect(state, event, ['awaitMiddle'], 'user');
      // LeRobot reset_calibration: offset 0 and full limits, so the next read is the servo's actual position.
      const reset = SO100_MOTORS.flatMap((m) => [
        writeRegister(m, 'Homing_Offset', 0),
        writeRegister(m, 'Min_Position_Limit', 0),
        writeRegister(m, 'Max_Position_Limit', MAX_RAW_POSITION),
      ]);
      return step({ ...state, phase: 'homing', awaiting: 'positions' }, [...reset, ...READ]);
    }
    case 'positions': {
      expect(state, event, ['homing', 'recordRanges'], 'positions');
      checkSample(event.raw);
      if (state.phase === 'homing') {
        const homingOffsets = perMotor((m) => halfTurnHomingOffset(event.raw[m]));
        const commands = SO100_MOTORS.map((m) => writeRegister(m, 'Homing_Offset', homingOffsets[m]));
        return step({ ...state, homingOffsets, awaiting: 'commandsDone' }, commands);
      }
      const prev = state.sweeps;
      const sweeps = perMotor((m) => (prev ? addSample(prev[m], event.raw[m]) : startSweep(event.raw[m])));
      const next: CalibrationState = { ...state, sweeps, sampleCount: state.sampleCount + 1 };
      return step(next, READ, wrapProblems(next));
    }
    case 'finish': {
      expect(state, event, ['recordRanges']);
      const problems = finishProblems(state);
      // Keep polling so the user can still move the joints that were named.
      if (problems.length > 0) return step(state, READ, problems);
      const calibration = buildCalibration(state);
      return step(
        { ...state, phase: 'write', awaiting: 'commandsDone', calibration },
        calibrationWriteCommands(calibration),
      );
    }
    case 'restart': {
      expect(state, event, ['homing', 'recordRanges', 'awaitMiddle']);
      return step({
        ...state,
        phase: 'awaitMiddle',
        awaiting: 'user',
        homingOffsets: undefined,
        sweeps: undefined,
        sampleCount: 0,
      });
    }
    case 'recenter':
      return recenter(state, event);
  }
}

function recenter(state: CalibrationState, event: CalibrationEvent): CalibrationStep {
  expect(state, event, ['recordRanges']);
  const { sweeps, homingOffsets } = state;
  if (!sweeps || !homingOffsets) return step(state, READ);
  const fixes = new Map<MotorName, { homingOffset: number; sweep: RangeSweep }>();
  for (const m of sweptMotors(state)) {
    if (!crossedWrap(sweeps[m])) continue;
    const r = recenterSweep(sweeps[m], homingOffsets[m]);
    if (r) fixes.set(m, r);
  }
  const newOffsets = perMotor((m) => fixes.get(m)?.homingOffset ?? homingOffsets[m]);
  const next: CalibrationState = {
    ...state,
    homingOffsets: newOffsets,
    sweeps: perMotor((m) => fixes.get(m)?.sweep ?? sweeps[m]),
  };
  const writes = [...fixes.keys()].map((m) => writeRegister(m, 'Homing_Offset', newOffsets[m]));
  return step(next, [...writes, ...READ], wrapProblems(next));
}

/** Span of travel seen per swept motor, in steps (for a live UI gauge). */
export function sweptSpans(state: CalibrationState): Partial<Record<MotorName, number>> {
  const out: Partial<Record<MotorName, number>> = {};
  if (state.sweeps) for (const m of sweptMotors(state)) out[m] = sweepSpan(state.sweeps[m]);
  return out;
}
