// Which runtime method does something in which phase: the one table. RuntimeSession's guards, the runtime server's
// list of methods, the user commands of commandPhases.ts (package.json `enablement`, the dashboard's buttons) are
// all derived from it, so they cannot disagree.
import type { RuntimeMethod, RuntimePhase } from './runtimeProtocol';

/** Every phase, in the order a session usually goes through them. */
export const RUNTIME_PHASES = [
  'idle',
  'connecting',
  'connected',
  'running',
  'paused',
  'resetting',
  'estopped',
  'calibrating',
] as const satisfies readonly RuntimePhase[];

// The compiler checks the list above is complete: a phase added to RuntimePhase but not listed fails here.
type MissingPhase = Exclude<RuntimePhase, (typeof RUNTIME_PHASES)[number]>;
const phasesComplete: MissingPhase extends never ? true : MissingPhase = true;
void phasesComplete;

export interface MethodPhases {
  /** The phases in which the method acts. */
  readonly acts: readonly RuntimePhase[] | 'any';
  /** What happens in the other phases: refused with advice (RuntimePhaseError), or nothing (an idempotent call). */
  readonly elsewhere: 'refuse' | 'no-op';
  /** The method's purpose in the refusal message ("cannot <verb>: …"). */
  readonly verb: string;
  /**
   * May be called while an evaluation campaign drives the session (it watches, stops everything, or does not touch
   * the arm); the rest would change or count the episode being measured (campaignMethods.ts).
   */
  readonly duringCampaign?: true;
}

/** A session holds an arm connection in these phases (estopped keeps it, limp, until connect or disconnect). */
const HOLDS_CONNECTION: readonly RuntimePhase[] = ['connected', 'running', 'paused', 'resetting', 'estopped'];
const ANY = 'any';

/** The table. A method missing here is a compile error (the key set is RuntimeMethod). */
export const METHOD_PHASES: { readonly [M in RuntimeMethod]: MethodPhases } = {
  // Connect from rest only: an e-stopped arm is connected again deliberately (configure() re-enables torque).
  connect: { acts: ['idle', 'estopped'], elsewhere: 'refuse', verb: 'connect' },
  runEpisode: { acts: ['connected'], elsewhere: 'refuse', verb: 'run an episode' },
  // Connected: starts an episode paused and runs its first tick.
  step: { acts: ['connected', 'paused'], elsewhere: 'refuse', verb: 'step' },
  pause: { acts: ['running'], elsewhere: 'refuse', verb: 'pause' },
  resume: { acts: ['paused'], elsewhere: 'refuse', verb: 'resume' },
  // Stopping with no episode is harmless: a host that raced the episode's end gets the status back.
  stop: { acts: ['running', 'paused'], elsewhere: 'no-op', verb: 'stop the episode' },
  estop: { acts: ANY, elsewhere: 'no-op', verb: 'emergency-stop', duringCampaign: true },
  // Running or paused: the episode is stopped first.
  reset: { acts: ['connected', 'running', 'paused'], elsewhere: 'refuse', verb: 'reset' },
  swapModel: { acts: HOLDS_CONNECTION, elsewhere: 'refuse', verb: 'swap the model' },
  applyConfig: { acts: HOLDS_CONNECTION, elsewhere: 'refuse', verb: 'apply the config (it is read at connect)' },
  status: { acts: ANY, elsewhere: 'no-op', verb: 'report the status', duringCampaign: true },
  checkArmDriver: { acts: ANY, elsewhere: 'no-op', verb: 'check the serial driver', duringCampaign: true },
  subscribe: { acts: ANY, elsewhere: 'no-op', verb: 'subscribe', duringCampaign: true },
  // Also the way to cancel a connect in progress and to end a calibration.
  disconnect: {
    acts: ['connecting', 'connected', 'running', 'paused', 'resetting', 'estopped', 'calibrating'],
    elsewhere: 'no-op',
    verb: 'disconnect',
  },
  shutdown: { acts: ANY, elsewhere: 'no-op', verb: 'shut down', duringCampaign: true },
  // Without a connection the report says what is missing.
  inspect: { acts: ANY, elsewhere: 'no-op', verb: 'inspect', duringCampaign: true },
  runConverter: { acts: HOLDS_CONNECTION, elsewhere: 'refuse', verb: 'run the converter' },
  inspectRecordedTick: { acts: ANY, elsewhere: 'no-op', verb: 'inspect a recorded tick', duringCampaign: true },
  // Offline: the arm is not involved, so any phase will do.
  replayEpisode: { acts: ANY, elsewhere: 'no-op', verb: 'replay an episode', duringCampaign: true },
  cancelReplay: { acts: ANY, elsewhere: 'no-op', verb: 'cancel the replay', duringCampaign: true },
  // A connected arm is released first; a calibration needs the bus to itself.
  calibrate: { acts: ['idle', 'connected', 'estopped'], elsewhere: 'refuse', verb: 'calibrate' },
  calibrationAnswer: { acts: ['calibrating'], elsewhere: 'refuse', verb: 'answer the calibration' },
  calibrationSweep: { acts: ['calibrating'], elsewhere: 'refuse', verb: 'sweep the joints' },
  // A campaign connects the arm itself, with its own servers and scenes.
  runEvaluation: { acts: ['idle', 'estopped'], elsewhere: 'refuse', verb: 'run an evaluation' },
  // Cancelling when no campaign runs is harmless (a host that raced its end).
  cancelEvaluation: { acts: ANY, elsewhere: 'no-op', verb: 'cancel the evaluation', duringCampaign: true },
  // Answered while the campaign waits (no question pending is refused by the campaign, with why).
  evaluationAnswer: { acts: ANY, elsewhere: 'no-op', verb: 'answer the evaluation', duringCampaign: true },
};

