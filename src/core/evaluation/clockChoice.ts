// Which clock a campaign runs on. Virtual time applies only when every part the episodes touch is simulated in this
// process: the simulated arm, synthetic cameras and built-in openpi models (run in process on the virtual clock).
// Anything real runs in real time, so it forces wall time; `auto` takes virtual time whenever it applies.
import type { So100Config } from '../config';
import type { ClockKind } from '../timing/clock';
import { isSimulatedArm } from '../config';

export type ClockChoice = 'auto' | ClockKind;

export const CLOCK_CHOICES: readonly ClockChoice[] = ['auto', 'virtual', 'wall'];

export interface ClockDecision {
  readonly kind: ClockKind;
  /** Why wall time, when virtual was possible to ask for but something real forbids it (`auto` says so). */
  readonly wallReason?: string;
}

export class ClockChoiceError extends Error {
  override readonly name = 'ClockChoiceError';
}

/** The first part of `config` (for `models`) that runs in real time, or undefined when virtual time applies. */
export function realTimePart(config: So100Config, models: readonly string[]): string | undefined {
  if (!isSimulatedArm(config.robot)) return `the arm is real (robot.port ${config.robot.port})`;
  const camera = Object.entries(config.cameras).find(([, c]) => c.kind !== 'synthetic');
  if (camera) return `camera "${camera[0]}" is a real camera`;
  for (const name of models) {
    const m = config.models[name];
    if (!m) continue; // an unknown model is refused elsewhere, with its own message
    if (m.kind !== 'builtin') return `model "${name}" is served by a real server (${m.kind})`;
    if (m.protocol !== 'openpi')
      return `model "${name}" speaks ${m.protocol}; the built-in policy runs in process over openpi only`;
  }
  return undefined;
}

/** The clock for `choice`; throws ClockChoiceError for `virtual` when a real part forbids it, with the reason. */
export function chooseClock(choice: ClockChoice, config: So100Config, models: readonly string[]): ClockDecision {
  if (choice === 'wall') return { kind: 'wall' };
  const real = realTimePart(config, models);
  if (real === undefined) return { kind: 'virtual' };
  if (choice === 'virtual')
    throw new ClockChoiceError(
      `virtual time needs the simulated arm, synthetic cameras and built-in openpi models, but ${real}; use --clock wall (or auto)`,
    );
  return { kind: 'wall', wallReason: real };
}

/** A clock choice from a flag or a stored value, or a ClockChoiceError naming the choices. */
export function parseClockChoice(text: string): ClockChoice {
  if ((CLOCK_CHOICES as readonly string[]).includes(text)) return text as ClockChoice;
  throw new ClockChoiceError(`the clock must be one of ${CLOCK_CHOICES.join(', ')}, got "${text}"`);
}
