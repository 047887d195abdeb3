// The Calibrate Arm panel's messages between the extension host (src/extension/calibration/calibrationPanel.ts) and its
// webview (webview-ui/calibration/main.ts). Both sides import this file; the host checks every webview message with
// isCalibrationToHost. Like every contract file it imports core's types only, so the page bundles no core code.
import type { CalibrationAnswer, CalibrationSampleView, CalibrationStepView } from '../core/so100/calibrationView';

export type { CalibrationAnswer, CalibrationSampleView, CalibrationStepView };

/** Which arm is calibrated and where its file goes. */
export interface CalibrationTarget {
  readonly robotId: string;
  /** The port, or "simulated SO-100". */
  readonly arm: string;
  readonly file: string;
  readonly simulated: boolean;
}

/**
 * What the panel shows. intro: nothing touched yet (Start / Cancel); starting: the runtime is opening the bus;
 * running: a step of the flow; ended: saved / cancelled / failed; error: it could not start.
 */
export interface CalibrationPanelState {
  readonly stage: 'intro' | 'starting' | 'running' | 'ended' | 'error';
  readonly target: CalibrationTarget;
  readonly step?: CalibrationStepView;
  readonly sample?: CalibrationSampleView;
  /** The simulator's joints are being swept. */
  readonly sweeping: boolean;
  readonly outcome?: 'saved' | 'cancelled' | 'failed';
  /** The ended / error sentence, or why an answer was refused. */
  readonly message?: string;
}

/** Host → webview. */
export type HostToCalibration = { readonly type: 'state'; readonly state: CalibrationPanelState };

/** Webview → host. */
export type CalibrationToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'start' }
  | { readonly type: 'answer'; readonly answer: CalibrationAnswer }
  /** Simulator only: move every joint through its travel. */
  | { readonly type: 'sweep' }
  | { readonly type: 'close' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Core's CALIBRATION_ANSWERS is a value this file may not import; the compiler holds this set to exactly the members of
// core's CalibrationAnswer type (a missing or extra key fails to compile).
const ANSWERS: { readonly [A in CalibrationAnswer]: true } = {
  continue: true,
  finish: true,
  recenter: true,
  restart: true,
  cancel: true,
};
const isAnswer = (v: unknown): v is CalibrationAnswer => typeof v === 'string' && Object.hasOwn(ANSWERS, v);

/** True for a well-formed webview → host message (anything else is dropped by the host). */
export function isCalibrationToHost(m: unknown): m is CalibrationToHost {
  if (!isRecord(m)) return false;
  switch (m.type) {
    case 'ready':
    case 'start':
    case 'sweep':
    case 'close':
      return true;
    case 'answer':
      return isAnswer(m.answer);
    default:
      return false;
  }
}

/** True for a well-formed host → webview message. */
export function isHostToCalibration(m: unknown): m is HostToCalibration {
  return (
    isRecord(m) &&
    m.type === 'state' &&
    isRecord(m.state) &&
    typeof m.state.stage === 'string' &&
    isRecord(m.state.target)
  );
}
