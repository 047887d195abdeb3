// The user's commands (palette, side bar, dashboard buttons) and the phases they are offered in, derived from the
// method table (methodPhases.ts): a command runs one runtime method, some connect first, a few do something of
// their own in one more phase (said here, with why). package.json's `enablement` / `when` clauses are generated
// from this (scripts/write-command-phases.mjs); the dashboard's buttons follow the same list.
import { campaignRefusal, METHODS_DURING_CAMPAIGN } from './campaignMethods';
import { phaseRefusal, phasesOf, RUNTIME_PHASES } from './methodPhases';
import type { RuntimeMethod, RuntimePhase } from './runtimeProtocol';

export interface CommandPhases {
  /** The runtime method the command ends in. */
  readonly method: RuntimeMethod;
  /** The host connects the arm first when the session is at rest (idle, or e-stopped: connect re-enables torque). */
  readonly connectsFirst?: boolean;
  /** Phases where the command does something else, with what. */
  readonly also?: Partial<Record<RuntimePhase, string>>;
  /** Narrows the command to these phases (the method is more permissive for the host's own use). */
  readonly only?: readonly RuntimePhase[];
  /** A VS Code context clause the command also needs. */
  readonly requires?: string;
}

/** By command id without the `so100.` prefix. */
export const COMMAND_PHASES = {
  runEpisode: { method: 'runEpisode', connectsFirst: true },
  step: { method: 'step', connectsFirst: true, also: { running: 'pauses the episode (the next Step runs one tick)' } },
  pause: { method: 'pause' },
  resume: { method: 'resume' },
  stop: { method: 'stop' },
  emergencyStop: { method: 'estop' },
  reset: { method: 'reset', connectsFirst: true },
  connectArm: { method: 'connect', also: { connected: 'disconnects, then connects on the chosen port' } },
  // Offered only with the arm at rest: an episode is stopped, a connect cancelled from its notification and a
  // calibration from its panel, each where the person sees what they end.
  disconnectArm: { method: 'disconnect', only: ['connected', 'estopped'] },
  calibrateArm: { method: 'calibrate', also: { calibrating: 'shows the calibration in progress' } },
  // A runtime started under the debugger, then Run Episode on it.
  debugEpisode: { method: 'runEpisode', connectsFirst: true, requires: 'isWorkspaceTrusted' },
  // A campaign connects the arm itself (its own servers, the seed's scene before every episode).
  runEvaluation: { method: 'runEvaluation' },
  resumeEvaluation: { method: 'runEvaluation' },
} as const satisfies Record<string, CommandPhases>;

export type CommandName = keyof typeof COMMAND_PHASES;

/** The VS Code context key the runtime's phase is published under. */
export const RUNTIME_PHASE_CONTEXT_KEY = 'so100.runtimePhase';

/** The VS Code context key that is true while an evaluation campaign runs (RuntimeStatus.evaluation is set). */
export const EVALUATION_RUNNING_CONTEXT_KEY = 'so100.evaluationRunning';

/** The phases in which the command is offered, in RUNTIME_PHASES order. */
export function commandPhases(name: CommandName): readonly RuntimePhase[] {
  const c: CommandPhases = COMMAND_PHASES[name];
  const allowed = new Set<RuntimePhase>(phasesOf(c.method));
  if (c.connectsFirst) for (const p of phasesOf('connect')) allowed.add(p);
  for (const p of Object.keys(c.also ?? {}) as RuntimePhase[]) allowed.add(p);
  return RUNTIME_PHASES.filter((p) => allowed.has(p) && (c.only === undefined || c.only.includes(p)));
}

/** Whether the command stays offered while a campaign runs (its method is one a host may call then). */
export function offeredDuringCampaign(name: CommandName): boolean {
  return METHODS_DURING_CAMPAIGN.has(COMMAND_PHASES[name].method);
}

export function commandEnabled(name: CommandName, phase: RuntimePhase, evaluating = false): boolean {
  return (!evaluating || offeredDuringCampaign(name)) && commandPhases(name).includes(phase);
}

/** `clause && term`, distributed over the clause's `||` (a when clause binds `&&` tighter than `||`). */
function and(clause: string | undefined, term: string, termFirst = false): string {
  return clause === undefined
    ? term
    : clause
        .split(' || ')
        .map((c) => (termFirst ? `${term} && ${c}` : `${c} && ${term}`))
        .join(' || ');
}

/**
 * The command's VS Code clause, or undefined when it is offered always. A command offered while idle lists the
 * phases it is not offered in: before any runtime ran the context key is unset, which is idle. A command a campaign
 * would refuse also needs no campaign running.
 */
export function commandWhenClause(name: CommandName): string | undefined {
  const phases = commandPhases(name);
  const requires: string | undefined = (COMMAND_PHASES[name] as CommandPhases).requires;
  let clause: string | undefined;
  if (phases.length === RUNTIME_PHASES.length) clause = undefined;
  else if (phases.includes('idle'))
    clause = RUNTIME_PHASES.filter((p) => !phases.includes(p))
      .map((p) => `${RUNTIME_PHASE_CONTEXT_KEY} != ${p}`)
      .join(' && ');
  else clause = phases.map((p) => `${RUNTIME_PHASE_CONTEXT_KEY} == ${p}`).join(' || ');
  if (!offeredDuringCampaign(name)) clause = and(clause, `!${EVALUATION_RUNNING_CONTEXT_KEY}`);
  if (requires === undefined) return clause;
  return and(clause, requires, true);
}

/** Why the command is not offered in `phase` (what to do first), or undefined when it is. */
export function commandRefusal(name: CommandName, phase: RuntimePhase, evaluating = false): string | undefined {
  if (evaluating && !offeredDuringCampaign(name)) return campaignRefusal(COMMAND_PHASES[name].method);
  if (commandEnabled(name, phase)) return undefined;
  return phaseRefusal(COMMAND_PHASES[name].method, phase) ?? `not while the session is ${phase}`;
}
