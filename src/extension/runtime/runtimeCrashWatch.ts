// What the extension host does when the runtime process dies on its own: a serial arm it drove still has torque on,
// so the host opens the port afresh and turns it off (or says why it could not), then offers a restart. Kept free of
// the vscode API so it runs, and is tested, against a real runtime child process.
import type { RuntimePhase, RuntimeStatus } from '../../core/rpc';
import { torqueOffByPort, type TorqueOffOutcome } from '../../io/robot/torqueOffByPort';

/** The notification's buttons, in order. */
export const RESTART_RUNTIME_ACTION = 'Restart Runtime';
export const SHOW_RUNTIME_LOG_ACTION = 'Show Runtime Log';
export type RuntimeCrashAction = typeof RESTART_RUNTIME_ACTION | typeof SHOW_RUNTIME_LOG_ACTION;

export interface RuntimeCrashReport {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The serial port the host made safe (or tried to); undefined for the simulator, which died with the runtime. */
  readonly port: string | undefined;
  /** true: torque off confirmed on all six servos; false: not (the message says what to do); undefined: no serial arm. */
  readonly armLimp: boolean | undefined;
  /** The error notification's text. */
  readonly message: string;
  readonly actions: readonly RuntimeCrashAction[];
}

/** The parts of a runtime handle this watch needs (a RuntimeProcess has them). */
export interface WatchedRuntime {
  readonly client: { on(event: 'state', listener: (status: RuntimeStatus) => void): unknown };
  readonly exited: Promise<number | null>;
  readonly child?: { readonly signalCode: NodeJS.Signals | null };
}

export interface RuntimeCrashWatchOptions {
  /** The configured arm's serial port; undefined for the simulator. Read at the crash, not before. */
  readonly armPort: () => string | undefined;
  readonly torqueOff?: (port: string) => Promise<TorqueOffOutcome>;
}

/** Phases in which the runtime holds the arm with torque on. */
const HOLDS_ARM: readonly RuntimePhase[] = ['connecting', 'connected', 'running', 'paused', 'resetting'];

/** Watches one runtime: its phase from state events, and its exit. */
export class RuntimeCrashWatch {
  private phase: RuntimePhase = 'idle';
  private expected = false;
  /** The report when the runtime exited without being asked to; undefined when its exit was expected. */
  readonly crashed: Promise<RuntimeCrashReport | undefined>;

  constructor(
    runtime: WatchedRuntime,
    private readonly options: RuntimeCrashWatchOptions,
  ) {
    runtime.client.on('state', (s) => {
      this.phase = s.phase;
    });
    this.crashed = runtime.exited.then((code) =>
      this.expected ? undefined : this.respond(code, runtime.child?.signalCode ?? null),
    );
  }

  /** The host is stopping the runtime: its exit is no crash. */
  expectExit(): void {
    this.expected = true;
  }

  private async respond(exitCode: number | null, signal: NodeJS.Signals | null): Promise<RuntimeCrashReport> {
    const port = HOLDS_ARM.includes(this.phase) ? this.options.armPort() : undefined;
    let armLimp: boolean | undefined;
    let arm = '';
    if (port !== undefined) {
      try {
        const { failed } = await (this.options.torqueOff ?? torqueOffByPort)(port);
        armLimp = failed.length === 0;
        arm = armLimp
          ? ` The arm on ${port} was made limp (torque off on all six servos).`
          : ` ${failed.join(', ')} on ${port} did not confirm torque off: switch the arm's power off.`;
      } catch (err) {
        armLimp = false;
        arm = ` The arm on ${port} could not be reached to turn its torque off (${err instanceof Error ? err.message : String(err)}): switch its power off.`;
      }
    }
    const how = signal !== null ? `killed by ${signal}` : `exit code ${exitCode}`;
    const message = `SO-100: the runtime stopped unexpectedly (${how}).${arm} Restart it to go on.`;
    return { exitCode, signal, port, armLimp, message, actions: [RESTART_RUNTIME_ACTION, SHOW_RUNTIME_LOG_ACTION] };
  }
}
