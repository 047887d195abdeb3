// Starts and stops the inference server for the commands: settings → supervisor, with progress, the log
// channel, the status bar item and the `so100.serverState` context key kept in step with its state.
import * as vscode from 'vscode';
import { ServerSupervisor } from '../../io/process/serverSupervisor';
import { ServerStartAbortedError, ServerStartError } from '../../io/process/serverErrors';
import type { PidRegistry } from '../../io/process/pidRegistry';
import type { ServerState } from '../../io/process/serverSpec';
import type { LabContext } from '../common/labContext';
import type { ServerLogChannel } from './serverLogChannel';
import type { ServerStatusItem } from './serverStatusItem';
import {
  needsFreePort,
  readServerSettings,
  serverSpecFor,
  ServerSettingsError,
  type ServerSettings,
} from './serverSettings';
import { freePort } from '../../io/net/freePort';
import { join } from 'node:path';
import {
  modelNamed,
  untrustedMessage,
  untrustedRefusals,
  untrustedServerSettingRefusal,
  type TrustRefusal,
} from '../../core/config';
import type { RuntimeModelEndpoint } from '../../core/rpc';
import { modelServerSpec, needsFreePort as needsModelPort } from '../../io/process/modelServerSpec';
import type { ServerSpec } from '../../io/process/serverSpec';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';
import { withApiKey } from './modelApiKeys';
import type { DisposableScope } from '../common/disposableScope';

/** A policy server the runtime can connect to. */
export interface ReadyServer {
  readonly model: string;
  readonly endpoint: RuntimeModelEndpoint;
}

type Target =
  | {
      readonly kind: 'remote';
      readonly model: string;
      readonly endpoint: RuntimeModelEndpoint;
      readonly apiKeyEnv?: string;
    }
  | { readonly kind: 'spec'; readonly model: string; readonly spec: () => Promise<ServerSpec> };

export const SERVER_STATE_CONTEXT_KEY = 'so100.serverState';

