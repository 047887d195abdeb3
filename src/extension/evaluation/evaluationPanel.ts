// The Evaluation Report panel (webview-ui/evaluation): one campaign folder, drawn from core's report model. While
// the runtime runs that campaign the report follows each finished episode (re-read from results.csv, which holds it
// before the event comes) and offers Cancel; afterwards, or for any folder, it shows the finished report. One panel
// per folder.
import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reportCsv } from '../../core/evaluation';
import type { EvaluationEnded, EvaluationProgress, RuntimeMethod, RuntimeMethods } from '../../core/rpc';
import {
  isEvaluationToHost,
  type EvaluationPanelState,
  type EvaluationToHost,
  type HostToEvaluation,
} from '../../contracts/evaluationMessages';
import { OPEN_EPISODE_COMMAND } from '../viewer/openEpisodeCommand';
import { EXPORT_DATASET_COMMAND } from '../export/exportDatasetCommand';
import { pageFile, pageOptions, wirePage } from '../webview/panelPage';
import type { TelemetrySource } from '../runtime/telemetrySource';
import { readCampaignReport } from './campaignFolderReport';
import { evaluationHtml } from './evaluationHtml';

export const EVALUATION_VIEW_TYPE = 'so100.evaluationReport';
/** The Episode Viewer's command, when an extension part registers it; else a cell opens the record's episode.json. */

/** What the panel needs of the runtime controller. */
export interface EvaluationRuntime extends Pick<TelemetrySource, 'onEvent'> {
  /** A runtime process is up (false once it has exited). */
  readonly running: boolean;
  call<M extends RuntimeMethod>(method: M, params: RuntimeMethods[M]['params']): Promise<RuntimeMethods[M]['result']>;
}

