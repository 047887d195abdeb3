// What every SO-100 webview panel does with its page: the options that let it run our bundled scripts (files only
// from dist/webview), the webview URI of a bundled file, and the wiring of its HTML (reloaded until the page says it
// is ready), its checked messages and its disposal. Written once here; the panels differ only in what they hand in.
import * as vscode from 'vscode';
import { retryLoadUntilReady } from './webviewLoadRetry';

/** Webview options of our panels: scripts on, local files only from dist/webview. */
export function pageOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/** The webview URI of dist/webview/<file>. */
export function pageFile(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, file: string): string {
  return panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
}

export interface PageWiring<M> {
  /** The page's HTML (built again on each reload attempt). */
  readonly html: () => string;
  /** The contract's check of a page → host message; anything else is dropped. */
  readonly isMessage: (m: unknown) => m is M;
  readonly onMessage: (m: M) => void;
  /** The page has said `ready`. */
  readonly ready: () => boolean;
  readonly onDispose: () => void;
}

/** Sets the page's HTML and wires its load retry, messages and disposal; dispose the result to end the wiring. */
export function wirePage<M>(panel: vscode.WebviewPanel, w: PageWiring<M>): vscode.Disposable[] {
  panel.webview.html = w.html();
  return [
    retryLoadUntilReady(panel.webview, w.html, w.ready),
    panel.onDidDispose(w.onDispose),
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (w.isMessage(m)) w.onMessage(m);
    }),
  ];
}
