// The runtime process as the extension host sees it: started on demand (on this VS Code's Node), watched, its log
// in an output channel, its phase in a context key (so commands enable and disable through `when` clauses), its
// events handed to panels (TelemetrySource).
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { RuntimeEventName, RuntimeEvents, RuntimeMethod, RuntimeMethods, RuntimeStatus } from '../../core/rpc';
import { StageBudget } from '../../core/timing/stageBudget';
import { EVALUATION_RUNNING_CONTEXT_KEY, RUNTIME_PHASE_CONTEXT_KEY } from '../../core/rpc';
import { AttachedRuntime } from '../../runtime/rpc/attachedRuntime';
import { RuntimeProcess } from '../../runtime/rpc/runtimeProcess';
import {
  RESTART_RUNTIME_ACTION,
  RuntimeCrashWatch,
  SHOW_RUNTIME_LOG_ACTION,
  type RuntimeCrashReport,
} from './runtimeCrashWatch';
import type { EpisodeCommand, TelemetrySource } from './telemetrySource';

/** A runtime this controller talks to: a child process it spawned, or one the debugger launched (attach). */
type RuntimeHandle = RuntimeProcess | AttachedRuntime;
const FORWARDED_EVENTS = [
  'state',
  'tick',
  'chunk',
  'frame',
  'warning',
  'episodeEnded',
  'converterCompiled',
  'calibrationStep',
  'calibrationSample',
  'calibrationEnded',
  'evaluationProgress',
  'evaluationEnded',
] as const;

export class RuntimeController implements TelemetrySource, vscode.Disposable {
  private process: RuntimeHandle | undefined;
  private starting: Promise<RuntimeHandle> | undefined;
  private lastStatus: RuntimeStatus | undefined;
  private readonly listeners = new Map<RuntimeEventName, Set<(data: never) => void>>();
  private readonly frameWants = new Map<object, number>();
  private stopping = false;
  private crashWatch: RuntimeCrashWatch | undefined;
  private readonly budget = new StageBudget();
  readonly log: vscode.LogOutputChannel;

  constructor(
    private readonly extensionPath: string,
    private readonly workspace: () => string | undefined,
    /** Runs an episode command the way the palette does (the commands module owns the user-facing flow). */
    private readonly runCommand: (name: EpisodeCommand) => Promise<void>,
    /** The serial port of the configured arm; undefined for the simulator (which dies with the runtime). */
    private readonly armPort: () => string | undefined,
  ) {
    this.log = vscode.window.createOutputChannel('SO-100 Runtime', { log: true });
    this.publishPhase({ phase: 'idle', models: [], droppedTelemetry: 0 });
  }

