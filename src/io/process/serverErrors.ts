// Typed failures of a supervised inference server; messages say what happened and what to do next.

export type ServerStartFailure = 'spawn-failed' | 'exited' | 'timeout' | 'probe-failed';

export interface ServerStartErrorDetails {
  readonly serverName: string;
  readonly command: string;
  readonly reason: ServerStartFailure;
  /** One sentence: what went wrong. */
  readonly summary: string;
  /** Plain advice collected from known error lines (deduplicated, in order of appearance). */
  readonly advice: readonly string[];
  /** The last lines the server wrote to stderr (stdout when stderr was silent). */
  readonly lastLines: readonly string[];
  readonly exitCode?: number | null;
  readonly exitSignal?: NodeJS.Signals | null;
  readonly cause?: unknown;
}

/** The server did not become ready: it could not be spawned, exited early, or timed out. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  readonly serverName: string;
  readonly reason: ServerStartFailure;
  readonly advice: readonly string[];
  readonly lastLines: readonly string[];
  readonly exitCode: number | null | undefined;
  readonly exitSignal: NodeJS.Signals | null | undefined;

  constructor(d: ServerStartErrorDetails) {
    super(startMessage(d), d.cause === undefined ? undefined : { cause: d.cause });
    this.serverName = d.serverName;
    this.reason = d.reason;
    this.advice = d.advice;
    this.lastLines = d.lastLines;
    this.exitCode = d.exitCode;
    this.exitSignal = d.exitSignal;
  }
}

function startMessage(d: ServerStartErrorDetails): string {
  const parts = [`Policy server "${d.serverName}" (${d.command}) did not start: ${d.summary}`];
  for (const a of d.advice) parts.push(a);
  if (d.lastLines.length > 0) parts.push(`Last output:\n  ${d.lastLines.join('\n  ')}`);
  else parts.push('It printed nothing; see the server log for details.');
  return parts.join('\n');
}

/** The server kept crashing after it had been ready; the restart budget is used up. */
export class ServerCrashLoopError extends Error {
  override readonly name = 'ServerCrashLoopError';

  constructor(
    readonly serverName: string,
    readonly crashes: number,
    readonly windowMs: number,
    lastLines: readonly string[],
  ) {
    super(
      `Policy server "${serverName}" crashed ${crashes} times within ${formatDuration(windowMs)}; ` +
        'it will not be restarted again. Read the server log for the cause, fix it, then start the server.' +
        (lastLines.length > 0 ? `\nLast output:\n  ${lastLines.join('\n  ')}` : ''),
    );
  }
}

/** start() was cancelled by its AbortSignal or by stop() before the server became ready. */
export class ServerStartAbortedError extends Error {
  override readonly name = 'AbortError';

  constructor(serverName: string, why: string) {
    super(`Start of policy server "${serverName}" was cancelled (${why}).`);
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}
