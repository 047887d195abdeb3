// The frame of every webview page: one Content-Security-Policy for all of them (nothing by default, our script by
// nonce, our stylesheet by nonce or from the extension's own files, images from the extension or data URLs), and
// the page's own title, stylesheet and body. Free of `vscode`: the panels pass the URIs as strings.
import { randomBytes } from 'node:crypto';

export function newNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

export interface WebviewPage {
  readonly title: string;
  /** webview.cspSource */
  readonly cspSource: string;
  /** asWebviewUri of the page's bundled script. */
  readonly scriptUri: string;
  /** The page's CSS, inline (under the nonce), or the URI of a stylesheet among the extension's files. */
  readonly style: { readonly css: string } | { readonly href: string };
  /** Attributes of <body>, e.g. `data-stage="intro"`. */
  readonly bodyAttributes?: string;
  readonly body: string;
  readonly nonce?: string;
}

export function webviewPage(page: WebviewPage): string {
  const nonce = page.nonce ?? newNonce();
  const inline = 'css' in page.style;
  const csp = [
    "default-src 'none'",
    `img-src ${page.cspSource} data:`,
    inline ? `style-src 'nonce-${nonce}'` : `style-src ${page.cspSource}`,
    ...(inline ? [] : [`font-src ${page.cspSource}`]),
    `script-src 'nonce-${nonce}'`,
  ]
    .map((d) => `${d};`)
    .join(' ');
  const style =
    'css' in page.style
      ? `<style nonce="${nonce}">\n${page.style.css.replace(/^\n+|\s+$/g, '')}\n</style>`
      : `<link rel="stylesheet" href="${page.style.href}">`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${style}
<title>${page.title}</title>
</head>
<body${page.bodyAttributes ? ` ${page.bodyAttributes}` : ''}>
${page.body.trim()}
<script nonce="${nonce}" src="${page.scriptUri}"></script>
</body>
</html>`;
}
