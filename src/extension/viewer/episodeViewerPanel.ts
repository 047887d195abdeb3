// The Episode Viewer panel (webview-ui/episodeViewer): one recorded episode, or two on one tick axis. The host owns
// the records (io/recording/episodeView) and answers the page's cursor requests with the cursor's state and frames.
import * as vscode from 'vscode';
import {
  isViewerMessage,
  type HostToViewer,
  type ReplayAtTick,
  type ViewerEpisode,
  type ViewerSlot,
  type ViewerToHost,
  type ViewerPageState,
  type EpisodeComparison,
} from '../../contracts/episodeViewerMessages';
import { compareEpisodes, unitMismatch } from '../../core/episodeView';
import { SO100_MOTORS } from '../../core/so100';
import { EpisodeView } from '../../io/recording/episodeView';
import { EXPORT_DATASET_COMMAND } from '../export/exportDatasetCommand';
import { pageFile, pageOptions, wirePage } from '../webview/panelPage';
import { episodeViewerHtml } from './episodeViewerHtml';
import { viewerEpisode, viewerFrames } from './viewerEpisode';

export const EPISODE_VIEWER_VIEW_TYPE = 'so100.episodeViewer';

export class EpisodeViewerPanel implements vscode.Disposable {
  private static current: EpisodeViewerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly views: Partial<Record<ViewerSlot, EpisodeView>> = {};
  private readonly episodes: Partial<Record<ViewerSlot, ViewerEpisode>> = {};
  private ready = false;
  private readonly cursorsAnswered: Record<ViewerSlot, number> = { a: 0, b: 0 };
  private readonly lastCursors: Partial<Record<ViewerSlot, { tick: number; replays: readonly ReplayAtTick[] }>> = {};
  /** The comparison of the episodes shown, once the webview took the message (cleared when b closes). */
  private comparisonDelivered: EpisodeComparison | undefined;

  /** Opens `path` (an episode folder or its episode.json) in the viewer, creating the panel once. */
  static async show(extensionUri: vscode.Uri, path: string, ffmpegPath: string): Promise<EpisodeViewerPanel> {
    const view = await EpisodeView.open(path, ffmpegPath);
    let p = EpisodeViewerPanel.current;
    if (p) p.panel.reveal(undefined, true);
    else {
      const panel = vscode.window.createWebviewPanel(
        EPISODE_VIEWER_VIEW_TYPE,
        'SO-100 Episode Viewer',
        vscode.ViewColumn.Active,
        { ...pageOptions(extensionUri), retainContextWhenHidden: true },
      );
      p = new EpisodeViewerPanel(panel, extensionUri, ffmpegPath);
    }
    p.closeSlot('b');
    p.setView('a', view);
    return p;
  }

