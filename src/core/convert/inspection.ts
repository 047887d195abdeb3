// The inspector's report of one exchange: the observation, the policy input, the reply, the targets and what
// safety sent, summarised (inputSummary) and checked (converterLint).
import type { WireValue } from '../protocols';
import { SO100_MOTORS } from '../so100/motors';
import { lintConversion, type StateConvention } from './converterLint';
import type { ConverterFailure, InspectionReport, SafetySnapshot } from './inspectionReport';
import { statsOf, summarizeFrame, summarizeValues } from './inputSummary';
import type { Layout } from './layouts';
import type { LeRobotObservation } from './lerobotObservation';

/** What is known of one exchange; every part but the converter's name may be missing. */
export interface ExchangeSnapshot {
  readonly converter: string;
  readonly layout?: Layout;
  readonly episode?: number;
  /** Tick of the observation. */
  readonly tick?: number;
  readonly observation?: LeRobotObservation;
  readonly input?: { readonly [key: string]: WireValue };
  readonly converterWarnings?: readonly string[];
  /** The policy's decoded reply. */
  readonly reply?: { readonly [key: string]: WireValue };
  /** Joint targets after back-conversion, horizon × 6 in motor order. */
  readonly targets?: { readonly horizon: number; readonly targets: Float64Array };
  readonly safety?: SafetySnapshot;
  readonly error?: ConverterFailure;
}

/** Summarises and lints `snap`; `stateConvention` is the robot's (and so the policy's) body-joint units. */
export function inspectionReport(
  source: InspectionReport['source'],
  snap: ExchangeSnapshot,
  stateConvention: StateConvention = 'degrees',
): InspectionReport {
  const notes: string[] = [];
  const obs = snap.observation;
  if (!obs) notes.push('no observation yet: run an episode (or Step) first');
  else if (!snap.input && !snap.error) notes.push('the converter has not run on this observation yet');
  if (obs && !snap.reply && source === 'episode') notes.push('no reply from the policy yet');
  const warnings =
    obs && snap.input
      ? lintConversion({
          cameras: obs.images,
          input: snap.input,
          positions: obs.positions,
          layout: snap.layout,
          stateConvention,
        })
      : [];
  const t = snap.targets;
  const n = SO100_MOTORS.length;
  // The chunk row aimed at the tick whose measurement is shown next to it (row i is for observation tick + i).
  const step = snap.safety && snap.tick !== undefined ? snap.safety.tick - snap.tick : -1;
  const atSafetyTick =
    t && step >= 0 && step < t.horizon
      ? { step, values: Array.from(t.targets.subarray(step * n, (step + 1) * n)) }
      : undefined;
  return {
    source,
    converter: snap.converter,
    ...(snap.layout && { layout: snap.layout.name }),
    ...(snap.episode !== undefined && { episode: snap.episode }),
    ...(snap.tick !== undefined && { tick: snap.tick }),
    ...(obs && {
      observation: {
        task: obs.task,
        joints: SO100_MOTORS.map((m) => ({ motor: m, value: obs.positions[m] })),
        cameras: Object.keys(obs.images)
          .sort()
          .map((c) => summarizeFrame(c, obs.images[c])),
      },
    }),
    ...(snap.input && { input: summarizeValues(snap.input) }),
    ...(snap.reply && { output: summarizeValues(snap.reply) }),
    ...(t &&
      t.horizon > 0 && {
        targets: {
          horizon: t.horizon,
          motors: [...SO100_MOTORS],
          first: Array.from(t.targets.subarray(0, n)),
          ...(atSafetyTick && { atSafetyTick }),
          stats: statsOf(t.targets),
        },
      }),
    ...(snap.safety && { safety: snap.safety }),
    warnings,
    converterWarnings: [...(snap.converterWarnings ?? [])],
    ...(snap.error && { error: snap.error }),
    notes,
  };
}
