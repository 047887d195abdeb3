// A webview whose page never said `ready` is loaded again. In VS Code for the Web (code-server) a panel restored
// after a reload can request its script before the webview's service worker controls the frame; the request
// then goes to the real network (offline: ERR_NAME_NOT_RESOLVED) and the page stays an empty skeleton.
import type * as vscode from 'vscode';

export interface LoadRetryOptions {
  /** How long a page may take to announce itself before it is loaded again. */
  readonly afterMs?: number;
  readonly attempts?: number;
}

/** Re-sets the panel's HTML (fresh from `html()`) until `isReady()` or the attempts run out; dispose to stop. */
export function retryLoadUntilReady(
  webview: vscode.Webview,
  html: () => string,
  isReady: () => boolean,
  options: LoadRetryOptions = {},
): vscode.Disposable {
  const afterMs = options.afterMs ?? 8000;
  let left = options.attempts ?? 3;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    timer = undefined;
    if (isReady() || left-- <= 0) return;
    webview.html = html();
    timer = setTimeout(check, afterMs);
  };
  timer = setTimeout(check, afterMs);
  return {
    dispose: () => {
      if (timer) clearTimeout(timer);
    },
  };
}
