// The "SO-100" side bar view: the arm, the policy server, the configured models, the recent episodes and the
// evaluation campaigns, with inline actions. Refreshed by runtime, server and config events; episodes are read from
// the record folder, campaigns from .so100/evaluations/.
import * as vscode from 'vscode';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EPISODE_FILES } from '../../io/recording/episodeRecorder';
import { campaignFolders } from '../evaluation/campaignFolders';
import { progressText, type ProgressSource } from '../runtime/episodeProgress';
import type { TelemetrySource } from '../runtime/telemetrySource';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';
import { isSimulatedArm } from '../../core/config';
import { episodeLabel } from '../../core/episodeView';

/** Episodes listed under "Recent Episodes". */
const RECENT_EPISODES = 10;

export type LabNode =
  | { readonly kind: 'arm' }
  | { readonly kind: 'server' }
  | { readonly kind: 'models' }
  | { readonly kind: 'model'; readonly model: string }
  | { readonly kind: 'episodes' }
  | { readonly kind: 'evaluations' }
  | { readonly kind: 'evaluation'; readonly dir: string; readonly label: string; readonly description: string }
  | {
      readonly kind: 'episode';
      readonly dir: string;
      readonly label: string;
      readonly description: string;
      readonly success?: boolean;
    };

export interface ServerView {
  readonly state: string;
  readonly model: string | undefined;
  readonly onDidChangeState: vscode.Event<unknown>;
}

/** The top-level rows, kept as they are so a refresh can name one of them (VS Code matches rows by identity). */
const ARM: LabNode = { kind: 'arm' };
const SERVER: LabNode = { kind: 'server' };
const MODELS: LabNode = { kind: 'models' };
const EPISODES: LabNode = { kind: 'episodes' };
const EVALUATIONS: LabNode = { kind: 'evaluations' };

