// The Calibrate Arm panel's pure parts: the guard on webview messages, the page's CSP, and the reload of a webview
// page that never announced itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCalibrationToHost, isHostToCalibration } from '../../src/contracts/calibrationMessages';
import { calibrationHtml } from '../../src/extension/calibration/calibrationHtml';
import { retryLoadUntilReady } from '../../src/extension/webview/webviewLoadRetry';

test('messages from the page: the five kinds pass, answers only from the known set, anything else is dropped', () => {
  for (const m of [
    { type: 'ready' },
    { type: 'start' },
    { type: 'sweep' },
    { type: 'close' },
    { type: 'answer', answer: 'recenter' },
  ]) {
    assert.equal(isCalibrationToHost(m), true, JSON.stringify(m));
  }
  for (const m of [
    null,
    [],
    'start',
    { type: 'answer' },
    { type: 'answer', answer: 'later' },
    { type: 'answer', answer: 1 },
    { type: 'answer', answer: 'toString' },
    { type: 'write' },
  ]) {
    assert.equal(isCalibrationToHost(m), false, JSON.stringify(m));
  }
  assert.equal(isHostToCalibration({ type: 'state', state: { stage: 'intro', target: {}, sweeping: false } }), true);
  assert.equal(isHostToCalibration({ type: 'state', state: { stage: 'intro' } }), false);
});

test('the page: one nonce for its script and style, nothing inline besides, every button the flow needs', () => {
  const html = calibrationHtml({
    cspSource: 'https://x.example',
    scriptUri: 'https://x.example/calibration.js',
    nonce: 'N0nce',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0nce';/);
  assert.match(csp, /style-src 'nonce-N0nce';/);
  assert.equal(html.match(/<script /g)?.length, 1);
  assert.match(html, /<script nonce="N0nce" src="https:\/\/x\.example\/calibration\.js">/);
  assert.doesNotMatch(html, /\son[a-z]+=/, 'no inline event handlers');
  for (const id of [
    'btn-start',
    'btn-continue',
    'btn-sweep',
    'btn-finish',
    'btn-recenter',
    'btn-restart',
    'btn-cancel',
    'btn-close',
    'joint-rows',
    'steps',
    'prompt',
  ]) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
});

test('a page that never says ready is loaded again, up to the attempts; one that does is left alone', (t) => {
  // node:test's mock timers: the retry's own clock, advanced by hand, so the count of reloads is exact.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const webview = { html: 'first' } as { html: string };
  let n = 0;
  let ready = false;
  const retry = retryLoadUntilReady(
    webview as never,
    () => `again ${++n}`,
    () => ready,
    { afterMs: 8000, attempts: 2 },
  );
  t.mock.timers.tick(7999);
  assert.equal(webview.html, 'first', 'not reloaded before afterMs');
  t.mock.timers.tick(1);
  assert.equal(webview.html, 'again 1');
  t.mock.timers.tick(8000);
  assert.equal(webview.html, 'again 2');
  t.mock.timers.tick(80_000);
  assert.equal(webview.html, 'again 2', 'two reloads, then it gives up');
  retry.dispose();
  const other = { html: 'first' };
  let otherLoads = 0;
  const kept = retryLoadUntilReady(
    other as never,
    () => `again ${++otherLoads}`,
    () => ready,
    { afterMs: 8000 },
  );
  t.mock.timers.tick(8000);
  assert.equal(other.html, 'again 1', 'not ready yet: loaded again');
  ready = true;
  t.mock.timers.tick(80_000);
  assert.equal(other.html, 'again 1', 'ready: left alone');
  kept.dispose();
  const disposed = { html: 'first' };
  ready = false;
  retryLoadUntilReady(
    disposed as never,
    () => 'again',
    () => ready,
    {},
  ).dispose();
  t.mock.timers.tick(80_000);
  assert.equal(disposed.html, 'first', 'dispose stops the retries');
});
