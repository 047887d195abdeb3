// Runs one inference server as a child process: start until ready, stop the whole process group with
// escalating signals, restart after crashes within a budget, and keep its log with plain advice.
import { LogRing } from './logRing';
import type { PidRegistry } from './pidRegistry';
import { escalateStop } from './processGroup';
import { defaultReadiness } from '../policy/protocolAdapters';
import {
  ServerCrashLoopError,
  ServerStartAbortedError,
  ServerStartError,
  type ServerStartFailure,
} from './serverErrors';
import { ServerRun, type ExitInfo } from './serverRun';
import type { ReadinessProbe, ServerLogLine, ServerSpec, ServerState } from './serverSpec';

export interface ServerSupervisorOptions {
  readonly readiness?: ReadinessProbe;
  readonly pidRegistry?: PidRegistry;
  /** How often readiness is probed while starting (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** Lines kept by recentLog() (default 2000). */
  readonly logCapacity?: number;
}

export type StateListener = (state: ServerState, detail?: string) => void;
export type LogListener = (line: ServerLogLine) => void;

export const DEFAULT_START_TIMEOUT_MS = 120_000;
export const DEFAULT_RESTART = { maxRestarts: 3, windowMs: 5 * 60_000 } as const;
export const DEFAULT_STOP_GRACE = { sigint: 3000, sigterm: 3000 } as const;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ServerSupervisor {
  private _state: ServerState = 'stopped';
  private _lastError: Error | undefined;
  private _lastExit: ExitInfo | undefined;
  private _restartCount = 0;
  private current: ServerRun | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private crashTimes: number[] = [];
  private readonly log: LogRing<ServerLogLine>;
  private readonly stateListeners = new Set<StateListener>();
  private readonly logListeners = new Set<LogListener>();
  private readonly readiness: ReadinessProbe;
  private readonly pollIntervalMs: number;

  constructor(
    readonly spec: ServerSpec,
    private readonly options: ServerSupervisorOptions = {},
  ) {
    checkRestartBudget(spec);
    this.readiness = options.readiness ?? defaultReadiness;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.log = new LogRing(options.logCapacity ?? 2000);
  }

  get state(): ServerState {
    return this._state;
  }

  /** Why the server is 'failed' (or the last start failed). */
  get lastError(): Error | undefined {
    return this._lastError;
  }

  get pid(): number | undefined {
    return this.current?.exit ? undefined : this.current?.pid;
  }

  /** Crash restarts since the last start(). */
  get restartCount(): number {
    return this._restartCount;
  }

  /** How the most recent child ended (code or signal). */
  get lastExit(): ExitInfo | undefined {
    return this._lastExit;
  }

  recentLog(): readonly ServerLogLine[] {
    return this.log.toArray();
  }

  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onLog(listener: LogListener): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /**
   * Spawns the server and resolves once it answers the readiness probe. Rejects with ServerStartError
   * (spawn failure, exit before ready, timeout) or an AbortError (signal aborted, or stop() called).
   * While a start is already in flight, returns that one (its signal, not this one, applies).
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this._state === 'ready') return;
    if (this.starting) return this.starting;
    this.crashTimes = [];
    this._restartCount = 0;
    this._lastError = undefined;
    return this.launch('starting', signal);
  }

  /** Stops the whole process group (SIGINT → SIGTERM → SIGKILL) and resolves once it is reaped. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const run = this.current;
    if (!run) {
      // A failed server stays 'failed' so that its error remains visible.
      if (this._state !== 'failed') this.setState('stopped');
      return Promise.resolve();
    }
    this.stopping = (async () => {
      run.stopRequest.abort();
      this.setState('stopping');
      await this.terminate(run);
      if (this.current === run) this.current = undefined;
      this.setState('stopped');
    })().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private launch(phase: 'starting' | 'restarting', signal?: AbortSignal, detail?: string): Promise<void> {
    const p = this.runUntilReady(phase, signal, detail).finally(() => {
      if (this.starting === p) this.starting = undefined;
    });
    this.starting = p;
    return p;
  }

  private async runUntilReady(
    phase: 'starting' | 'restarting',
    signal: AbortSignal | undefined,
    detail?: string,
  ): Promise<void> {
    if (this._state !== phase) this.setState(phase, detail);
    this.addLine({
      stream: 'supervisor',
      text: `${phase}: ${[this.spec.command, ...this.spec.args].join(' ')}`,
      time: Date.now(),
    });
    const run = new ServerRun(this.spec, (line) => this.addLine(line));
    this.current = run;
    if (run.pid !== undefined) {
      void this.registry((r) =>
        r.record({ pid: run.pid!, command: this.spec.command, args: this.spec.args, startedAt: run.startedAt }),
      );
    }
    try {
      await this.waitReady(run, signal);
    } catch (err) {
      if (err instanceof ServerStartAbortedError) {
        // Aborted by the caller's signal: stop like stop() would. Aborted by stop(): it is already stopping.
        if (!run.stopRequest.signal.aborted) await this.stop();
        else if (this.stopping) await this.stopping;
        throw err;
      }
      if (run.exit) this._lastExit = run.exit;
      await this.terminate(run);
      if (run.stopRequest.signal.aborted) throw new ServerStartAbortedError(this.spec.name, 'stop() was called');
      if (this.current === run) this.current = undefined;
      this.fail(err as Error);
      throw err;
    }
    this.setState('ready');
    this.addLine({
      stream: 'supervisor',
      text: `ready on ${this.spec.host}:${this.spec.port} (pid ${run.pid})`,
      time: Date.now(),
    });
    void run.exited.then(() => this.afterExit(run));
  }

  /** Polls the probe until ready; throws ServerStartError or ServerStartAbortedError. */
  private async waitReady(run: ServerRun, signal: AbortSignal | undefined): Promise<void> {
    // Timers overflow past 2^31-1 ms (and would then fire at once); treat larger or invalid values as "very long".
    const asked = this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const timeoutMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_TIMER_MS) : MAX_TIMER_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const wake = AbortSignal.any([run.exitedSignal, run.stopRequest.signal, deadline, ...(signal ? [signal] : [])]);
    for (;;) {
      if (signal?.aborted) throw new ServerStartAbortedError(this.spec.name, 'the caller aborted it');
      if (run.stopRequest.signal.aborted) throw new ServerStartAbortedError(this.spec.name, 'stop() was called');
      if (run.exit) {
        await run.drained();
        const e = run.exit;
        throw this.startError(
          run,
          e.spawnError ? 'spawn-failed' : 'exited',
          `the process ${run.describeExit(e)} before it was ready.`,
          e.spawnError,
        );
      }
      if (deadline.aborted) {
        throw this.startError(
          run,
          'timeout',
          `it was not ready after ${Math.round(timeoutMs / 100) / 10} s (probing ${this.spec.host}:${this.spec.port}). ` +
            'Check that it listens on that port, or raise the start timeout if loading the checkpoint takes longer.',
        );
      }
      let ready = false;
      try {
        ready = await abortable(
          Promise.resolve().then(() => this.readiness(this.spec, wake)),
          wake,
        );
      } catch (err) {
        if (wake.aborted) continue;
        throw this.startError(run, 'probe-failed', `the readiness check failed: ${(err as Error).message}`, err);
      }
      if (ready && !run.exit && !wake.aborted) return;
      await sleep(this.pollIntervalMs, wake);
    }
  }

  private startError(run: ServerRun, reason: ServerStartFailure, summary: string, cause?: unknown): ServerStartError {
    return new ServerStartError({
      serverName: this.spec.name,
      command: this.spec.command,
      reason,
      summary,
      advice: run.advice(),
      lastLines: run.lastLines(),
      exitCode: run.exit?.code,
      exitSignal: run.exit?.signal,
      cause,
    });
  }

  /** A ready server's child ended: a crash unless stop() asked for it. */
  private async afterExit(run: ServerRun): Promise<void> {
    this._lastExit = run.exit;
    if (run.stopRequest.signal.aborted || this.current !== run) return;
    const { maxRestarts, windowMs } = this.spec.restart ?? DEFAULT_RESTART;
    const now = performance.now(); // monotonic: a wall-clock step must not empty or stretch the window
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < windowMs), now];
    const giveUp = this.crashTimes.length > maxRestarts;
    const crash = `crash ${this.crashTimes.length} within ${windowMs / 1000} s (at most ${maxRestarts} restarts)`;
    run.supervisorLine(`the server stopped unexpectedly: ${crash}${giveUp ? '' : ', restarting'}`);
    if (!giveUp) this.setState('restarting', crash);
    await this.terminate(run); // leftovers of its group would hold the port
    if (run.stopRequest.signal.aborted || this.current !== run) return;
    this.current = undefined;
    if (giveUp) {
      this.fail(new ServerCrashLoopError(this.spec.name, this.crashTimes.length, windowMs, run.lastLines()));
      return;
    }
    this._restartCount++;
    // A restart that fails to become ready ends in 'failed' (never restarted again); nobody awaits it.
    this.launch('restarting').catch(() => undefined);
  }

  /** Escalating signals to the run's group until it is reaped; forgets its pid record. */
  private async terminate(run: ServerRun): Promise<void> {
    if (run.pid === undefined) return;
    await escalateStop(
      (s) => run.signalGroup(s),
      this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE,
      () => run.isGone(),
    );
    await run.exited;
    this._lastExit = run.exit;
    void this.registry((r) => r.forget(run.pid!));
  }

  private fail(err: Error): void {
    this._lastError = err;
    this.addLine({ stream: 'supervisor', text: err.message.split('\n')[0], time: Date.now() });
    this.setState('failed', err.message);
  }

  private async registry(op: (r: PidRegistry) => Promise<void>): Promise<void> {
    if (!this.options.pidRegistry) return;
    try {
      await op(this.options.pidRegistry);
    } catch (err) {
      this.addLine({
        stream: 'supervisor',
        text: `could not update the pid file: ${(err as Error).message}`,
        time: Date.now(),
      });
    }
  }

  private setState(state: ServerState, detail?: string): void {
    if (this._state === state && detail === undefined) return;
    this._state = state;
    for (const l of [...this.stateListeners]) {
      try {
        l(state, detail);
      } catch {
        // A broken listener must not break supervision.
      }
    }
  }

  private addLine(line: ServerLogLine): void {
    this.log.push(line);
    for (const l of [...this.logListeners]) {
      try {
        l(line);
      } catch {
        // As above.
      }
    }
  }
}

/** A budget that is NaN, negative or fractional would silently mean "restart forever"; refuse it up front. */
function checkRestartBudget(spec: ServerSpec): void {
  if (!spec.restart) return;
  const { maxRestarts, windowMs } = spec.restart;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new RangeError(
      `server "${spec.name}": restart.maxRestarts must be a whole number ≥ 0 (0 = never restart), got ${maxRestarts}`,
    );
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw new RangeError(
      `server "${spec.name}": restart.windowMs must be a positive, finite number of milliseconds, got ${windowMs}`,
    );
  }
}

/** Resolves like `p`, or false as soon as `signal` aborts (a probe that ignores its signal cannot hang start). */
function abortable(p: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.resolve(false);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
