// Starts and stops the inference server for the commands: settings → supervisor, with progress, the log
// channel, the status bar item and the `so100.serverState` context key kept in step with its state.
import * as vscode from 'vscode';
import { ServerSupervisor } from '../io/process/serverSupervisor';
import { ServerStartAbortedError, ServerStartError } from '../io/process/serverErrors';
import type { PidRegistry } from '../io/process/pidRegistry';
import type { ServerState } from '../io/process/serverSpec';
import type { LabContext } from './labContext';
import type { ServerLogChannel } from './serverLogChannel';
import type { ServerStatusItem } from './serverStatusItem';
import { needsFreePort, readServerSettings, serverSpecFor, ServerSettingsError } from './serverSettings';
import { freePort } from '../io/net/freePort';

export const SERVER_STATE_CONTEXT_KEY = 'so100.serverState';

export class ServerController {
  private supervisor: ServerSupervisor | undefined;
  private history: ServerState[] = [];
  private busy = false;

  constructor(
    private readonly lab: LabContext,
    private readonly log: ServerLogChannel,
    private readonly status: ServerStatusItem,
    private readonly registry: PidRegistry,
  ) {
    this.publish('stopped');
  }

  get state(): ServerState {
    return this.supervisor?.state ?? 'stopped';
  }

  /** Where the current (or last) server listens. */
  get port(): number | undefined {
    return this.supervisor?.spec.port;
  }

  get pid(): number | undefined {
    return this.supervisor?.pid;
  }

  /** States since the last start, oldest first. */
  get stateHistory(): readonly ServerState[] {
    return [...this.history];
  }

  /**
   * Starts the configured server and resolves once it is ready, failed, or the user cancelled. Problems
   * the user can fix (settings, trust) are shown as messages; nothing is thrown at the command.
   */
  async start(): Promise<void> {
    if (this.busy || ['starting', 'ready', 'restarting', 'stopping'].includes(this.state)) return;
    this.busy = true;
    try {
      await this.startOnce();
    } finally {
      this.busy = false;
    }
  }

  private async startOnce(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    let settings;
    try {
      settings = readServerSettings(folder);
    } catch (err) {
      if (err instanceof ServerSettingsError) return this.settingsProblem(err);
      throw err;
    }
    if (settings.kind === 'command' && !vscode.workspace.isTrusted) {
      // Workspace Trust: a configured command may come from a repository the user just cloned.
      const msg = 'SO-100: this workspace is not trusted, so the configured server command (so100.server.command) ' +
        'is not run. Trust the workspace, or set so100.server.kind to "builtin" to use the built-in server.';
      this.log.warn(msg);
      void vscode.window.showWarningMessage(msg, 'Manage Workspace Trust').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return;
    }
    let spec;
    try {
      const port = needsFreePort(settings) ? await freePort(settings.host) : 0;
      spec = serverSpecFor(settings, {
        extensionPath: this.lab.vscodeContext.extensionPath,
        freePort: port,
        workspaceFolder: folder?.uri.fsPath,
      });
    } catch (err) {
      if (err instanceof ServerSettingsError) return this.settingsProblem(err);
      throw err;
    }

    const scope = await this.lab.renewServerScope();
    const supervisor = new ServerSupervisor(spec, { pidRegistry: this.registry });
    this.supervisor = supervisor;
    this.history = [];
    scope.add(supervisor.onLog((line) => this.log.append(line)));
    scope.add(supervisor.onStateChange((state) => {
      this.history.push(state);
      this.publish(state);
    }));
    // Ending the server scope (a new start, deactivate) must not leave this child running.
    scope.add(() => supervisor.stop());
    this.publish(supervisor.state);

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SO-100: starting the ${spec.name} inference server`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          await supervisor.start(abort.signal);
        } catch (err) {
          this.startFailed(err);
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /** Stops the server (whole process group) and resolves once it is reaped. No-op when none runs. */
  async stop(): Promise<void> {
    await this.supervisor?.stop();
  }

  /** Server settings changed while a server runs: they apply from the next start, so offer a restart. */
  settingsChanged(): void {
    if (!['starting', 'ready', 'restarting'].includes(this.state)) return;
    const msg = 'SO-100: the server settings changed; they apply when the inference server is started again.';
    this.log.note(msg);
    void vscode.window.showInformationMessage(msg, 'Restart Server').then(async (pick) => {
      if (!pick) return;
      await this.stop();
      await this.start();
    });
  }

  private startFailed(err: unknown): void {
    if (err instanceof ServerStartAbortedError) {
      this.log.note(err.message);
      return;
    }
    const text = err instanceof Error ? err.message : String(err);
    this.log.error(text);
    const headline = text.split('\n')[0];
    const advice = err instanceof ServerStartError ? err.advice.join(' ') : '';
    void vscode.window.showErrorMessage(`SO-100: ${headline}${advice ? ` ${advice}` : ''}`, 'Show Server Log', 'Open Settings')
      .then((pick) => {
        if (pick === 'Show Server Log') this.log.show();
        if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'so100.server');
      });
  }

  private settingsProblem(err: ServerSettingsError): void {
    this.log.error(err.message);
    void vscode.window.showErrorMessage(`SO-100: ${err.message}`, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', err.key);
    });
  }

  private publish(state: ServerState): void {
    const sup = this.supervisor;
    const error = state === 'failed' ? sup?.lastError : undefined;
    const problem = error instanceof ServerStartError && error.advice.length > 0
      ? `${error.message.split('\n')[0]} ${error.advice.join(' ')}`
      : error?.message.split('\n')[0];
    this.status.show(state, {
      serverName: sup?.spec.name,
      endpoint: sup ? `${sup.spec.host}:${sup.spec.port}` : undefined,
      problem,
    });
    void vscode.commands.executeCommand('setContext', SERVER_STATE_CONTEXT_KEY, state);
  }
}
