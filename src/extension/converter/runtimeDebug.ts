// The `so100` debug type: a launch configuration that VS Code's JavaScript debugger runs as a `node` launch of the
// runtime (dist/runtime.js), with source maps on, so breakpoints in the user's converter module hit. Once the
// debugged runtime listens, the RuntimeController attaches to its socket and every command uses it. "Debug
// Episode" does both and then runs an episode.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeSocketPath } from '../../runtime/rpc/socketPath';
import type { RuntimeController } from '../runtime/runtimeController';

export const SO100_DEBUG_TYPE = 'so100';
/** Carried through the resolved `node` configuration so the started session can be recognised. */
export const RUNTIME_SOCKET_KEY = '__so100RuntimeSocket';

export const INITIAL_DEBUG_CONFIGURATION: vscode.DebugConfiguration = {
  type: SO100_DEBUG_TYPE,
  request: 'launch',
  name: 'SO-100: Debug Runtime',
};

export class RuntimeDebug implements vscode.DebugConfigurationProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, AbortController>();
  private nextAttach: ((attached: Promise<void>) => void) | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly runtime: RuntimeController,
  ) {
    this.disposables.push(
      vscode.debug.registerDebugConfigurationProvider(SO100_DEBUG_TYPE, this),
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const socket = socketOf(s);
        if (!socket) return;
        this.pending.get(socket)?.abort();
        this.pending.delete(socket);
      }),
      vscode.commands.registerCommand('so100.debugEpisode', () => this.debugEpisode()),
    );
  }

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ ...INITIAL_DEBUG_CONFIGURATION }];
  }

  /** `{ "type": "so100", "request": "launch" }` → a `node` launch of the runtime; undefined (refused) when untrusted. */
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    // F5 without a launch.json while our debugger is the one picked: the default configuration.
    const c = !config.type && !config.request && !config.name ? { ...INITIAL_DEBUG_CONFIGURATION } : config;
    if (c.type !== SO100_DEBUG_TYPE) return c;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'SO-100: this workspace is not trusted, so the runtime (and your converter module) is not started under the debugger. Trust the workspace first.',
      );
      return undefined;
    }
    const workspace = folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!workspace) {
      void vscode.window.showErrorMessage(
        'SO-100: open the folder with so100.json first; the runtime resolves its paths there.',
      );
      return undefined;
    }
    const program = join(this.extensionPath, 'dist', 'runtime.js');
    if (!existsSync(program)) {
      void vscode.window.showErrorMessage(`SO-100: ${program} is missing; build the extension (npm run build).`);
      return undefined;
    }
    const socket = runtimeSocketPath();
    return {
      type: 'node',
      request: 'launch',
      name: typeof c.name === 'string' ? c.name : INITIAL_DEBUG_CONFIGURATION.name,
      program,
      // No stdin from us under the debugger: the runtime watches this extension host's pid instead.
      args: ['--socket', socket, '--workspace', workspace, '--parent-pid', String(process.pid), '--no-stdin-lifeline'],
      cwd: workspace,
      runtimeExecutable: process.execPath,
      env: { ELECTRON_RUN_AS_NODE: '1' },
      sourceMaps: true,
      // The user's module is compiled next to itself with an inline map; the runtime's own maps lie in dist/.
      resolveSourceMapLocations: [`${workspace}/**`, `${this.extensionPath}/dist/**`, '!**/node_modules/**'],
      skipFiles: ['<node_internals>/**'],
      console: 'internalConsole',
      outputCapture: 'std',
      [RUNTIME_SOCKET_KEY]: socket,
    };
  }

  /** Starts the runtime under the debugger, waits until it is attached, then runs an episode on it. */
  async debugEpisode(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'SO-100: Debug Episode runs your converter module, which never happens in an untrusted workspace. Trust the workspace first.',
      );
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const attachedPromise = new Promise<Promise<void>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.nextAttach = undefined;
        reject(new Error('the debug session did not start within 30 s'));
      }, 30_000);
      this.nextAttach = (attached) => {
        clearTimeout(timer);
        resolve(attached);
      };
    });
    const started = await vscode.debug.startDebugging(folder, {
      ...INITIAL_DEBUG_CONFIGURATION,
      name: 'SO-100: Debug Episode',
    });
    if (!started) {
      this.nextAttach = undefined;
      return;
    }
    try {
      await await attachedPromise;
    } catch (err) {
      void vscode.window.showErrorMessage(
        `SO-100: the debugged runtime did not come up: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    await vscode.commands.executeCommand('so100.runEpisode');
  }

  dispose(): void {
    for (const a of this.pending.values()) a.abort();
    for (const d of this.disposables) d.dispose();
  }

  private started(session: vscode.DebugSession): void {
    const socket = socketOf(session);
    // js-debug starts a child session for the process; both carry the configuration: attach once.
    if (!socket || this.pending.has(socket)) return;
    const abort = new AbortController();
    this.pending.set(socket, abort);
    const attached = this.runtime.attach(socket, abort.signal);
    attached.catch((err: unknown) =>
      this.runtime.log.error(`attaching to the debugged runtime: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.nextAttach?.(attached);
    this.nextAttach = undefined;
  }
}

function socketOf(session: vscode.DebugSession): string | undefined {
  const v: unknown = session.configuration[RUNTIME_SOCKET_KEY];
  return typeof v === 'string' ? v : undefined;
}
