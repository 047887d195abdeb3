// The Evaluation Report page: a nonce CSP (our script and inline stylesheet only; bars and cells are sized from the
// script through CSSOM, which the CSP allows), theme colours, and the skeleton the script fills in.
import { webviewPage } from '../webview/webviewPage';

export interface EvaluationHtmlParts {
  /** webview.cspSource */
  readonly cspSource: string;
  /** asWebviewUri of dist/webview/evaluation.js */
  readonly scriptUri: string;
  readonly nonce?: string;
}

export function evaluationHtml(parts: EvaluationHtmlParts): string {
  return webviewPage({
    title: 'SO-100 Evaluation Report',
    cspSource: parts.cspSource,
    scriptUri: parts.scriptUri,
    nonce: parts.nonce,
    style: {
      css: `  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; max-width: 1100px; }
  h1 { font-size: 1.2em; margin: 12px 0 4px; }
  h2 { font-size: 1.05em; margin: 18px 0 6px; }
  .muted { color: var(--vscode-descriptionForeground); }
  code { font-family: var(--vscode-editor-font-family); }
  [hidden] { display: none !important; }
  .buttons { display: flex; gap: 8px; margin: 8px 0; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; cursor: pointer; }
  button:hover:not(:disabled) { background: var(--vscode-button-hoverBackground); }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  #message.error { color: var(--vscode-errorForeground); border-left: 3px solid var(--vscode-errorForeground); padding: 4px 8px; }
  #message.warning { color: var(--vscode-editorWarning-foreground); border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 8px; }
  #message.ok { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); border-left: 3px solid currentColor; padding: 4px 8px; }
  .progress { height: 6px; background: var(--vscode-input-background); border: 1px solid var(--vscode-panel-border); margin: 4px 0; }
  .progress > div { height: 100%; background: var(--vscode-progressBar-background); }
  table { border-collapse: collapse; margin: 4px 0; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; font-variant-numeric: tabular-nums; }
  th { background: var(--vscode-editorWidget-background); font-weight: normal; }
  td.num { text-align: right; }
  .axis { display: flex; justify-content: space-between; color: var(--vscode-descriptionForeground); font-size: .85em; }
  .rate { position: relative; width: 360px; height: 14px; background: var(--vscode-input-background); border: 1px solid var(--vscode-panel-border); }
  .rate .ci { position: absolute; top: 5px; height: 4px; background: var(--vscode-charts-blue, var(--vscode-progressBar-background)); }
  .rate .point { position: absolute; top: 1px; width: 3px; height: 12px; margin-left: -1px; background: var(--vscode-foreground); }
  .hbar { position: relative; width: 240px; height: 12px; background: var(--vscode-input-background); border: 1px solid var(--vscode-panel-border); }
  .hbar > div { position: absolute; top: 0; bottom: 0; left: 0; background: var(--vscode-charts-orange, var(--vscode-progressBar-background)); }
  .hbar > div.p99 { opacity: .35; }
  .hbar > div.p95 { opacity: .6; }
  #grid td.cell { width: 22px; height: 18px; padding: 0; text-align: center; cursor: pointer; }
  #grid td.success { background: var(--vscode-testing-iconPassed, #388a34); color: var(--vscode-editor-background); }
  #grid td.failure { background: var(--vscode-testing-iconFailed, #c72e0f); color: var(--vscode-editor-background); }
  #grid td.pending { cursor: default; color: var(--vscode-descriptionForeground); }
  #grid td.cell:focus { outline: 1px solid var(--vscode-focusBorder); }`,
    },
    body: `<h1>Evaluation Report</h1>
<p class="muted"><code id="folder"></code><span id="clock"></span></p>
<section id="live" hidden>
  <p><strong id="episode-of"></strong> · <span id="eta"></span></p>
  <div class="progress"><div id="progress-bar"></div></div>
</section>
<div class="buttons">
  <button id="btn-cancel" hidden>Cancel</button>
  <button id="btn-export" class="secondary">Export CSV</button>
  <button id="btn-export-dataset" class="secondary" title="The campaign's episodes as a LeRobot v3.0 dataset">Export as LeRobot Dataset…</button>
</div>
<p id="message"></p>
<section id="rates-section">
  <h2>Success rate per model (95 % Wilson interval)</h2>
  <table id="rates"><thead><tr><th>model</th><th>n (episodes)</th><th>success</th><th>95 % interval</th><th><div class="axis"><span>0 %</span><span>success rate (%)</span><span>100 %</span></div></th></tr></thead><tbody></tbody></table>
  <ul id="pairs" class="muted"></ul>
</section>
<section>
  <h2>Outcome per seed and model <span class="muted">(✓ success, ✗ failure, · not run yet; click a cell to open its episode)</span></h2>
  <table id="grid"><thead></thead><tbody></tbody></table>
</section>
<section>
  <h2>Seam ratio and starved ticks per model</h2>
  <table id="seams"><thead><tr><th>model</th><th>seam ratio (×, median of episodes)</th><th>lag (ticks, median of episodes)</th><th>starved ticks (count)</th><th>ticks (count)</th><th>starved (% of ticks)</th></tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>Latency per stage and model <span class="muted">(ms; bars: p50, p95, p99 over every tick)</span></h2>
  <p id="latency-none" class="muted">Written to summary.json when the campaign ends.</p>
  <table id="latency"><thead></thead><tbody></tbody></table>
</section>`,
  });
}