export class LabTreeView implements vscode.TreeDataProvider<LabNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LabNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  private phase: string | undefined;
  /** Results of episodes that ended in this window, by record folder: shown even before episode.json is read. */
  private readonly results = new Map<string, { success: boolean; steps: number }>();

  /** The arm row's progress comes from `progress` (≤ 2 Hz), the source the status bar and Dashboard show too. */
  constructor(
    private readonly runtime: TelemetrySource,
    private readonly progress: ProgressSource,
    private readonly server: ServerView,
    private readonly config: WorkspaceConfig,
  ) {
    this.subscriptions.push(
      new vscode.Disposable(progress.onChange((p) => this.progressed(p.phase, p.ended)).dispose),
      config.onDidChange(() => this.refresh()),
      server.onDidChangeState(() => this.refresh()),
      vscode.window.registerTreeDataProvider('so100.lab', this),
      runtime.onEvent('evaluationProgress', () => this.changed.fire(EVALUATIONS)),
      runtime.onEvent('evaluationEnded', () => this.changed.fire(EVALUATIONS)),
    );
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Every progress redraws the arm row; a phase change or an episode's end redraws the whole tree. */
  private progressed(
    phase: string | undefined,
    ended: { recordDir?: string; success: boolean; steps: number } | undefined,
  ): void {
    if (ended?.recordDir && !this.results.has(ended.recordDir)) {
      this.results.set(ended.recordDir, { success: ended.success, steps: ended.steps });
      this.phase = phase;
      this.refresh();
      return;
    }
    if (phase !== this.phase) {
      this.phase = phase;
      this.refresh();
      return;
    }
    this.changed.fire(ARM);
  }

  getTreeItem(node: LabNode): vscode.TreeItem {
    const status = this.runtime.status();
    const config = this.config.current;
    switch (node.kind) {
      case 'arm': {
        const item = new vscode.TreeItem('Arm', vscode.TreeItemCollapsibleState.None);
        const phase = status?.phase ?? 'idle';
        const steps = progressText(this.progress.current);
        item.description = `${isSimulatedArm(config.robot) ? 'simulated SO-100' : config.robot.port} · ${phase}${steps ? ` ${steps}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(
          phase === 'estopped' ? 'error' : phase === 'running' ? 'play-circle' : 'circuit-board',
        );
        item.contextValue = `arm-${phase}`;
        return item;
      }
      case 'server': {
        const item = new vscode.TreeItem('Policy server', vscode.TreeItemCollapsibleState.None);
        item.description = `${this.server.model ?? config.activeModel} · ${this.server.state}`;
        item.iconPath = new vscode.ThemeIcon(
          this.server.state === 'ready' ? 'server-process' : this.server.state === 'failed' ? 'error' : 'server',
        );
        item.contextValue = `server-${this.server.state}`;
        item.command = { command: 'so100.showServerLog', title: 'Show Server Log' };
        return item;
      }
      case 'models': {
        const item = new vscode.TreeItem('Models', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        return item;
      }
      case 'model': {
        const m = config.models[node.model];
        const active = (status?.activeModel ?? config.activeModel) === node.model;
        const item = new vscode.TreeItem(node.model, vscode.TreeItemCollapsibleState.None);
        item.description = `${m.kind === 'builtin' ? `built-in ${m.profile}` : m.kind === 'remote' ? m.url : m.command} · ${m.protocol}${active ? ' · active' : ''}`;
        item.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'circle-large-outline');
        item.contextValue = active ? 'model-active' : 'model';
        return item;
      }
      case 'episodes': {
        const item = new vscode.TreeItem('Recent Episodes', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('history');
        return item;
      }
      case 'episode': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(
          node.success === true ? 'pass' : node.success === false ? 'close' : 'question',
        );
        item.tooltip = node.dir;
        item.contextValue = 'episode';
        item.command = {
          command: 'vscode.open',
          title: 'Open episode.json',
          arguments: [vscode.Uri.file(path.join(node.dir, EPISODE_FILES.episode))],
        };
        return item;
      }
      case 'evaluations': {
        const item = new vscode.TreeItem('Evaluations', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'evaluations';
        return item;
      }
      case 'evaluation': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon('graph');
        item.tooltip = node.dir;
        item.contextValue = 'evaluation';
        item.command = {
          command: 'so100.openEvaluationReport',
          title: 'Open Evaluation Report',
          arguments: [node.dir],
        };
        return item;
      }
    }
  }

  async getChildren(node?: LabNode): Promise<LabNode[]> {
    if (!node) return [ARM, SERVER, MODELS, EPISODES, EVALUATIONS];
    if (node.kind === 'models')
      return Object.keys(this.config.current.models).map((model) => ({ kind: 'model', model }));
    if (node.kind === 'episodes') return this.recentEpisodes();
    if (node.kind === 'evaluations')
      return this.config.folder
        ? (await campaignFolders(this.config.folder)).map((c) => ({ kind: 'evaluation', ...c }))
        : [];
    return [];
  }

  /** The tree as plain rows (label — description), for tests and the log. */
  async snapshot(): Promise<string[]> {
    const rows: string[] = [];
    const walk = async (node: LabNode | undefined, depth: number): Promise<void> => {
      for (const child of await this.getChildren(node)) {
        const item = this.getTreeItem(child);
        rows.push(
          `${'  '.repeat(depth)}${typeof item.label === 'string' ? item.label : (item.label?.label ?? '')} — ${String(item.description ?? '')}`,
        );
        await walk(child, depth + 1);
      }
    };
    await walk(undefined, 0);
    return rows;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private async recentEpisodes(): Promise<LabNode[]> {
    const folder = this.config.folder;
    if (!folder) return [];
    const root = path.resolve(folder, this.config.current.record.dir);
    let names: string[];
    try {
      names = (await readdir(root, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
        .reverse()
        .slice(0, RECENT_EPISODES);
    } catch {
      return [];
    }
    const phase = this.runtime.status()?.phase;
    const running = phase === 'running' || phase === 'paused';
    return Promise.all(
      names.map(async (name, i): Promise<LabNode> => {
        const dir = path.join(root, name);
        const known = this.results.get(dir);
        try {
          const json = JSON.parse(await readFile(path.join(dir, EPISODE_FILES.episode), 'utf8')) as {
            model?: unknown;
            config?: unknown;
            result?: { success?: boolean; reason?: string; steps?: number } | null;
          };
          const r = json.result ?? known;
          // No result yet: the newest folder while an episode runs is that episode; any other was cut short.
          const description = r
            ? `${r.success ? 'success' : 'failure'} · ${r.steps ?? '?'} ticks`
            : i === 0 && running
              ? `${phase}`
              : 'interrupted (no result recorded)';
          // Named as the Episode Viewer names it: model and seed before the folder.
          const label = episodeLabel({ name, model: json.model, config: json.config });
          return { kind: 'episode', dir, label, description, success: r?.success };
        } catch {
          return { kind: 'episode', dir, label: name, description: 'no readable episode.json' };
        }
      }),
    );
  }
}
