// The Converter Inspector panel (webview-ui/inspector): the runtime's last exchange with the policy, or the result
// of running the converter on the last observation. Refreshes on demand, and while an episode runs at most once a
// second (only while the panel is visible). Restored after a window reload by its serializer.
import * as vscode from 'vscode';
import type { InspectionReport, ValueSummary } from '../../core/convert/inspectionReport';
import type { RuntimeMethod, RuntimeMethods } from '../../core/rpc';
import {
  isInspectorMessage,
  type HostToInspector,
  type InspectorState,
  type InspectorToHost,
  type ReportView,
  type SummaryView,
} from '../../contracts/inspectorMessages';
import { inspectorHtml } from './inspectorHtml';
import { pageFile, pageOptions, wirePage } from '../webview/panelPage';
import type { TelemetrySource } from '../runtime/telemetrySource';

export const INSPECTOR_VIEW_TYPE = 'so100.converterInspector';
const AUTO_REFRESH_MS = 1000;

/** What the panel needs of the runtime controller. */
export interface InspectorRuntime extends Pick<TelemetrySource, 'onEvent' | 'status'> {
  readonly running: boolean;
  call<M extends RuntimeMethod>(method: M, params: RuntimeMethods[M]['params']): Promise<RuntimeMethods[M]['result']>;
}

export class InspectorPanel implements vscode.Disposable {
  private static current: InspectorPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private autoRefresh = true;
  private state: InspectorState = { status: 'loading', autoRefresh: true };
  private report: InspectionReport | undefined;
  private lastRefreshMs = -Infinity;
  private refreshing: Promise<void> | undefined;

  /** Shows the panel (creating it once); with `report` (a converter run) shows that and pauses auto-refresh. */
  static show(extensionUri: vscode.Uri, runtime: InspectorRuntime, report?: InspectionReport): InspectorPanel {
    let p = InspectorPanel.current;
    if (p) p.panel.reveal(undefined, true);
    else {
      const panel = vscode.window.createWebviewPanel(
        INSPECTOR_VIEW_TYPE,
        'SO-100 Converter Inspector',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        pageOptions(extensionUri),
      );
      p = new InspectorPanel(panel, extensionUri, runtime);
    }
    if (report) p.showReport(report);
    else void p.refresh();
    return p;
  }

  /** A panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, runtime: InspectorRuntime): InspectorPanel {
    InspectorPanel.current?.dispose();
    panel.webview.options = pageOptions(extensionUri);
    const p = new InspectorPanel(panel, extensionUri, runtime);
    void p.refresh();
    return p;
  }

  /** The open panel, if any (tests, the CodeLens command). */
  static get open(): InspectorPanel | undefined {
    return InspectorPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly runtime: InspectorRuntime,
  ) {
    InspectorPanel.current = this;
    this.disposables.push(
      ...wirePage(panel, {
        html: () =>
          inspectorHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: pageFile(panel, extensionUri, 'inspector.js'),
          }),
        isMessage: isInspectorMessage,
        onMessage: (m) => void this.received(m),
        ready: () => this.ready,
        onDispose: () => this.dispose(),
      }),
      runtime.onEvent('tick', () => this.maybeAutoRefresh()),
      runtime.onEvent('episodeEnded', () => {
        if (this.autoRefresh) void this.refresh();
      }),
      runtime.onEvent('state', (s) => {
        if (s.phase === 'idle' && this.autoRefresh) void this.refresh();
      }),
    );
  }

  /** What the webview was last sent. */
  get currentState(): InspectorState {
    return this.state;
  }

  /** Asks the runtime for its last exchange and shows it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  showReport(report: InspectionReport): void {
    this.autoRefresh = false; // a converter run stays until the user refreshes or turns auto-refresh back on
    this.setReport(report);
  }

  dispose(): void {
    if (InspectorPanel.current === this) InspectorPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private async load(): Promise<void> {
    this.lastRefreshMs = performance.now();
    if (!this.runtime.running) {
      this.report = undefined;
      this.post({
        status: 'empty',
        autoRefresh: this.autoRefresh,
        message: 'No runtime is running. Run an episode (SO-100: Run Episode) or Step, then Refresh.',
      });
      return;
    }
    try {
      this.setReport(await this.runtime.call('inspect', {}));
    } catch (err) {
      this.post({
        status: 'error',
        autoRefresh: this.autoRefresh,
        message: `The runtime did not answer: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  private setReport(report: InspectionReport): void {
    this.report = report;
    this.post({
      status: 'ready',
      autoRefresh: this.autoRefresh,
      report: reportView(report),
      phase: this.runtime.status()?.phase ?? 'idle',
      refreshedAt: new Date().toLocaleTimeString(),
    });
  }

  private maybeAutoRefresh(): void {
    if (!this.autoRefresh || !this.panel.visible || this.refreshing) return;
    if (performance.now() - this.lastRefreshMs < AUTO_REFRESH_MS) return;
    void this.refresh();
  }

  private async received(m: InspectorToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage({ type: 'state', state: this.state } satisfies HostToInspector);
        return;
      case 'refresh':
        return this.refresh();
      case 'setAutoRefresh':
        this.autoRefresh = m.on;
        this.state = { ...this.state, autoRefresh: m.on };
        if (m.on) await this.refresh();
        return;
      case 'openLocation': {
        // Only the location this panel showed: the webview must not open arbitrary files.
        const e = this.report?.error;
        if (!e || e.file !== m.file) return;
        const pos = new vscode.Position(m.line - 1, m.column - 1);
        await vscode.window.showTextDocument(vscode.Uri.file(m.file), {
          selection: new vscode.Range(pos, pos),
          viewColumn: vscode.ViewColumn.One,
        });
        return;
      }
    }
  }

  private post(state: InspectorState): void {
    this.state = state;
    if (this.ready) void this.panel.webview.postMessage({ type: 'state', state } satisfies HostToInspector);
  }
}

function reportView(r: InspectionReport): ReportView {
  const { observation, input, output, ...rest } = r;
  return {
    ...rest,
    ...(observation && { observation: { ...observation, cameras: observation.cameras.map(summaryView) } }),
    ...(input && { input: input.map(summaryView) }),
    ...(output && { output: output.map(summaryView) }),
  };
}

function summaryView(s: ValueSummary): SummaryView {
  const { image, ...rest } = s;
  if (!image) return rest;
  const { width, height, rgb } = image.thumbnail;
  return {
    ...rest,
    image: {
      order: image.order,
      thumbnail: {
        width,
        height,
        rgbBase64: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength).toString('base64'),
      },
    },
  };
}
