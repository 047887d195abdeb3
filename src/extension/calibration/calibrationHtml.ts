// The Calibrate Arm page: a nonce CSP (our script and inline stylesheet only; the range bars are positioned from
// the script through CSSOM, which the CSP allows), theme colours, and the skeleton the script fills in.
import { webviewPage } from '../webview/webviewPage';

export interface CalibrationHtmlParts {
  /** webview.cspSource */
  readonly cspSource: string;
  /** asWebviewUri of dist/webview/calibration.js */
  readonly scriptUri: string;
  readonly nonce?: string;
}

export function calibrationHtml(parts: CalibrationHtmlParts): string {
  return webviewPage({
    title: 'SO-100 Calibrate Arm',
    cspSource: parts.cspSource,
    scriptUri: parts.scriptUri,
    nonce: parts.nonce,
    bodyAttributes: 'data-stage="intro"',
    style: {
      css: `  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; max-width: 860px; }
  h1 { font-size: 1.2em; margin: 12px 0 4px; }
  .where { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
  code { font-family: var(--vscode-editor-font-family); }
  ol#steps { display: flex; gap: 6px; padding: 0; margin: 8px 0 16px; list-style: none; flex-wrap: wrap; counter-reset: step; }
  ol#steps li { counter-increment: step; padding: 3px 10px; border: 1px solid var(--vscode-panel-border); border-radius: 12px; color: var(--vscode-descriptionForeground); }
  ol#steps li::before { content: counter(step) ". "; }
  ol#steps li[data-state="current"] { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border-color: var(--vscode-button-background); font-weight: bold; }
  ol#steps li[data-state="done"] { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); border-color: var(--vscode-testing-iconPassed, var(--vscode-panel-border)); }
  ol#steps li[data-state="done"]::before { content: "✓ "; }
  #prompt { font-size: 1.1em; margin: 8px 0 12px; min-height: 1.4em; }
  .buttons { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 5px 14px; cursor: pointer; }
  button:hover:not(:disabled) { background: var(--vscode-button-hoverBackground); }
  button:disabled { opacity: .5; cursor: default; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button.secondary:hover:not(:disabled) { background: var(--vscode-button-secondaryHoverBackground); }
  [hidden] { display: none !important; }
  #message.error { color: var(--vscode-errorForeground); border-left: 3px solid var(--vscode-errorForeground); padding: 4px 8px; }
  #message.warning { color: var(--vscode-editorWarning-foreground); border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 8px; }
  #message.ok { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); border-left: 3px solid currentColor; padding: 4px 8px; }
  ul#problems { padding-left: 18px; color: var(--vscode-editorWarning-foreground); }
  table { border-collapse: collapse; margin: 4px 0; width: 100%; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; font-variant-numeric: tabular-nums; }
  th { background: var(--vscode-editorWidget-background); }
  td:last-child { width: 40%; }
  .bar { position: relative; height: 10px; background: var(--vscode-input-background); border: 1px solid var(--vscode-panel-border); }
  .bar .range { position: absolute; top: 0; bottom: 0; background: var(--vscode-progressBar-background); opacity: .6; }
  .bar .now { position: absolute; top: -3px; bottom: -3px; width: 2px; background: var(--vscode-foreground); }
  .muted { color: var(--vscode-descriptionForeground); }`,
    },
    body: `<h1>Calibrate Arm</h1>
<p class="where">Robot <strong id="target"></strong> · saved to <code id="file"></code></p>
<ol id="steps"></ol>
<p id="prompt"></p>
<ul id="problems"></ul>
<section id="ranges" hidden>
  <table>
    <thead><tr><th>joint</th><th>min</th><th>max</th><th>current</th><th>travel</th><th>range of the encoder (0–4095) <span id="samples" class="muted"></span></th></tr></thead>
    <tbody id="joint-rows"></tbody>
  </table>
</section>
<div class="buttons">
  <button id="btn-start" hidden>Start: turn torque off</button>
  <button id="btn-continue" hidden>Continue</button>
  <button id="btn-sweep" class="secondary" hidden>Sweep joints (simulator)</button>
  <button id="btn-finish" hidden>Finish</button>
  <button id="btn-recenter" class="secondary" hidden title="Move the homing offset of a joint that crossed the encoder's wrap to the middle of its travel">Recenter</button>
  <button id="btn-restart" class="secondary" hidden title="Back to the middle pose">Restart</button>
  <button id="btn-cancel" class="secondary" hidden>Cancel</button>
  <button id="btn-close" class="secondary" hidden>Close</button>
</div>
<p id="message"></p>`,
  });
}
