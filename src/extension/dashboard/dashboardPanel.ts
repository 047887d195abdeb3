// The Dashboard webview panel: cameras, joints, the chunk fan and timing of the running episode, plus the episode
// controls. One panel at a time; it survives a window reload through a serializer. The page is
// webview-ui/dashboard (bundled to dist/webview/dashboard.js); the protocol is src/contracts/dashboardMessages.ts.
import * as vscode from 'vscode';
import { ROUGH_SEAM_RATIO } from '../../core/metrics/seams';
import { SO100_MOTORS } from '../../core/so100/motors';
import {
  DASHBOARD_VIEW_TYPE,
  isDashboardToHost,
  isFrameMode,
  type DashboardProbeReport,
  type DashboardProgress,
  type DashboardToHost,
  type FrameMode,
  type HostToDashboard,
  type JointRange,
} from '../../contracts/dashboardMessages';
import { enabledCommands } from './enabledCommands';
import { DashboardFeed, postableFrame, type DashboardFeedCounters } from './dashboardFeed';
import { dashboardHtml } from './dashboardHtml';
import { ProgressSource, type EpisodeProgress } from '../runtime/episodeProgress';
import type { TelemetrySource } from '../runtime/telemetrySource';

export const SHOW_DASHBOARD_COMMAND = 'so100.showDashboard';

export interface DashboardOptions {
  readonly extensionUri: vscode.Uri;
  readonly source: TelemetrySource;
  /** Calibrated range per motor (motor order), when known; shaded behind the joint plots. */
  readonly motorRanges?: () => readonly (JointRange | null)[] | undefined;
  /** Camera frames per second asked for while the panel is visible (default 10). */
  readonly frameFps?: number;
  /** The progress the status bar and side bar show; without it the panel keeps a source of its own (tests). */
  readonly progress?: ProgressSource;
}

/** What the webview keeps with vscode.setState, and the serializer hands back after a reload. */
interface DashboardViewState {
  readonly frameMode?: FrameMode;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;

  private readonly feed: DashboardFeed;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  private readonly probes = new Map<number, (r: DashboardProbeReport) => void>();
  private nextProbeId = 1;
  private ready = false;
  private disposed = false;
  private rejected = 0;
  private mode: FrameMode;
  private readonly progress: ProgressSource;
  private readonly ownProgress: boolean;

  /** Fires once the panel is closed. */
  readonly onDidDispose = this.disposedEmitter.event;

  /** Reveals the open panel, or opens one beside the active editor. */
  static show(options: DashboardOptions): DashboardPanel {
    const open = DashboardPanel.current;
    if (open && !open.disposed) {
      open.panel.reveal(undefined, false);
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      'SO-100 Dashboard',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(options.extensionUri),
    );
    return new DashboardPanel(panel, options, undefined);
  }

  /** A panel VS Code restored after a reload (see registerDashboard's serializer). */
  static revive(panel: vscode.WebviewPanel, options: DashboardOptions, state: unknown): DashboardPanel {
    DashboardPanel.current?.dispose();
    panel.webview.options = webviewOptions(options.extensionUri);
    return new DashboardPanel(panel, options, state);
  }