export class ServerController {
  private supervisor: ServerSupervisor | undefined;
  private history: ServerState[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  /** Fires on every state change of the current server. */
  readonly onDidChangeState = this.stateChanged.event;
  /** The server scope of the model swapped away from, alive until retirePrevious(). */
  private previous: DisposableScope | undefined;
  private runningModel: string | undefined;

  constructor(
    private readonly lab: LabContext,
    private readonly log: ServerLogChannel,
    private readonly status: ServerStatusItem,
    private readonly registry: PidRegistry,
    private readonly config: WorkspaceConfig,
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
    await this.ensureReady();
  }

  /**
   * The running server of `model` (default: the config's active model), starting it — or replacing a server of
   * another model — when needed. Resolves undefined when it could not be had; the user has been told why.
   * With no so100.json the `so100.server.*` settings describe the one server.
   */
  ensureReady(model?: string, options: { readonly keepPrevious?: boolean } = {}): Promise<ReadyServer | undefined> {
    // One at a time: a Run Episode during a Start Server waits for it instead of starting a second server.
    const run = this.queue.then(() => this.ensureReadyNow(model, options.keepPrevious ?? false));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the server a swap kept running until the runtime had switched away from it. */
  async retirePrevious(): Promise<void> {
    const old = this.previous;
    this.previous = undefined;
    await old?.disposeAsync();
  }

  private async ensureReadyNow(model: string | undefined, keepPrevious: boolean): Promise<ReadyServer | undefined> {
    const target = this.target(model);
    if (!target) return undefined;
    if (target.kind === 'remote') {
      const endpoint = await withApiKey(
        this.lab.vscodeContext.secrets,
        target.model,
        target.endpoint,
        target.apiKeyEnv,
        (line) => this.log.error(line),
      );
      return endpoint && { model: target.model, endpoint };
    }
    const sup = this.supervisor;
    if (sup && this.runningModel === target.model && ['starting', 'ready', 'restarting'].includes(sup.state)) {
      if (sup.state !== 'ready') await sup.start().catch(() => undefined); // joins the start in progress
      return this.ready();
    }
    let spec: ServerSpec;
    try {
      spec = await target.spec();
    } catch (err) {
      if (err instanceof ServerSettingsError) {
        this.settingsProblem(err);
        return undefined;
      }
      throw err;
    }
    await this.startSpec(spec, target.model, keepPrevious);
    return this.ready();
  }

  /** The model whose server runs (or last ran). */
  get model(): string | undefined {
    return this.runningModel;
  }

  private ready(): ReadyServer | undefined {
    const sup = this.supervisor;
    if (!sup || sup.state !== 'ready' || this.runningModel === undefined) return undefined;
    return {
      model: this.runningModel,
      endpoint: { url: `ws://${sup.spec.host}:${sup.spec.port}`, protocol: sup.spec.protocol },
    };
  }

  /** What to run for `model`: from so100.json when the workspace has one, else from the settings. */
  private target(model: string | undefined): Target | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const cfg = this.config.fromFile ? this.config.current : undefined;
    if (cfg) {
      const name = model ?? cfg.activeModel;
      const m = modelNamed(cfg.models, name);
      if (!m) {
        void vscode.window.showErrorMessage(
          `SO-100: so100.json has no model "${name}" (models: ${Object.keys(cfg.models).join(', ')}).`,
        );
        return undefined;
      }
      if (m.kind === 'remote')
        return {
          kind: 'remote',
          model: name,
          endpoint: { url: m.url, protocol: m.protocol },
          apiKeyEnv: m.apiKeyEnv,
        };
      const refused = untrustedRefusals(
        { ...cfg, converter: { ...cfg.converter, module: undefined } },
        vscode.workspace.isTrusted,
        name,
      );
      if (refused.length) return this.untrusted(refused);
      return {
        kind: 'spec',
        model: name,
        spec: async () =>
          modelServerSpec(name, m, {
            so100: {
              command: process.execPath,
              args: [join(this.lab.vscodeContext.extensionPath, 'dist', 'cli.js')],
              env: { ELECTRON_RUN_AS_NODE: '1' },
            },
            freePort: needsModelPort(m) ? await freePort(m.kind === 'command' ? m.host : '127.0.0.1') : 0,
            workspaceFolder: folder?.uri.fsPath,
          }),
      };
    }
    let settings: ServerSettings;
    try {
      settings = readServerSettings(folder);
    } catch (err) {
      if (err instanceof ServerSettingsError) {
        this.settingsProblem(err);
        return undefined;
      }
      throw err;
    }
    const refused = untrustedServerSettingRefusal(settings.kind, vscode.workspace.isTrusted);
    if (refused) return this.untrusted([refused]);
    const name = model ?? (settings.kind === 'builtin' ? settings.builtinProfile : 'server');
    return {
      kind: 'spec',
      model: name,
      spec: async () => {
        const port = needsFreePort(settings) ? await freePort(settings.host) : 0;
        return serverSpecFor(settings, {
          extensionPath: this.lab.vscodeContext.extensionPath,
          freePort: port,
          workspaceFolder: folder?.uri.fsPath,
        });
      },
    };
  }

  private untrusted(refusals: readonly TrustRefusal[]): undefined {
    // Workspace Trust: a configured command may come from a repository the user just cloned.
    const msg = `SO-100: ${untrustedMessage(refusals)}`;
    this.log.warn(msg);
    void vscode.window.showWarningMessage(msg, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return undefined;
  }

  private async startSpec(spec: ServerSpec, model: string, keepPrevious: boolean): Promise<void> {
    await this.retirePrevious();
    let scope;
    if (keepPrevious) {
      this.previous = this.lab.detachServerScope();
      scope = this.lab.server;
    } else {
      scope = await this.lab.renewServerScope();
    }
    const supervisor = new ServerSupervisor(spec, { pidRegistry: this.registry });
    this.supervisor = supervisor;
    this.runningModel = model;
    this.history = [];
    scope.add(supervisor.onLog((line) => this.log.append(line)));
    scope.add(
      supervisor.onStateChange((state) => {
        this.history.push(state);
        this.publish(state);
      }),
    );
    // Ending the server scope (a new start, deactivate) must not leave this child running.
    scope.add(() => supervisor.stop());
    this.publish(supervisor.state);

    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `SO-100: starting the ${spec.name} inference server`,
        cancellable: true,
      },
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
    await this.retirePrevious();
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
    void vscode.window
      .showErrorMessage(`SO-100: ${headline}${advice ? ` ${advice}` : ''}`, 'Show Server Log', 'Open Settings')
      .then((pick) => {
        if (pick === 'Show Server Log') this.log.show();
        if (pick === 'Open Settings')
          void vscode.commands.executeCommand('workbench.action.openSettings', 'so100.server');
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
    const problem =
      error instanceof ServerStartError && error.advice.length > 0
        ? `${error.message.split('\n')[0]} ${error.advice.join(' ')}`
        : error?.message.split('\n')[0];
    this.status.show(state, {
      serverName: sup?.spec.name,
      endpoint: sup ? `${sup.spec.host}:${sup.spec.port}` : undefined,
      problem,
    });
    void vscode.commands.executeCommand('setContext', SERVER_STATE_CONTEXT_KEY, state);
    this.stateChanged.fire(state);
  }
}
