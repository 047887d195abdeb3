// The Converter Inspector page: a nonce CSP (our script and our inline stylesheet only, images as data URLs), the
// skeleton the script fills in. Free of `vscode`: the panel passes the URIs as strings.
import { webviewPage } from '../webview/webviewPage';

export interface InspectorHtmlParts {
  /** webview.cspSource */
  readonly cspSource: string;
  /** asWebviewUri of dist/webview/inspector.js */
  readonly scriptUri: string;
  readonly nonce?: string;
}

export function inspectorHtml(parts: InspectorHtmlParts): string {
  return webviewPage({
    title: 'SO-100 Converter Inspector',
    cspSource: parts.cspSource,
    scriptUri: parts.scriptUri,
    nonce: parts.nonce,
    style: {
      css: `  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 12px 24px; }
  header { position: sticky; top: 0; background: var(--vscode-editor-background); padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 1.1em; margin: 0; }
  h2 { font-size: 1em; margin: 16px 0 6px; color: var(--vscode-descriptionForeground); text-transform: uppercase; letter-spacing: .04em; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.link { background: none; color: var(--vscode-textLink-foreground); padding: 0; text-decoration: underline; }
  #status { color: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; margin: 4px 0; max-width: 100%; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; vertical-align: top; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  @media (max-width: 720px) { body { padding: 0 6px 16px; } th, td { padding: 2px 4px; font-size: .92em; } }
  th { background: var(--vscode-editorWidget-background); }
  td.preview { font-family: var(--vscode-editor-font-family); max-width: 420px; }
  canvas.thumb { image-rendering: pixelated; border: 1px solid var(--vscode-panel-border); display: block; }
  .cameras { display: flex; gap: 12px; flex-wrap: wrap; }
  figure { margin: 0; }
  figcaption { color: var(--vscode-descriptionForeground); font-size: .9em; }
  .muted { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); border-left: 3px solid var(--vscode-errorForeground); padding: 4px 8px; margin: 8px 0; }
  ul#warnings { padding-left: 18px; margin: 4px 0; }
  li.warning { color: var(--vscode-editorWarning-foreground); }
  li.ok { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); }
  .badge { font-size: .85em; border: 1px solid currentColor; border-radius: 3px; padding: 0 4px; }`,
    },
    body: `<header>
  <h1>Converter Inspector</h1>
  <button id="refresh" title="Ask the runtime for its last exchange">Refresh</button>
  <label><input type="checkbox" id="auto" checked> Auto-refresh while an episode runs</label>
  <span id="status"></span>
</header>
<main id="root"></main>`,
  });
}