/** The runtime's methods, from the table. */
export const RUNTIME_METHODS = Object.keys(METHOD_PHASES) as readonly RuntimeMethod[];

export function isRuntimeMethod(name: unknown): name is RuntimeMethod {
  return typeof name === 'string' && Object.hasOwn(METHOD_PHASES, name);
}

/** The phases in which `method` acts. */
export function phasesOf(method: RuntimeMethod): readonly RuntimePhase[] {
  const acts = METHOD_PHASES[method].acts;
  return acts === ANY ? RUNTIME_PHASES : acts;
}

export function methodActs(method: RuntimeMethod, phase: RuntimePhase): boolean {
  return phasesOf(method).includes(phase);
}

/** The refusal for `method` in `phase`, saying what to do first; undefined when the method may be called. */
export function phaseRefusal(method: RuntimeMethod, phase: RuntimePhase): string | undefined {
  const entry = METHOD_PHASES[method];
  if (entry.elsewhere === 'no-op' || methodActs(method, phase)) return undefined;
  return `cannot ${entry.verb}: ${adviceIn(method, phase)}`;
}

function adviceIn(method: RuntimeMethod, phase: RuntimePhase): string {
  switch (phase) {
    case 'idle':
      if (method === 'calibrationAnswer' || method === 'calibrationSweep')
        return 'no calibration is in progress; start one with SO-100: Calibrate Arm';
      return method === 'pause' || method === 'resume' ? 'no episode is running' : 'connect first';
    case 'connecting':
      return 'the arm is still connecting; wait for it, or disconnect';
    case 'connected':
      if (method === 'runEvaluation')
        return 'the arm is connected; disconnect it first (a campaign connects it itself)';
      return method === 'connect' ? 'already connected; disconnect first' : 'no episode is running';
    case 'running':
      return method === 'step' || method === 'resume'
        ? 'the episode is running; pause it first'
        : 'an episode is running; stop it first';
    case 'paused':
      return 'an episode is paused; stop it first';
    case 'resetting':
      return 'the arm is gliding back to its start pose; wait for the reset to end';
    case 'estopped':
      return 'the arm was emergency-stopped; connect again to re-enable torque';
    case 'calibrating':
      return method === 'calibrate'
        ? 'a calibration is already in progress; answer or cancel it first'
        : 'a calibration holds the arm; finish or cancel it (SO-100: Calibrate Arm) first';
  }
}
