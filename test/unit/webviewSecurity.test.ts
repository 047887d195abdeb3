// Webviews: a nonce CSP with default-src 'none', no inline handlers or inline scripts, no remote content; and the
// host drops every malformed message from a page (the validators both panels call first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardHtml } from '../../src/extension/dashboard/dashboardHtml';
import { inspectorHtml } from '../../src/extension/inspector/inspectorHtml';
import { episodeViewerHtml } from '../../src/extension/viewer/episodeViewerHtml';
import { isViewerMessage } from '../../src/contracts/episodeViewerMessages';
import { isDashboardToHost } from '../../src/contracts/dashboardMessages';
import { isInspectorMessage } from '../../src/contracts/inspectorMessages';
import { evaluationHtml } from '../../src/extension/evaluation/evaluationHtml';
import { isEvaluationToHost } from '../../src/contracts/evaluationMessages';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const pages = {
  dashboard: dashboardHtml({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/dist/webview/dashboard.js`,
    styleUri: `${CSP_SOURCE}/media/dashboard.css`,
    nonce: 'N0nce',
  }),
  inspector: inspectorHtml({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/dist/webview/inspector.js`,
    nonce: 'N0nce',
  }),
  episodeViewer: episodeViewerHtml({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/dist/webview/episodeViewer.js`,
    styleUri: `${CSP_SOURCE}/dist/webview/episodeViewer.css`,
    nonce: 'N0nce',
  }),
  evaluation: evaluationHtml({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/dist/webview/evaluation.js`,
    nonce: 'N0nce',
  }),
};

function csp(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  return new Map(
    m[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
}

for (const [name, html] of Object.entries(pages)) {
  test(`${name}: the CSP allows nothing by default, scripts only by nonce, no unsafe-inline or unsafe-eval`, () => {
    const p = csp(html);
    assert.deepEqual(p.get('default-src'), ["'none'"]);
    assert.deepEqual(p.get('script-src'), ["'nonce-N0nce'"]);
    for (const [directive, sources] of p) {
      for (const s of sources) {
        assert.ok(
          !/unsafe-(inline|eval|hashes)|^\*$|^https?:$|^https?:\/\/(?!file\+\.vscode-resource)/.test(s),
          `${directive} allows ${s}`,
        );
      }
    }
  });

  test(`${name}: every script and inline style carries the nonce; no inline handlers, javascript: URLs or remote content`, () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length >= 1);
    for (const s of scripts) assert.match(s, /nonce="N0nce"/);
    for (const s of html.matchAll(/<style\b[^>]*>/g)) assert.match(s[0], /nonce="N0nce"/);
    assert.doesNotMatch(html, /<script\b[^>]*>[^<\s]/, 'no inline script body');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /javascript:/i);
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    for (const u of urls) assert.ok(u.startsWith(CSP_SOURCE), `only the extension's own files load: ${u}`);
  });
}

test('the nonce is fresh per page when not given', () => {
  const a = dashboardHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y' });
  const b = dashboardHtml({ cspSource: CSP_SOURCE, scriptUri: 'x', styleUri: 'y' });
  const nonce = (h: string) => /'nonce-([^']+)'/.exec(h)?.[1];
  assert.ok((nonce(a) ?? '').length >= 16);
  assert.notEqual(nonce(a), nonce(b));
});

const malformed: unknown[] = [
  null,
  undefined,
  42,
  'ready',
  [],
  ['ready'],
  {},
  { type: 42 },
  { type: 'evil' },
  { type: '__proto__' },
  { type: 'command' },
  { type: 'command', name: 'rm -rf' },
  { type: 'setFrameMode', mode: 'x' },
  { type: 'setAutoRefresh' },
  { type: 'setAutoRefresh', on: 'yes' },
  { type: 'openLocation', file: '', line: 1, column: 1 },
  { type: 'openLocation', file: '/etc/passwd', line: 0, column: 1 },
  { type: 'openLocation', file: '/x', line: 1.5, column: 1 },
  { type: 'openLocation', file: 7, line: 1, column: 1 },
  { type: 'probe-reply', id: 'x', report: {} },
  { type: 'cursor' },
  { type: 'cursor', slot: 'c', tick: 3 },
  { type: 'cursor', slot: 'a', tick: Number.NaN },
  { type: 'cursor', slot: 'a', tick: '3' },
];

test("messages from a page: malformed ones are rejected by both panels' validators", () => {
  for (const m of malformed) {
    assert.equal(isDashboardToHost(m), false, `dashboard accepted ${JSON.stringify(m)}`);
    assert.equal(isInspectorMessage(m), false, `inspector accepted ${JSON.stringify(m)}`);
    assert.equal(isViewerMessage(m), false, `episode viewer accepted ${JSON.stringify(m)}`);
    assert.equal(isEvaluationToHost(m), false, `evaluation report accepted ${JSON.stringify(m)}`);
  }
  assert.equal(isViewerMessage({ type: 'cursor', slot: 'b', tick: 12 }), true);
  assert.equal(isViewerMessage({ type: 'exportDataset' }), true);
  assert.equal(isEvaluationToHost({ type: 'exportDataset' }), true);
  assert.equal(isEvaluationToHost({ type: 'openEpisode', model: 'pi0', seed: 1.5 }), false);
  assert.equal(isEvaluationToHost({ type: 'openEpisode', model: 'pi0', seed: 3 }), true);
  assert.equal(isDashboardToHost({ type: 'ready' }), true);
  assert.equal(isInspectorMessage({ type: 'openLocation', file: '/w/conv.ts', line: 3, column: 1 }), true);
});
