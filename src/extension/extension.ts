// Entry point: wires the config, the inference server, the runtime and the commands; nothing else lives here.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { PidRegistry } from '../io/process/pidRegistry';
import { registerDashboard } from './dashboard/dashboardPanel';
import { LabContext } from './common/labContext';
import { ServerController } from './server/serverController';
import { registerSetApiKeyCommand } from './server/modelApiKeys';
import { ServerLogChannel } from './server/serverLogChannel';
import { ServerStatusItem } from './server/serverStatusItem';
import { EpisodeCommands } from './episode/episodeCommands';
import { registerExportDataset } from './export/exportDatasetCommand';
import { RuntimeController } from './runtime/runtimeController';
import { registerConverterTools } from './converter/converterTools';
import { registerCalibrateArm } from './calibration/calibrateArmCommand';
import { registerOpenRecordedTick } from './inspector/recordedTickCommand';
import { registerOpenEpisode } from './viewer/openEpisodeCommand';
import { registerReplayEpisode } from './replay/replayEpisodeCommand';
import { registerEvaluationCommands } from './evaluation/evaluationCommands';
import { WorkspaceConfig } from './workspace/workspaceConfig';
import { LabTreeView } from './sidebar/labTreeView';
import { RuntimeStatusItem } from './runtime/runtimeStatusItem';
import { ProgressSource } from './runtime/episodeProgress';
import { testApiFor, type So100Api } from './testApi';
import { isSimulatedArm } from '../core/config';

export type { So100Api } from './testApi';

let lab: LabContext | undefined;

/** Returns the test API only when VS Code runs the extension's own tests (ExtensionMode.Test). */
export async function activate(context: vscode.ExtensionContext): Promise<So100Api | undefined> {
  const ctx = new LabContext(context);
  lab = ctx;
  const log = ctx.extension.add(new ServerLogChannel());
  const status = ctx.extension.add(new ServerStatusItem());
  const registry = new PidRegistry(join(context.globalStorageUri.fsPath, 'servers.json'));
  const config = ctx.extension.add(new WorkspaceConfig((line) => log.note(line)));
  const server = new ServerController(ctx, log, status, registry, config);
  ctx.extension.add(
    registerSetApiKeyCommand(
      context.secrets,
      () => (config.fromFile ? config.current : undefined),
      (line) => log.note(line),
    ),
  );
  ctx.extension.add(() => server.stop());
  // Declared before the commands it calls back into; the commands exist by the time a panel can ask.
  let episodes: EpisodeCommands | undefined;
  const runtime = new RuntimeController(
    context.extensionPath,
    () => config.folder,
    (name) => episodes?.execute(name) ?? Promise.resolve(),
    () => (isSimulatedArm(config.current.robot) ? undefined : config.current.robot.port),
  );
  ctx.extension.add(() => runtime.stop());
  ctx.extension.add(runtime.log);
  episodes = ctx.extension.add(new EpisodeCommands(config, server, runtime));
  // One source of an episode's progress for the status bar, the side bar and the Dashboard.
  const progress = new ProgressSource(runtime);
  ctx.extension.add(() => progress.dispose());
  ctx.extension.add(new RuntimeStatusItem(runtime, progress));
  const tree = ctx.extension.add(new LabTreeView(runtime, progress, server, config));
  ctx.extension.add(vscode.commands.registerCommand('so100.refreshLab', () => tree.refresh()));
  ctx.extension.add(registerConverterTools(context, runtime, config));
  ctx.extension.add(registerCalibrateArm(context.extensionUri, runtime, config));
  ctx.extension.add(registerOpenRecordedTick(context.extensionUri, runtime, config));
  ctx.extension.add(registerOpenEpisode(context.extensionUri, config));
  ctx.extension.add(registerReplayEpisode(runtime, server, config));
  ctx.extension.add(registerEvaluationCommands(context.extensionUri, runtime, config));
  // Awaited before activate returns: a Run Episode that activated the extension must see so100.json, not the default.
  const configLoaded = config
    .load()
    .catch((err) => log.warn(`could not read so100.json: ${err instanceof Error ? err.message : String(err)}`));

  ctx.extension.add(vscode.commands.registerCommand('so100.startServer', () => server.start()));
  ctx.extension.add(vscode.commands.registerCommand('so100.stopServer', () => server.stop()));
  ctx.extension.add(vscode.commands.registerCommand('so100.showServerLog', () => log.show()));
  ctx.extension.add(registerDashboard(context, runtime, { progress }));
  ctx.extension.add(registerExportDataset(context.extensionPath));

  ctx.extension.add(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('so100.server')) server.settingsChanged();
    }),
  );

  // Servers left behind by a VS Code that crashed or was killed: stop them before anyone starts a new one.
  registry.stopOrphans().then(
    (pids) => {
      if (pids.length > 0)
        log.note(`stopped ${pids.length} orphaned server(s) from an earlier session: pid ${pids.join(', ')}`);
    },
    (err: unknown) =>
      log.warn(`could not check for orphaned servers: ${err instanceof Error ? err.message : String(err)}`),
  );

  await configLoaded;
  return testApiFor(context, {
    serverState: () => server.state,
    serverPort: () => server.port,
    serverPid: () => server.pid,
    stateHistory: () => server.stateHistory,
    logDirectory: () => context.logUri.fsPath,
    runtimePhase: () => runtime.status()?.phase ?? 'idle',
    runtimePid: () => runtime.pid,
    runtimeFps: () => runtime.status()?.fps,
    runtimeModel: () => runtime.status()?.activeModel,
    lastEpisode: () => episodes?.lastEpisode,
    reloadConfig: () => config.load(),
    labTree: () => tree.snapshot(),
  });
}

/** Stops the server (escalating signals) before the extension host goes away. */
export async function deactivate(): Promise<void> {
  const ctx = lab;
  lab = undefined;
  await ctx?.disposeAsync();
}
