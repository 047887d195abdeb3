// The status bar item of the arm and its episode: phase, model and progress; amber while e-stopped or after a
// failed episode, and a tooltip whose links run the episode commands.
import * as vscode from 'vscode';
import { escapeMarkdown } from '../common/markdownText';
import type { EpisodeSummary, RuntimeStatus } from '../../core/rpc';
import { progressText, type ProgressSource } from './episodeProgress';
import type { TelemetrySource } from './telemetrySource';

export class RuntimeStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('so100.runtimeStatus', vscode.StatusBarAlignment.Left, 9);
  private readonly subscriptions: vscode.Disposable[] = [];
  private last: EpisodeSummary | undefined;

  /** Progress comes from `progress`, the source the side bar and the Dashboard show too (they agree). */
  constructor(
    private readonly source: TelemetrySource,
    private readonly progress: ProgressSource,
  ) {
    this.item.name = 'SO-100 Arm';
    this.item.command = 'so100.showRuntimeLog';
    this.subscriptions.push(
      progress.onChange((p) => {
        if (p.ended) this.last = p.ended;
        this.draw();
      }),
    );
    this.draw();
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private draw(): void {
    const s = this.source.status();
    const phase = s?.phase ?? 'idle';
    const model = s?.activeModel ? ` ${s.activeModel}` : '';
    const steps = progressText(this.progress.current);
    const progress = steps ? ` ${steps}` : '';
    const icon = {
      idle: '$(circle-outline)',
      connecting: '$(loading~spin)',
      connected: '$(pass)',
      running: '$(play-circle)',
      paused: '$(debug-pause)',
      resetting: '$(loading~spin)',
      estopped: '$(error)',
      calibrating: '$(symbol-ruler)',
    }[phase];
    this.item.text = `${icon} SO-100 arm:${model} ${phase}${progress}`;
    this.item.backgroundColor =
      phase === 'estopped'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : this.last && !this.last.success && phase === 'connected'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.tooltip = tooltip(phase, s, this.last);
    this.item.accessibilityInformation = { label: `SO-100 arm ${phase}${model}` };
  }
}

function tooltip(
  phase: RuntimeStatus['phase'],
  s: RuntimeStatus | undefined,
  last: EpisodeSummary | undefined,
): vscode.MarkdownString {
  const commands = [
    'so100.runEpisode',
    'so100.pause',
    'so100.resume',
    'so100.stop',
    'so100.emergencyStop',
    'so100.reset',
    'so100.showRuntimeLog',
    'so100.showDashboard',
    'so100.openEpisodeFolder',
  ];
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: commands };
  md.appendMarkdown(`**SO-100 arm** — ${phase}`);
  if (s?.robot)
    md.appendMarkdown(
      `\n\n${s.robot}${s.activeModel ? ` · model \`${s.activeModel}\`` : ''}${s.fps ? ` · ${s.fps} fps` : ''}`,
    );
  if (last)
    md.appendMarkdown(
      `\n\nLast episode ${last.episode}: ${last.success ? '$(pass) success' : '$(warning) failure'} — ${escapeMarkdown(last.reason)}`,
    );
  // The same count the Dashboard header shows: this episode's, not the runtime's lifetime total.
  const dropped = s?.episodeDroppedTelemetry ?? 0;
  if ((phase === 'running' || phase === 'paused') && dropped > 0)
    md.appendMarkdown(
      `\n\n$(info) ${dropped} telemetry events dropped this episode for slow panels (the loop never waited)`,
    );
  const links: string[] = [];
  if (phase === 'running') links.push('[Pause](command:so100.pause)', '[Stop](command:so100.stop)');
  else if (phase === 'paused') links.push('[Resume](command:so100.resume)', '[Stop](command:so100.stop)');
  else if (phase !== 'connecting' && phase !== 'resetting' && phase !== 'calibrating')
    links.push('[Run Episode](command:so100.runEpisode)');
  if (phase === 'connected') links.push('[Reset](command:so100.reset)');
  links.push(
    '[Emergency Stop](command:so100.emergencyStop)',
    '[Dashboard](command:so100.showDashboard)',
    '[Runtime Log](command:so100.showRuntimeLog)',
  );
  if (last?.recordDir) links.push('[Episode Folder](command:so100.openEpisodeFolder)');
  md.appendMarkdown(`\n\n${links.join(' · ')}`);
  return md;
}