  /** The open panel, if any. */
  static get open(): DashboardPanel | undefined {
    return DashboardPanel.current && !DashboardPanel.current.disposed ? DashboardPanel.current : undefined;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: DashboardOptions,
    state: unknown,
  ) {
    DashboardPanel.current = this;
    const saved = state as DashboardViewState | undefined;
    this.mode = isFrameMode(saved?.frameMode) ? saved.frameMode : 'raw';
    this.feed = new DashboardFeed((m) => this.panel.webview.postMessage(m));
    this.ownProgress = options.progress === undefined;
    this.progress = options.progress ?? new ProgressSource(options.source);
    const webview = panel.webview;
    panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'icon.png');
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      scriptUri: webview
        .asWebviewUri(vscode.Uri.joinPath(options.extensionUri, 'dist', 'webview', 'dashboard.js'))
        .toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(options.extensionUri, 'media', 'dashboard.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState(() => this.visibilityChanged()),
      panel.onDidDispose(() => this.dispose()),
      ...this.subscribe(),
    );
  }

  get frameMode(): FrameMode {
    return this.mode;
  }

  /** Messages from the webview that failed the protocol's guards (ignored). */
  get rejectedMessages(): number {
    return this.rejected;
  }

  get feedCounters(): DashboardFeedCounters {
    return this.feed.counters;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /**
   * Asks the webview what it has received and drawn (tests). `postBack` values are posted back by the webview
   * as they are, before its reply — a way to send the host arbitrary (also malformed) messages from the page.
   */
  probe(postBack?: readonly unknown[], timeoutMs = 10_000): Promise<DashboardProbeReport> {
    const id = this.nextProbeId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error(`the dashboard did not answer probe ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.probes.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      void this.panel.webview.postMessage({ type: 'probe', id, postBack } satisfies HostToDashboard);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.options.source.requestFrames(this, 0);
    this.feed.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    if (this.ownProgress) this.progress.dispose();
    this.panel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }

  private subscribe(): vscode.Disposable[] {
    const { source } = this.options;
    return [
      source.onEvent('tick', (t) => this.feed.tick(t)),
      source.onEvent('chunk', (c) => this.feed.chunk(c)),
      source.onEvent('frame', (f) => this.feed.frame(postableFrame(f))),
      // State rides with progress (published on every state change, and ≤ 2 Hz while ticks come).
      new vscode.Disposable(
        this.progress.onChange((p) => this.feed.state(source.status(), dashboardProgress(p))).dispose,
      ),
      source.onEvent('warning', (w) => this.feed.warning(w.message)),
      source.onEvent('episodeEnded', (s) => this.feed.episodeEnded(s)),
    ];
  }

  private receive(raw: unknown): void {
    if (this.disposed) return;
    if (!isDashboardToHost(raw)) {
      this.rejected++;
      return;
    }
    const m: DashboardToHost = raw;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.feed.attach((history) => ({
          type: 'init',
          status: this.options.source.status(),
          enabled: enabledCommands(this.options.source.status()),
          motors: [...SO100_MOTORS],
          ranges: this.options.motorRanges?.(),
          ticks: history.ticks,
          chunks: history.chunks,
          frameMode: this.mode,
          progress: dashboardProgress(this.progress.current),
          roughSeamRatio: ROUGH_SEAM_RATIO,
        }));
        this.visibilityChanged();
        return;
      case 'command':
        void this.options.source.command(m.name);
        return;
      case 'setFrameMode':
        // The page draws policy-input previews itself (resize with pad); the host remembers the choice for init.
        this.mode = m.mode;
        return;
      case 'probe-reply':
        this.probes.get(m.id)?.(m.report);
        this.probes.delete(m.id);
        return;
    }
  }

  /** Frames cost the runtime a copy per camera and tick: ask for them only while someone can see them. */
  private visibilityChanged(): void {
    if (this.disposed) return;
    const visible = this.panel.visible && this.ready;
    this.options.source.requestFrames(this, visible ? (this.options.frameFps ?? 10) : 0);
    // A hidden webview (no retained context) is torn down; it says `ready` again when shown.
    if (!this.panel.visible) {
      this.ready = false;
      this.feed.detach();
    }
  }
}

function dashboardProgress(p: EpisodeProgress): DashboardProgress {
  return { episode: p.episode, step: p.step, maxSteps: p.maxSteps };
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** Registers "SO-100: Show Dashboard" and the serializer that restores the panel after a window reload. */
export function registerDashboard(
  context: { readonly extensionUri: vscode.Uri },
  source: TelemetrySource,
  extra: Omit<DashboardOptions, 'extensionUri' | 'source'> = {},
): vscode.Disposable {
  const options: DashboardOptions = { extensionUri: context.extensionUri, source, ...extra };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(SHOW_DASHBOARD_COMMAND, () => {
      DashboardPanel.show(options);
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
        DashboardPanel.revive(panel, options, state);
        return Promise.resolve();
      },
    }),
    { dispose: () => DashboardPanel.open?.dispose() },
  );
}
