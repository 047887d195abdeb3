// Entry point: wires the inference-server commands, status bar item and log channel; nothing else lives here.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { PidRegistry } from '../io/process/pidRegistry';
import type { ServerState } from '../io/process/serverSpec';
import { registerDashboard } from './dashboardPanel';
import { LabContext } from './labContext';
import { offlineTelemetrySource } from './offlineTelemetrySource';
import { ServerController } from './serverController';
import { ServerLogChannel } from './serverLogChannel';
import { ServerStatusItem } from './serverStatusItem';

/** What activate() returns; used by the extension-host tests, stable enough for other extensions to read. */
export interface So100Api {
  serverState(): ServerState;
  serverPort(): number | undefined;
  serverPid(): number | undefined;
  /** Server states since the last start, oldest first. */
  stateHistory(): readonly ServerState[];
  /** The folder VS Code keeps this extension's logs in (the output channel's file lies under its parent). */
  logDirectory(): string;
}

let lab: LabContext | undefined;

/** For the extension-host tests, which drive the dashboard with their own TelemetrySource. */
export { DashboardPanel } from './dashboardPanel';

export function activate(context: vscode.ExtensionContext): So100Api {
  const ctx = new LabContext(context);
  lab = ctx;
  const log = ctx.extension.add(new ServerLogChannel());
  const status = ctx.extension.add(new ServerStatusItem());
  const registry = new PidRegistry(join(context.globalStorageUri.fsPath, 'servers.json'));
  const server = new ServerController(ctx, log, status, registry);
  ctx.extension.add(() => server.stop());

  ctx.extension.add(vscode.commands.registerCommand('so100.startServer', () => server.start()));
  ctx.extension.add(vscode.commands.registerCommand('so100.stopServer', () => server.stop()));
  ctx.extension.add(vscode.commands.registerCommand('so100.showServerLog', () => log.show()));
  ctx.extension.add(registerDashboard(context, offlineTelemetrySource()));

  ctx.extension.add(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('so100.server')) server.settingsChanged();
  }));

  // Servers left behind by a VS Code that crashed or was killed: stop them before anyone starts a new one.
  registry.stopOrphans().then(
    (pids) => { if (pids.length > 0) log.note(`stopped ${pids.length} orphaned server(s) from an earlier session: pid ${pids.join(', ')}`); },
    (err: unknown) => log.warn(`could not check for orphaned servers: ${err instanceof Error ? err.message : String(err)}`),
  );

  return {
    serverState: () => server.state,
    serverPort: () => server.port,
    serverPid: () => server.pid,
    stateHistory: () => server.stateHistory,
    logDirectory: () => context.logUri.fsPath,
  };
}

/** Stops the server (escalating signals) before the extension host goes away. */
export async function deactivate(): Promise<void> {
  const ctx = lab;
  lab = undefined;
  await ctx?.disposeAsync();
}
