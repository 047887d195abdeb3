// While an evaluation campaign drives the session it owns the arm: a host may watch, e-stop and cancel, but not run,
// stop, reset, swap, reconfigure or disconnect it, which would change (or count) the episode being measured.
import { METHOD_PHASES } from './methodPhases';
import type { EvaluationAnswer, RuntimeMethod } from './runtimeProtocol';

/** The methods a host may call while a campaign runs: those the method table marks `duringCampaign`. */
export const METHODS_DURING_CAMPAIGN: ReadonlySet<RuntimeMethod> = new Set(
  (Object.keys(METHOD_PHASES) as RuntimeMethod[]).filter((m) => METHOD_PHASES[m].duringCampaign),
);

/** The refusal of `method` while a campaign runs, or undefined when it may be called. */
export function campaignRefusal(method: RuntimeMethod): string | undefined {
  if (METHODS_DURING_CAMPAIGN.has(method)) return undefined;
  return `cannot ${METHOD_PHASES[method].verb}: an evaluation campaign is running; cancel it first (SO-100: Cancel Evaluation)`;
}

/** The operator's answers (the compiler holds the keys to exactly EvaluationAnswer's members). */
export const EVALUATION_ANSWERS: { readonly [A in EvaluationAnswer]: true } = {
  ready: true,
  success: true,
  failure: true,
  redo: true,
  stop: true,
};

export function isEvaluationAnswer(v: unknown): v is EvaluationAnswer {
  return typeof v === 'string' && Object.hasOwn(EVALUATION_ANSWERS, v);
}