  /**
   * A panel VS Code restored after a window reload, with the page's kept state: its episodes are opened again (one
   * that is gone is said in the panel, not thrown).
   */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, ffmpegPath: string, state: unknown) {
    panel.webview.options = pageOptions(extensionUri);
    EpisodeViewerPanel.current?.dispose();
    const p = new EpisodeViewerPanel(panel, extensionUri, ffmpegPath);
    const dirs = (state as Partial<ViewerPageState> | undefined)?.dirs ?? {};
    for (const slot of ['a', 'b'] as const) {
      const dir = dirs[slot];
      if (typeof dir !== 'string') continue;
      try {
        p.setView(slot, await EpisodeView.open(dir, ffmpegPath));
      } catch (err) {
        void p.post({ type: 'error', message: `${dir}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return p;
  }

  /** The open panel, if any (tests). */
  static get open(): EpisodeViewerPanel | undefined {
    return EpisodeViewerPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly ffmpegPath: string,
  ) {
    EpisodeViewerPanel.current = this;
    this.disposables.push(
      ...wirePage(panel, {
        html: () =>
          episodeViewerHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: pageFile(panel, extensionUri, 'episodeViewer.js'),
            styleUri: pageFile(panel, extensionUri, 'episodeViewer.css'),
          }),
        isMessage: isViewerMessage,
        onMessage: (m) => void this.received(m),
        ready: () => this.ready,
        onDispose: () => this.dispose(),
      }),
    );
  }

  /** What the page was sent for a slot (tests). */
  episode(slot: ViewerSlot): ViewerEpisode | undefined {
    return this.episodes[slot];
  }

  /** Cursor requests answered per slot (tests: proof that the page asked and got an answer). */
  get cursorAnswers(): Readonly<Record<ViewerSlot, number>> {
    return this.cursorsAnswered;
  }

  /** The tick and replayed chunks of the last cursor answer sent to the page per slot (tests). */
  lastCursor(slot: ViewerSlot): { tick: number; replays: readonly ReplayAtTick[] } | undefined {
    return this.lastCursors[slot];
  }

  /** The comparison the page was sent and the webview accepted, while two episodes are shown (tests). */
  get deliveredComparison(): EpisodeComparison | undefined {
    return this.comparisonDelivered;
  }

  /** Opens a second episode beside the first, on the same tick axis. */
  async compareWith(path: string): Promise<void> {
    const view = await EpisodeView.open(path, this.ffmpegPath);
    const a = this.views.a;
    const mismatch = a && unitMismatch(SO100_MOTORS, a.units, view.units);
    if (a && mismatch) {
      view.dispose();
      throw new Error(`cannot compare ${view.label} with ${a.label}: ${mismatch}`);
    }
    this.closeSlot('b');
    this.setView('b', view);
  }

  dispose(): void {
    if (EpisodeViewerPanel.current === this) EpisodeViewerPanel.current = undefined;
    for (const slot of ['a', 'b'] as const) this.views[slot]?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private setView(slot: ViewerSlot, view: EpisodeView): void {
    this.views[slot]?.dispose();
    this.views[slot] = view;
    this.episodes[slot] = viewerEpisode(slot, view);
    this.panel.title = this.views.b
      ? `Episodes: ${this.views.a?.label} vs ${this.views.b.label}`
      : `Episode ${view.label}`;
    this.sendEpisodes();
  }

  private closeSlot(slot: ViewerSlot): void {
    if (!this.views[slot]) return;
    if (slot === 'b') this.comparisonDelivered = undefined;
    this.views[slot]!.dispose();
    delete this.views[slot];
    delete this.episodes[slot];
    void this.post({ type: 'closed', slot });
  }

  private sendEpisodes(): void {
    for (const slot of ['a', 'b'] as const) {
      const episode = this.episodes[slot];
      if (episode) void this.post({ type: 'episode', episode });
    }
    const { a, b } = this.views;
    if (!a || !b) return;
    const comparison = compareEpisodes(a.timeline.steps, b.timeline.steps);
    void this.post({ type: 'comparison', comparison })?.then((taken) => {
      if (taken && this.views.a === a && this.views.b === b) this.comparisonDelivered = comparison;
    });
  }

  private async received(m: ViewerToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          this.sendEpisodes();
          return;
        case 'cursor': {
          const view = this.views[m.slot];
          if (!view) return;
          const { cursor, frames, replays } = await view.cursor(m.tick);
          this.cursorsAnswered[m.slot]++;
          this.lastCursors[m.slot] = { tick: cursor.tick, replays };
          void this.post({ type: 'cursor', slot: m.slot, cursor, frames: viewerFrames(frames), replays });
          return;
        }
        case 'compare': {
          const a = this.views.a;
          const picked = await vscode.window.showOpenDialog({
            title: `SO-100: an episode to compare with${a ? ` ${a.label}` : ''}`,
            canSelectFolders: true,
            canSelectFiles: true,
            canSelectMany: false,
            filters: { 'Episode record': ['json'] },
            defaultUri: a ? vscode.Uri.file(a.dir) : undefined,
          });
          if (picked?.[0]) await this.compareWith(picked[0].fsPath);
          return;
        }
        case 'closeCompare':
          this.closeSlot('b');
          this.panel.title = `Episode ${this.views.a?.label ?? ''}`;
          return;
        case 'exportDataset':
          if (this.views.a) await vscode.commands.executeCommand(EXPORT_DATASET_COMMAND, { dir: this.views.a.dir });
          return;
      }
    } catch (err) {
      void this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Posts to the page once it is ready; resolves true when the webview took the message. */
  private post(message: HostToViewer): Thenable<boolean> | undefined {
    return this.ready ? this.panel.webview.postMessage(message) : undefined;
  }
}