export class EvaluationPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, EvaluationPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private state: EvaluationPanelState;
  private ready = false;
  private disposed = false;
  /** Reads of the folder run one at a time, the newest request last (events can come faster than reads). */
  private reading: Promise<void> = Promise.resolve();
  private progress: EvaluationProgress | undefined;

  /** Reveals the folder's panel, or opens one; `running` when the runtime is running this campaign now. */
  static show(extensionUri: vscode.Uri, runtime: EvaluationRuntime, outDir: string, running = false): EvaluationPanel {
    const key = path.resolve(outDir);
    const open = EvaluationPanel.panels.get(key);
    if (open && !open.disposed) {
      if (running) open.state = { ...open.state, running, message: undefined };
      open.panel.reveal(undefined, false);
      void open.refresh();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      EVALUATION_VIEW_TYPE,
      `Evaluation ${path.basename(key)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { ...pageOptions(extensionUri), retainContextWhenHidden: true },
    );
    return new EvaluationPanel(panel, extensionUri, runtime, key, running);
  }

  /** A panel VS Code restored after a window reload: the page's kept state names its campaign folder. */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    runtime: EvaluationRuntime,
    state: unknown,
  ): void {
    const outDir = (state as { outDir?: unknown } | undefined)?.outDir;
    if (typeof outDir !== 'string' || EvaluationPanel.openFor(outDir)) {
      panel.dispose();
      return;
    }
    panel.webview.options = pageOptions(extensionUri);
    new EvaluationPanel(panel, extensionUri, runtime, path.resolve(outDir), false);
  }

  /** The open panel of a folder, if any (tests). */
  static openFor(outDir: string): EvaluationPanel | undefined {
    const p = EvaluationPanel.panels.get(path.resolve(outDir));
    return p && !p.disposed ? p : undefined;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly runtime: EvaluationRuntime,
    readonly outDir: string,
    running: boolean,
  ) {
    EvaluationPanel.panels.set(outDir, this);
    this.state = { outDir, running };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      ...wirePage(panel, {
        html: () =>
          evaluationHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: pageFile(panel, extensionUri, 'evaluation.js'),
          }),
        isMessage: isEvaluationToHost,
        onMessage: (m) => void this.handle(m),
        ready: () => this.ready,
        onDispose: () => this.dispose(),
      }),
      runtime.onEvent('evaluationProgress', (p) => {
        if (path.resolve(p.outDir) !== this.outDir) return;
        this.progress = p;
        if (!this.state.running) this.state = { ...this.state, running: true };
        void this.refresh();
      }),
      runtime.onEvent('evaluationEnded', (e) => this.ended(e)),
      runtime.onEvent('state', (st) => {
        // The runtime went away mid-campaign (a crash, or stopped): no end event will come; say how to go on.
        if (st.phase !== 'idle' || runtime.running || !this.state.running) return;
        this.progress = undefined;
        this.state = {
          ...this.state,
          running: false,
          message: `The runtime stopped during the campaign; its finished episodes are kept. Resume Evaluation… continues it (${this.outDir}).`,
          messageKind: 'error',
        };
        void this.refresh();
      }),
    );
    void this.refresh();
  }

  /** What the webview was last sent. */
  get currentState(): EvaluationPanelState {
    return this.state;
  }

  /** The page has loaded its script and asked for the state (tests). */
  get pageReady(): boolean {
    return this.ready;
  }

  /** A message from the page (also how the extension-host tests press its buttons). */
  async handle(m: EvaluationToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post(this.state);
        return;
      case 'cancel':
        if (!this.state.running) return;
        try {
          await this.runtime.call('cancelEvaluation', {});
        } catch (err) {
          this.post({
            ...this.state,
            message: `Cancel failed: ${err instanceof Error ? err.message : String(err)}`,
            messageKind: 'error',
          });
        }
        return;
      case 'exportCsv':
        return this.exportCsv();
      case 'exportDataset':
        await vscode.commands.executeCommand(EXPORT_DATASET_COMMAND, { dir: this.outDir });
        return;
      case 'openEpisode':
        return this.openEpisode(m.model, m.seed);
    }
  }

  /** Re-reads the folder and sends the report (queued behind a read in progress). */
  refresh(): Promise<void> {
    this.reading = this.reading.then(async () => {
      if (this.disposed) return;
      try {
        const p = this.state.running ? this.progress : undefined;
        const { report } = await readCampaignReport(
          this.outDir,
          p && { doneThisRun: p.doneThisRun, elapsedMs: p.elapsedMs },
        );
        this.post({ ...this.state, report });
      } catch (err) {
        // A campaign that has not written campaign.json yet is starting; anything else is told.
        if (this.state.running && !this.state.report) return;
        // A campaign that ended before writing its folder keeps the reason it ended with.
        if (this.state.message !== undefined) return;
        this.post({ ...this.state, message: err instanceof Error ? err.message : String(err), messageKind: 'error' });
      }
    });
    return this.reading;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (EvaluationPanel.panels.get(this.outDir) === this) EvaluationPanel.panels.delete(this.outDir);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private ended(e: EvaluationEnded): void {
    if (path.resolve(e.outDir) !== this.outDir) return;
    this.progress = undefined;
    this.state = {
      ...this.state,
      running: false,
      message: e.message,
      messageKind: e.outcome === 'completed' ? 'ok' : e.outcome === 'cancelled' ? 'warning' : 'error',
    };
    void this.refresh();
  }

  private post(state: EvaluationPanelState): void {
    this.state = state;
    if (this.ready && !this.disposed)
      void this.panel.webview.postMessage({ type: 'state', state } satisfies HostToEvaluation);
  }

  private async exportCsv(): Promise<void> {
    const report = this.state.report;
    if (!report) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(this.outDir, 'report.csv')),
      filters: { CSV: ['csv'] },
      title: 'Export the evaluation report as CSV',
    });
    if (!target) return;
    await writeFile(target.fsPath, reportCsv(report));
    void vscode.window.showInformationMessage(`SO-100: report written to ${target.fsPath}`);
  }

  private async openEpisode(model: string, seed: number): Promise<void> {
    const cell = this.state.report?.grid.find((g) => g.seed === seed)?.cells.find((c) => c.model === model);
    if (!cell?.episodeDir) {
      void vscode.window.showInformationMessage(`SO-100: ${model} on seed ${seed} has no finished episode yet.`);
      return;
    }
    // In the Episode Viewer.
    await vscode.commands.executeCommand(OPEN_EPISODE_COMMAND, path.join(this.outDir, cell.episodeDir));
  }
}