  /** The runtime's client, starting the process first when none runs. */
  async client(): Promise<RuntimeHandle['client']> {
    return (await this.ensureProcess()).client;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** True when the runtime in use was launched by VS Code's debugger. */
  get debugging(): boolean {
    return this.process instanceof AttachedRuntime;
  }

  /**
   * Uses the runtime the debugger launched on `socketPath` from now on: a runtime started here is stopped first
   * (leaving the arm safe), then this waits until the new one listens. Calls made meanwhile wait for it too.
   */
  attach(socketPath: string, signal?: AbortSignal): Promise<void> {
    const attaching = (async () => {
      await this.starting?.catch(() => undefined);
      await this.stop();
      this.log.info(`waiting for the runtime started by the debugger (socket ${socketPath})`);
      const handle = await AttachedRuntime.attach(socketPath, { signal });
      return this.adopt(handle);
    })();
    const guarded: Promise<RuntimeHandle> = attaching.finally(() => {
      if (this.starting === guarded) this.starting = undefined;
    });
    guarded.catch(() => undefined); // the caller gets the error through the promise returned below
    this.starting = guarded;
    return attaching.then(() => undefined);
  }

  /** Calls the runtime (started if needed). */
  async call<M extends RuntimeMethod>(
    method: M,
    params: RuntimeMethods[M]['params'],
  ): Promise<RuntimeMethods[M]['result']> {
    return (await this.client()).call(method, params);
  }

  status(): RuntimeStatus | undefined {
    return this.lastStatus;
  }

  onEvent<E extends RuntimeEventName>(event: E, listener: (data: RuntimeEvents[E]) => void): vscode.Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (data: never) => void);
    return new vscode.Disposable(() => set.delete(listener as (data: never) => void));
  }

  requestFrames(owner: object, fps: number): void {
    if (fps > 0) this.frameWants.set(owner, fps);
    else this.frameWants.delete(owner);
    void this.applyFrameRate();
  }

  command(name: EpisodeCommand): Promise<void> {
    return this.runCommand(name);
  }

  /** Asks the runtime to leave the arm safe and exit; kills it if it does not. */
  async stop(): Promise<void> {
    const p = this.process;
    if (!p) return;
    this.stopping = true;
    this.crashWatch?.expectExit();
    try {
      await p.stop();
    } finally {
      this.stopping = false;
    }
  }

  dispose(): void {
    void this.stop();
    this.log.dispose();
  }

  private ensureProcess(): Promise<RuntimeHandle> {
    if (this.process) return Promise.resolve(this.process);
    this.starting ??= this.startProcess().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startProcess(): Promise<RuntimeHandle> {
    const workspace = this.workspace() ?? this.extensionPath;
    this.log.info(`starting the runtime (workspace ${workspace})`);
    const p = await RuntimeProcess.start({
      command: process.execPath,
      args: [join(this.extensionPath, 'dist', 'runtime.js')],
      workspace,
      // VS Code's own Node: run it as plain Node, not as another Electron app.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      onLog: (line) => this.log.info(line),
    });
    return this.adopt(p);
  }

  private async adopt(p: RuntimeHandle): Promise<RuntimeHandle> {
    this.process = p;
    this.log.info(
      p instanceof AttachedRuntime
        ? `attached to the debugged runtime (socket ${p.client.socketPath})`
        : `runtime ready (pid ${p.pid}, socket ${p.client.socketPath})`,
    );
    for (const event of FORWARDED_EVENTS) {
      p.client.on(event, (data) => this.dispatch(event, data));
    }
    if (p instanceof RuntimeProcess) {
      const watch = (this.crashWatch = new RuntimeCrashWatch(p, { armPort: this.armPort }));
      void watch.crashed.then((report) => {
        if (report) void this.crashed(report);
      });
    }
    void p.exited.then((code) => this.exited(p, code));
    await this.applyFrameRate();
    // An attached runtime may already be past its first state event; ask.
    if (p instanceof AttachedRuntime) this.dispatch('state', await p.client.call('status', {}));
    return p;
  }

  private dispatch<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'state') {
      this.lastStatus = data as RuntimeStatus;
      this.publishPhase(this.lastStatus);
    }
    if (event === 'warning') this.log.warn((data as RuntimeEvents['warning']).message);
    if (event === 'tick')
      for (const m of this.budget.check(data as RuntimeEvents['tick'], this.lastStatus?.fps ?? 0)) this.log.warn(m);
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (d: RuntimeEvents[E]) => void)(data);
      } catch (err) {
        this.log.error(`a ${event} listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private exited(p: RuntimeHandle, code: number | null): void {
    if (this.process !== p) return;
    this.process = undefined;
    // Listeners see the runtime go as an idle state, whatever the cause.
    this.dispatch('state', { phase: 'idle', models: [], droppedTelemetry: 0 });
    this.lastStatus = undefined;
    if (p instanceof AttachedRuntime) {
      this.log.info(
        'the debugged runtime ended (its debug session stopped); the next command starts a runtime of its own',
      );
      return;
    }
    if (this.stopping) this.log.info(`runtime stopped (exit code ${code})`);
    // Otherwise the crash watch reports it, once the arm is made safe.
  }

  /** The runtime died on its own (RuntimeCrashWatch made a serial arm limp, or tried): tell the user, offer a restart. */
  private async crashed(report: RuntimeCrashReport): Promise<void> {
    this.log.error(report.message);
    const pick = await vscode.window.showErrorMessage(report.message, ...report.actions);
    if (pick === SHOW_RUNTIME_LOG_ACTION) this.log.show();
    if (pick === RESTART_RUNTIME_ACTION) {
      try {
        await this.client();
        this.log.info('runtime restarted; the next episode command connects the arm again');
      } catch (err) {
        void vscode.window.showErrorMessage(
          `SO-100: the runtime did not restart: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  private async applyFrameRate(): Promise<void> {
    const p = this.process;
    if (!p) return;
    const fps = Math.max(0, ...this.frameWants.values());
    await p.client
      .call('subscribe', { frameFps: fps })
      .catch((err: unknown) => this.log.warn(`frame subscription: ${String(err)}`));
  }

  private publishPhase(status: RuntimeStatus): void {
    void vscode.commands.executeCommand('setContext', RUNTIME_PHASE_CONTEXT_KEY, status.phase);
    void vscode.commands.executeCommand('setContext', EVALUATION_RUNNING_CONTEXT_KEY, status.evaluation !== undefined);
  }
}
