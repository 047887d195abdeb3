// The episode commands of the palette: Run Episode, Step, Pause, Resume, Stop, Emergency Stop, Reset, Swap Model,
// Connect Arm, and applying a saved so100.json while connected; they also register Create Config, Open Episode Folder
// and Export Timing CSV (createConfig.ts, episodeFiles.ts). Each turns failures into a message with a next step;
// none throws at the command service.
import * as vscode from 'vscode';
import { modelNamed, type So100Config, isSimulatedArm } from '../../core/config';
import { commandRefusal, type EpisodeSummary } from '../../core/rpc';
import type { RuntimeController } from '../runtime/runtimeController';
import { RuntimeCallError } from '../../runtime/rpc/runtimeClient';
import type { ServerController } from '../server/serverController';
import type { EpisodeCommand } from '../runtime/telemetrySource';
import { CONFIG_FILE_NAME, type WorkspaceConfig } from '../workspace/workspaceConfig';
import { pickArmPort } from './armPortPick';
import { createConfig } from './createConfig';
import { exportTimingCsv, openEpisodeFolder } from './episodeFiles';
import { PolicyTrust } from './policyTrust';

export class EpisodeCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Set by Swap Model: the model the next connect uses instead of the file's activeModel. */
  private modelOverride: string | undefined;
  private last: EpisodeSummary | undefined;
  private readonly trust: PolicyTrust;

  constructor(
    private readonly config: WorkspaceConfig,
    private readonly servers: ServerController,
    private readonly runtime: RuntimeController,
  ) {
    this.trust = new PolicyTrust(() => config.folder, runtime.log);
    const reg = (id: string, fn: (arg?: unknown) => Promise<void> | void) =>
      this.disposables.push(vscode.commands.registerCommand(id, (arg?: unknown) => this.guard(id, () => fn(arg))));
    reg('so100.runEpisode', () => this.run({ paused: false }));
    reg('so100.step', () => this.step());
    reg('so100.pause', () => this.simple('pause'));
    reg('so100.resume', () => this.simple('resume'));
    reg('so100.stop', () => this.simple('stop'));
    reg('so100.reset', () => this.reset());
    reg('so100.emergencyStop', () => this.estop());
    reg('so100.connectArm', (arg) => this.connectArm(typeof arg === 'string' ? arg : undefined));
    reg('so100.disconnectArm', async () => {
      if (this.runtime.running) await this.runtime.call('disconnect', {});
    });
    // From a keybinding or a test: the model's name; from the side bar: its tree node.
    reg('so100.swapModel', (arg) => this.swapModel(typeof arg === 'string' ? arg : modelOfNode(arg)));
    reg('so100.createConfig', () => createConfig(config));
    reg('so100.openEpisodeFolder', () => openEpisodeFolder(config, this.last));
    reg('so100.exportTimingCsv', () => exportTimingCsv(config, this.last));
    reg('so100.showRuntimeLog', () => this.runtime.log.show());
    this.disposables.push(runtime.onEvent('episodeEnded', (s) => this.ended(s)));
    this.disposables.push(
      config.onDidChange(({ next }) => {
        void this.configChanged(next);
      }),
    );
  }

  /** The last finished episode (for tests and the tree view). */
  get lastEpisode(): EpisodeSummary | undefined {
    return this.last;
  }

  /** Runs `name` as the palette does; used by panels' buttons. */
  execute(name: EpisodeCommand): Promise<void> {
    const id = {
      runEpisode: 'so100.runEpisode',
      step: 'so100.step',
      pause: 'so100.pause',
      resume: 'so100.resume',
      stop: 'so100.stop',
      estop: 'so100.emergencyStop',
      reset: 'so100.reset',
    }[name];
    return Promise.resolve(vscode.commands.executeCommand<void>(id));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async guard(id: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.runtime.log.error(`${id}: ${message}`);
      // A converter module that did not load was announced once already, with Show Problem (ConverterDiagnostics).
      if (err instanceof RuntimeCallError && err.remoteName === 'UserConverterError') return;
      void vscode.window.showErrorMessage(`SO-100: ${message}`, 'Show Runtime Log').then((pick) => {
        if (pick) this.runtime.log.show();
      });
    }
  }

  /** The config the next connect uses: the file's (or the default), with the swapped-in model. */
  private effectiveConfig(): So100Config | undefined {
    if (this.config.hasErrors) {
      void vscode.window
        .showErrorMessage(
          `SO-100: ${CONFIG_FILE_NAME} has errors (see the Problems panel); fix them first.`,
          `Open ${CONFIG_FILE_NAME}`,
        )
        .then((pick) => {
          if (pick && this.config.file) void vscode.window.showTextDocument(this.config.file);
        });
      return undefined;
    }
    const config = this.config.current;
    if (this.modelOverride && !modelNamed(config.models, this.modelOverride)) this.modelOverride = undefined;
    return this.modelOverride ? { ...config, activeModel: this.modelOverride } : config;
  }

  /** Connects the runtime (arm, cameras, policy) unless it already is; false when it could not. */
  private async ensureConnected(): Promise<boolean> {
    const phase = this.runtime.status()?.phase ?? 'idle';
    if (phase === 'connected' || phase === 'running' || phase === 'paused') return true;
    const config = this.effectiveConfig();
    if (!config) return false;
    if (!this.trust.allows(config, config.activeModel)) return false;
    // A real port on a platform without the serial driver is refused before a policy server starts (the runtime
    // loads the native driver; the extension host never does).
    if (!isSimulatedArm(config.robot)) {
      await this.runtime.client();
      await this.runtime.call('checkArmDriver', { config });
    }
    const server = await this.servers.ensureReady(config.activeModel);
    if (!server) return false;
    this.trust.announceRemote(config, config.activeModel);
    const title = 'SO-100: connecting the arm and the policy';
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        // Cancel really aborts: the runtime's disconnect ends a connect in progress and closes what it had opened.
        const sub = token.onCancellationRequested(() => {
          this.runtime.log.info('connect cancelled by the user');
          if (this.runtime.running) void this.runtime.call('disconnect', {}).catch(() => undefined);
        });
        try {
          if (!this.runtime.running) {
            progress.report({ message: 'starting the runtime…' });
            await this.runtime.client();
            if (token.isCancellationRequested) return false;
          }
          progress.report({
            message: `${isSimulatedArm(config.robot) ? 'simulated arm' : config.robot.port}, model ${config.activeModel}…`,
          });
          // This machine's ffmpeg is a setting, like its serial port: not something a shared so100.json can know.
          const ffmpegPath =
            vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || undefined;
          await this.runtime.call('connect', { config, endpoints: { [server.model]: server.endpoint }, ffmpegPath });
          return !token.isCancellationRequested;
        } catch (err) {
          if (token.isCancellationRequested) return false; // the user's own cancel, not a failure to report
          throw err;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  private async run({ paused }: { paused: boolean }): Promise<void> {
    const refusal = commandRefusal(
      'runEpisode',
      this.runtime.status()?.phase ?? 'idle',
      this.runtime.status()?.evaluation !== undefined,
    );
    if (refusal) {
      void vscode.window.showInformationMessage(`SO-100: ${refusal}.`);
      return;
    }
    if (!(await this.ensureConnected())) return;
    await this.runtime.call('runEpisode', { startPaused: paused });
  }

  private async step(): Promise<void> {
    const phase = this.runtime.status()?.phase ?? 'idle';
    if (phase === 'running') {
      await this.runtime.call('pause', {});
      return;
    }
    if (phase !== 'paused' && !(await this.ensureConnected())) return;
    await this.runtime.call('step', {});
  }

  private async simple(method: 'pause' | 'resume' | 'stop'): Promise<void> {
    if (!this.runtime.running) {
      void vscode.window.showInformationMessage('SO-100: no episode is running.');
      return;
    }
    await this.runtime.call(method, {});
  }

  private async reset(): Promise<void> {
    if (!(await this.ensureConnected())) return;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SO-100: gliding the arm back to its start pose' },
      async () => {
        await this.runtime.call('reset', {});
      },
    );
  }

  private async estop(): Promise<void> {
    if (!this.runtime.running) {
      void vscode.window.showWarningMessage(
        'SO-100: emergency stop — no arm is connected from this window. If an arm is moving, switch its power off.',
      );
      return;
    }
    const r = await this.runtime.call('estop', {});
    if (r.torqueOff)
      void vscode.window.showWarningMessage(
        'SO-100: emergency stop — torque is off on all six servos. Run an episode (or Reset) to reconnect.',
      );
    else
      void vscode.window.showErrorMessage(
        `SO-100: emergency stop — ${r.failedMotors.join(', ')} did not confirm torque off. Switch the arm's power off now.`,
      );
  }

  /** Quick pick of the configured models with their state; `name` (from a keybinding or a test) skips it. */
  private async swapModel(name?: string): Promise<void> {
    const config = this.effectiveConfig();
    if (!config) return;
    const current = this.runtime.status()?.activeModel ?? config.activeModel;
    if (name !== undefined && !modelNamed(config.models, name)) {
      void vscode.window.showErrorMessage(
        `SO-100: no model "${name}"; configured: ${Object.keys(config.models).join(', ')}.`,
      );
      return;
    }
    const items = Object.entries(config.models).map(([name, m]) => ({
      label: name,
      description:
        m.kind === 'builtin'
          ? `built-in ${m.profile} (${m.protocol})`
          : m.kind === 'remote'
            ? `${m.url} (${m.protocol})`
            : `${m.command} (${m.protocol})`,
      detail:
        name === current
          ? `active · server ${this.servers.model === name ? this.servers.state : 'stopped'}`
          : m.kind === 'remote'
            ? 'remote · started elsewhere'
            : `server ${this.servers.model === name ? this.servers.state : 'stopped'}`,
      picked: name === current,
    }));
    const pick =
      name !== undefined
        ? { label: name }
        : await vscode.window.showQuickPick(items, { title: 'SO-100: Swap Model', placeHolder: `active: ${current}` });
    if (!pick || pick.label === current) return;
    this.modelOverride = pick.label;
    const phase = this.runtime.status()?.phase ?? 'idle';
    if (phase === 'idle' || phase === 'estopped') {
      void vscode.window.showInformationMessage(`SO-100: the next episode uses ${pick.label}.`);
      return;
    }
    // The new server first, then the runtime switches, then the old server goes: no request meets a dead server.
    if (!this.trust.allows(config, pick.label)) return;
    const server = await this.servers.ensureReady(pick.label, { keepPrevious: true });
    if (!server) return;
    this.trust.announceRemote(config, pick.label);
    try {
      await this.runtime.call('swapModel', { model: server.model, endpoint: server.endpoint });
    } finally {
      await this.servers.retirePrevious();
    }
  }

  /**
   * Picks the arm — the simulator or a serial port (adapters that look like the SO-100's board first) — stores it in
   * this machine's `so100.robot.port` setting and connects. `port` (from a test or a keybinding) skips the pick.
   */
  private async connectArm(port?: string): Promise<void> {
    let chosen = port;
    if (chosen === undefined) {
      chosen = await pickArmPort();
      if (chosen === undefined) return;
    }
    await vscode.workspace.getConfiguration('so100.robot').update('port', chosen, vscode.ConfigurationTarget.Global);
    const phase = this.runtime.status()?.phase ?? 'idle';
    if (phase === 'running' || phase === 'paused') {
      void vscode.window.showInformationMessage(
        `SO-100: the arm on ${chosen} is used from the next connect; stop the episode first to switch now.`,
      );
      return;
    }
    if (this.runtime.running && phase !== 'idle') await this.runtime.call('disconnect', {});
    await this.ensureConnected();
  }

  private ended(s: EpisodeSummary): void {
    this.last = s;
    const text = `SO-100: episode ${s.episode} — ${s.success ? 'success' : 'failure'}: ${s.reason} (${s.steps} ticks, ${s.starvedTicks} starved)`;
    this.runtime.log.info(text);
    const actions = s.recordDir ? ['Open Episode Folder', 'Show Dashboard'] : ['Show Dashboard'];
    const show = s.success ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text, ...actions).then((pick) => {
      if (pick === 'Open Episode Folder') void vscode.commands.executeCommand('so100.openEpisodeFolder');
      if (pick === 'Show Dashboard') void vscode.commands.executeCommand('so100.showDashboard');
    });
  }

  /** A valid edit of so100.json: hot settings apply now; what needs the arm or the server asks first. */
  private async configChanged(next: So100Config): Promise<void> {
    const phase = this.runtime.status()?.phase ?? 'idle';
    if (!this.runtime.running || phase === 'idle' || phase === 'estopped' || phase === 'connecting') return;
    const config =
      this.modelOverride && modelNamed(next.models, this.modelOverride)
        ? { ...next, activeModel: this.modelOverride }
        : next;
    // An edit (or a pull) may add a converter module while connected: it is loaded only in a trusted workspace.
    if (!this.trust.allows(config, config.activeModel)) return;
    const r = await this.runtime.call('applyConfig', { config });
    if (r.applied.length) this.runtime.log.info(`${CONFIG_FILE_NAME}: applied now: ${r.applied.join(', ')}`);
    if (r.nextEpisode.length)
      this.runtime.log.info(`${CONFIG_FILE_NAME}: from the next episode: ${r.nextEpisode.join(', ')}`);
    if (r.needs.length === 0) return;
    const what = [
      ...new Set(
        r.needs.map((n) => (n.class === 'reconnect-arm' ? 'reconnecting the arm' : 'restarting the policy server')),
      ),
    ].join(' and ');
    const pick = await vscode.window.showInformationMessage(
      `SO-100: ${r.needs.map((n) => n.path).join(', ')} changed; this needs ${what}.`,
      'Reconnect Now',
      'Later',
    );
    if (pick !== 'Reconnect Now') return;
    await this.runtime.call('disconnect', {});
    if (r.needs.some((n) => n.class === 'restart-server')) await this.servers.stop();
    await this.ensureConnected();
  }
}

function modelOfNode(arg: unknown): string | undefined {
  const node = arg as { kind?: unknown; model?: unknown } | undefined;
  return node?.kind === 'model' && typeof node.model === 'string' ? node.model : undefined;
}
