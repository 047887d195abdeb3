// What the supervisor needs to know to run one inference server as a child process.
import type { PolicyProtocolName } from '../../core/protocols';

/** Which wire protocol the server speaks (the registry in core/protocols); decides how readiness is probed. */
export type PolicyProtocol = PolicyProtocolName;

/** A command line to run as an inference server (never passed through a shell). */
export interface ServerSpec {
  /** Short name shown to the user, e.g. "pi0" or "builtin". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Added to (not replacing) the parent's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the server listens once ready. */
  readonly host: string;
  readonly port: number;
  readonly protocol: PolicyProtocol;
  /** How long start() waits for readiness before failing (default 120 s: real π₀ servers load checkpoints). */
  readonly startTimeoutMs?: number;
  /** Crash restarts allowed within a sliding window (default 3 in 5 min). */
  readonly restart?: { readonly maxRestarts: number; readonly windowMs: number };
  /** Grace periods for stop(): SIGINT, then SIGTERM, then SIGKILL (defaults 3 s and 3 s). */
  readonly stopGraceMs?: { readonly sigint: number; readonly sigterm: number };
}

export type ServerState = 'stopped' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'failed';

/** One line of the child's output, with plain advice when it matches a known error pattern. */
export interface ServerLogLine {
  readonly stream: 'stdout' | 'stderr' | 'supervisor';
  readonly text: string;
  readonly advice?: string;
  readonly time: number;
}

/**
 * Tells whether the server answers yet. Resolves true when ready, false when not yet (keep polling);
 * rejects only for a definite failure that polling cannot fix.
 */
export type ReadinessProbe = (spec: ServerSpec, signal: AbortSignal) => Promise<boolean>;
