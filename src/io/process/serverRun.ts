// One spawned server process (in its own process group) and its output, line by line with advice.
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from './lineSplitter';
import { adviceForLine, adviceForSpawnError } from './serverLogAdvice';
import { isGroupAlive, signalGroup } from './processGroup';
import type { ServerLogLine, ServerSpec } from './serverSpec';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (ENOENT, EACCES, …). */
  readonly spawnError?: Error;
}

const TAIL_LINES = 12;
const killedAdvice =
  'The server was killed with SIGKILL, most likely by the out-of-memory killer: close other programs or use a smaller model.';

export class ServerRun {
  readonly pid: number | undefined;
  readonly startedAt = Date.now();
  /** Resolves when the child has exited and been reaped (or failed to spawn). */
  readonly exited: Promise<ExitInfo>;
  /** Aborted once the child has exited: wakes every wait that depends on it. */
  readonly exitedSignal: AbortSignal;
  /** Aborted by stop(): this run is being shut down on purpose. */
  readonly stopRequest = new AbortController();
  exit: ExitInfo | undefined;

  private readonly closed: Promise<void>;
  private readonly stderrTail: string[] = [];
  private readonly stdoutTail: string[] = [];
  private readonly adviceSeen: string[] = [];
  private sentKill = false;

  constructor(
    private readonly spec: ServerSpec,
    private readonly emit: (line: ServerLogLine) => void,
  ) {
    const exitedCtl = new AbortController();
    this.exitedSignal = exitedCtl.signal;
    let resolveExit!: (e: ExitInfo) => void;
    this.exited = new Promise((r) => (resolveExit = r));
    const settle = (e: ExitInfo): void => {
      if (this.exit) return;
      this.exit = e;
      exitedCtl.abort();
      resolveExit(e);
    };
    let resolveClosed!: () => void;
    this.closed = new Promise((r) => (resolveClosed = r));

    let child: ChildProcess | undefined;
    try {
      // detached: its own process group, so stop() reaches grandchildren too. Never through a shell.
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      this.spawnFailed(err);
      settle({ code: null, signal: null, spawnError: asError(err) });
      resolveClosed();
    }
    this.pid = child?.pid;
    if (!child) return;

    this.pipe(child.stdout, 'stdout');
    this.pipe(child.stderr, 'stderr');
    child.on('error', (err) => {
      if (this.pid === undefined) {
        this.spawnFailed(err);
        settle({ code: null, signal: null, spawnError: err });
      } else {
        this.supervisorLine(`process error: ${err.message}`);
      }
    });
    child.on('exit', (code, signal) => {
      const e = { code, signal };
      // A SIGKILL we did not send comes from the kernel's out-of-memory killer (or a user's kill -9).
      const oom = signal === 'SIGKILL' && !this.sentKill;
      this.supervisorLine(`process ${this.pid} ${this.describeExit(e)}`, oom ? killedAdvice : undefined);
      settle(e);
    });
    child.on('close', () => resolveClosed());
  }

  /** Sends `signal` to the run's whole process group. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined || this.exit?.spawnError) return;
    if (signal === 'SIGKILL') this.sentKill = true;
    this.supervisorLine(`sending ${signal} to process group ${this.pid}`);
    signalGroup(this.pid, signal);
  }

  /** True once the child is reaped and nothing of its group is left running. */
  async isGone(): Promise<boolean> {
    if (!this.exit) return false;
    return this.pid === undefined || !(await isGroupAlive(this.pid));
  }

  /** Waits (briefly) for the child's pipes to drain, so its last lines are in the log. */
  async drained(maxWaitMs = 500): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise<void>((r) => (timer = setTimeout(r, maxWaitMs)))]);
    clearTimeout(timer);
  }

  /** The last lines worth showing in an error: stderr, or stdout when stderr was silent. */
  lastLines(): string[] {
    return [...(this.stderrTail.length > 0 ? this.stderrTail : this.stdoutTail)];
  }

  /** Advice from known error lines seen so far, each once, in order. */
  advice(): string[] {
    return [...this.adviceSeen];
  }

  /** A line from the supervisor itself, kept in the same log. */
  supervisorLine(text: string, advice?: string): void {
    if (advice) this.noteAdvice(advice);
    this.emit({ stream: 'supervisor', text, time: Date.now(), ...(advice ? { advice } : {}) });
  }

  describeExit(e: ExitInfo): string {
    if (e.spawnError) return `could not be spawned (${e.spawnError.message})`;
    return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  private spawnFailed(err: unknown): void {
    this.supervisorLine(
      `could not run ${this.spec.command}: ${asError(err).message}`,
      adviceForSpawnError(err, this.spec.command),
    );
  }

  private pipe(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const splitter = new LineSplitter();
    const tail = name === 'stderr' ? this.stderrTail : this.stdoutTail;
    const take = (text: string): void => {
      const advice = adviceForLine(text, { port: this.spec.port, command: this.spec.command });
      if (advice) this.noteAdvice(advice);
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      this.emit({ stream: name, text, time: Date.now(), ...(advice ? { advice } : {}) });
    };
    stream.on('data', (chunk: Buffer) => splitter.push(chunk).forEach(take));
    stream.on('end', () => splitter.flush().forEach(take));
    stream.on('error', () => undefined);
  }

  private noteAdvice(advice: string): void {
    if (!this.adviceSeen.includes(advice)) this.adviceSeen.push(advice);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
