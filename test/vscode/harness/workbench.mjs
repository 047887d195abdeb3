// Drives the code-server web workbench in Debian's headless chromium through playwright-core.
import { chromium } from 'playwright-core';
import { format } from 'node:util';
import { appendFileSync } from 'node:fs';

export const chromiumPath = process.env.SO100_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * The workbench URL for `folder`, optionally with a development extension and an extension-tests module
 * (the `--extensionDevelopmentPath` / `--extensionTestsPath` flow; code-server only takes them as URL payload).
 */
export function workbenchUrl(server, { folder, devPath, testsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [];
  if (devPath) payload.push(['extensionDevelopmentPath', remote(devPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

function formatLogArgs(args) {
  if (Array.isArray(args))
    return args.length && typeof args[0] === 'string' ? format(...args) : args.map(String).join(' ');
  return String(args);
}

/**
 * Loads the workbench with `testsPath` and resolves when the extension-host test module reports its
 * exit code. Every line the extension host logs goes to `logFile`; `onLine` sees each one.
 */
export async function runExtensionTests(browser, server, { folder, devPath, testsPath, logFile, timeoutMs, onLine }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  let resolveExit;
  const exited = new Promise((r) => {
    resolveExit = r;
  });
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const line = formatLogArgs(args);
    appendFileSync(logFile, `[${level}] ${line}\n`);
    onLine?.(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(Number(code));
  });
  page.on('console', (m) => appendFileSync(logFile, `[page ${m.type()}] ${m.text()}\n`));
  await page.goto(workbenchUrl(server, { folder, devPath, testsPath }), { timeout: 30_000 });
  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(r, timeoutMs, 'timeout');
  });
  const code = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  return { code, page, context };
}

/** Opens the workbench (no tests) and waits until its DOM is there. */
export async function openWorkbench(browser, server, { folder, devPath, logFile }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => appendFileSync(logFile, `[page ${m.type()}] ${m.text()}\n`));
  await page.goto(workbenchUrl(server, { folder, devPath }), { timeout: 30_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 30_000 });
  return { page, context };
}

const paletteInput = '.quick-input-widget input';

/** Labels of the palette's rows while filtering for `filter`. */
async function paletteRows(page, filter) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator(paletteInput).waitFor({ state: 'visible', timeout: 5000 });
  await page.locator(paletteInput).fill(`>${filter}`);
  await page.waitForTimeout(400);
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

/**
 * Commands matching `filter` in the palette, reopening it until `expected` shows up (extension commands
 * arrive a few seconds after the DOM) or `timeoutMs` passes. Leaves the palette open.
 */
export async function paletteCommands(page, filter, expected, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let rows = [];
  do {
    rows = await paletteRows(page, filter);
    if (rows.some((r) => r.includes(expected))) return rows;
    await page.waitForTimeout(1000);
  } while (Date.now() < deadline);
  return rows;
}

/** Runs the palette command whose label contains `label`; throws if it never appears. */
export async function runCommand(page, label, timeoutMs = 30_000) {
  const rows = await paletteCommands(page, label, label, timeoutMs);
  if (!rows.some((r) => r.includes(label))) {
    await page.keyboard.press('Escape');
    throw new Error(
      `command "${label}" not in the palette after ${timeoutMs / 1000} s (rows: ${rows.join(' | ') || 'none'})`,
    );
  }
  // "Reload Window" also matches "Reload Window With Extensions Disabled": take the closest label.
  const best = rows.filter((r) => r.includes(label)).sort((a, b) => a.length - b.length)[0];
  await page
    .locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label="${best.replace(/"/g, '\\"')}"]`)
    .first()
    .click({ timeout: 5000 });
}

/**
 * Runs "Developer: Reload Window" and waits for the new workbench. The palette can miss (focus inside a webview, a slow
 * quick pick), so a second try follows a reload that never came; the wait for the page's load is always handled, so
 * a miss is a failed scenario, never an unhandled rejection that ends the whole run.
 */
export async function reloadWindow(page, timeoutMs = 30_000) {
  let lastError;
  for (let attempt = 0; attempt < 2; attempt++) {
    const loaded = page.waitForEvent('load', { timeout: timeoutMs }).then(
      () => true,
      () => false,
    );
    try {
      await runCommand(page, 'Developer: Reload Window');
    } catch (err) {
      lastError = err;
    }
    if (await loaded) {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
      return;
    }
    await page.keyboard.press('Escape').catch(() => undefined);
  }
  throw new Error(`the window did not reload after two tries${lastError ? ` (${lastError.message})` : ''}`);
}

/** Waits until the status bar has an item whose text matches `re`; returns that text. */
export async function waitStatusBar(page, re, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let texts = [];
  while (Date.now() < deadline) {
    texts = await page
      .locator('#workbench\\.parts\\.statusbar .statusbar-item')
      .evaluateAll((items) => items.map((i) => (i.textContent ?? '').trim()).filter(Boolean));
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    await page.waitForTimeout(250);
  }
  throw new Error(`no status bar item matching ${re} within ${timeoutMs / 1000} s (items: ${texts.join(' | ')})`);
}

/** Waits until a notification toast whose text matches `re` is shown; returns its text. */
export async function waitNotification(page, re, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let texts = [];
  while (Date.now() < deadline) {
    texts = await page
      .locator('.notification-toast, .notifications-center .notification-list-item')
      .evaluateAll((items) => items.map((i) => (i.textContent ?? '').trim()));
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    await page.waitForTimeout(250);
  }
  throw new Error(
    `no notification matching ${re} within ${timeoutMs / 1000} s (shown: ${texts.join(' | ') || 'none'})`,
  );
}
