// UI scenarios: what a user does in the workbench, checked through the DOM. Each scenario is a function
// (page, ctx) → Promise<void> that throws with a readable reason; several share one page.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { paletteCommands, reloadWindow, runCommand, waitNotification, waitStatusBar } from './workbench.mjs';

const START = 'SO-100: Start Inference Server';
const STOP = 'SO-100: Stop Inference Server';
const SHOW_LOG = 'SO-100: Show Server Log';
const SHOW_DASHBOARD = 'SO-100: Show Dashboard';

/** A panel's page: the webview's outer iframe (workbench) → its inner #active-frame (our HTML); the first one open. */
const webviewFrame = (page) =>
  page
    .frameLocator('iframe.webview.ready[src*="extensionId=so100-policy-lab.so100-policy-lab"]')
    .frameLocator('#active-frame');
const dashboardFrame = webviewFrame;

/**
 * Waits until every selector is visible in one of the extension's open webviews; returns each one's page (inner
 * frame), in the order of `selectors`.
 */
async function waitPanels(page, selectors, timeoutMs) {
  const outer = page.locator('iframe.webview.ready[src*="extensionId=so100-policy-lab.so100-policy-lab"]');
  const deadline = Date.now() + timeoutMs;
  let found = [];
  for (;;) {
    const frames = [];
    for (let i = 0; i < (await outer.count()); i++)
      frames.push(outer.nth(i).contentFrame().frameLocator('#active-frame'));
    found = await Promise.all(
      selectors.map(async (sel) => {
        for (const f of frames)
          if (
            await f
              .locator(sel)
              .isVisible()
              .catch(() => false)
          )
            return f;
        return undefined;
      }),
    );
    if (found.every(Boolean)) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `after ${timeoutMs / 1000} s, ${await outer.count()} webview(s); not shown: ${selectors.filter((_, i) => !found[i]).join(', ')}`,
      );
    }
    await page.waitForTimeout(500);
  }
}

/** The simple file dialog (open): types `path` and accepts it. */
async function acceptFileDialog(page, path) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The dialog fills in its start folder after it opens: type only once that is there, and again if it was
  // overwritten, so Enter accepts our path and not the folder.
  const typeDeadline = Date.now() + 15_000;
  while ((await input.inputValue({ timeout: 10_000 })) !== path) {
    if (Date.now() > typeDeadline) throw new Error(`the file dialog holds "${await input.inputValue()}"`);
    if ((await input.inputValue()).length > 0) await input.fill(path);
    await page.waitForTimeout(300);
  }
  await input.press('Enter');
}

/** Records an episode with the CLI (`so100 episode … --record out`) into `out`; returns its folder. */
function recordEpisode(out, flags) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const rec = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'episode', ...flags, '--record', out],
    { cwd: root, encoding: 'utf8' },
  );
  // 1: the episode ran and was recorded, the cube not lifted.
  if (rec.status !== 0 && rec.status !== 1) throw new Error(`recording failed: ${rec.stderr}`);
  return join(out, readdirSync(out)[0]);
}

/**
 * compareEpisodes on two records read from disk, and what the viewer calls each, as the extension host computes them:
 * `{ comparison, labels: [a, b] }`.
 */
function compareRecords(dirA, dirB) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  // CommonJS: tsx hands this package's TypeScript to a dynamic import() as a default export only.
  const script = `
    const { EpisodeView } = require(${JSON.stringify(join(root, 'src/io/recording/episodeView.ts'))});
    const { compareEpisodes } = require(${JSON.stringify(join(root, 'src/core/episodeView/index.ts'))});
    (async () => {
      const [a, b] = await Promise.all([EpisodeView.open(${JSON.stringify(dirA)}), EpisodeView.open(${JSON.stringify(dirB)})]);
      const comparison = compareEpisodes(a.timeline.steps, b.timeline.steps);
      console.log(JSON.stringify({ comparison, labels: [a.label, b.label] }));
      a.dispose();
      b.dispose();
    })();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`comparing the records failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/**
 * Every number on screen agrees (the episode is paused, so nothing moves while they are read): one step count in
 * the status bar, the side bar and the Dashboard's header; units on every joint and chunk plot and on the timing
 * table; camera tiles of one tick, or a tile that says it is behind.
 */
async function numbersAgree(page, frame) {
  const status = await waitStatusBar(page, /SO-100 arm:.* paused \d+\/\d+/, 10_000);
  const statusStep = /paused (\d+)\/(\d+)/.exec(status).slice(1).join('/');
  const arm =
    (await page.locator('.pane-body .monaco-list-row').filter({ hasText: 'Arm' }).first().textContent()) ?? '';
  const treeStep = /paused (\d+)\/(\d+)/.exec(arm)?.slice(1).join('/');
  const header = (await frame.locator('#progress').textContent()) ?? '';
  const headerStep = /step (\d+) \/ (\d+)/.exec(header)?.slice(1).join('/');
  if (!(statusStep === treeStep && treeStep === headerStep))
    throw new Error(`step counts differ: status bar "${status}", side bar "${arm}", dashboard "${header}"`);
  const labels = async (sel) =>
    frame.locator(sel).evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
  for (const sel of ['#joints canvas', '#chunks canvas']) {
    const names = await labels(sel);
    const unitless = names.filter((n) => !/\((°|%|±100)\)/.test(n));
    if (names.length !== 6 || unitless.length > 0 || !names.some((n) => /^gripper \(%\)/.test(n)))
      throw new Error(`${sel} plots without units: ${JSON.stringify(names)}`);
  }
  const heads = await frame.locator('#timing-table thead th').allTextContents();
  if (heads.filter((h) => /\(ms\)/.test(h)).length !== 4) throw new Error(`timing columns: ${JSON.stringify(heads)}`);
  const captions = await frame.locator('#cameras figcaption').allTextContents();
  const ticks = new Set(captions.filter((c) => !/behind/.test(c)).map((c) => /tick (\d+)/.exec(c)?.[1]));
  if (captions.length < 2 || ticks.size > 1)
    throw new Error(`camera tiles of different ticks: ${JSON.stringify(captions)}`);
}

/** The development extension's palette and status bar, on one page, in order. */
export const developmentScenarios = [
  {
    name: 'UI: palette offers Start (not Stop) while stopped; Start turns the status bar item ready',
    async run(page, ctx) {
      // Filtered to the server commands: the whole SO-100 list is longer than the palette shows at once.
      const rows = await paletteCommands(page, 'SO-100: S', START);
      assertRows(rows, [START, SHOW_LOG], [STOP]);
      await page.keyboard.press('Escape');
      await runCommand(page, START);
      const text = await waitStatusBar(page, /SO-100 server: ready/, 30_000);
      await page.screenshot({ path: join(ctx.runDir, 'status-ready.png') });
      if (!/ready/.test(text)) throw new Error(`status bar shows "${text}"`);
    },
  },
  {
    name: "UI: clicking the status bar item shows the server log with the child's lines",
    async run(page) {
      await page
        .locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'SO-100 server' })
        .first()
        .locator('a, .statusbar-item-label')
        .first()
        .click({ timeout: 5000 });
      const output = page.locator('.part.panel .monaco-editor .view-lines');
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline) {
        // Monaco renders spaces as U+00A0.
        text = (await output.allTextContents().catch(() => [])).join('\n').replace(/\u00a0/g, ' ');
        if (/\[so100 serve\].*listening on/.test(text)) return;
        await page.waitForTimeout(250);
      }
      throw new Error(
        `output panel does not show the server's "listening on" line (shows: ${text.slice(0, 300) || 'nothing'})`,
      );
    },
  },
  {
    name: "UI: palette offers Stop (not Start) while ready; the tooltip's Stop link turns the status bar item stopped",
    async run(page) {
      const rows = await paletteCommands(page, 'SO-100: S', STOP);
      assertRows(rows, [STOP, SHOW_LOG], [START]);
      await page.keyboard.press('Escape');
      const item = page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'SO-100 server' }).first();
      await page.mouse.move(640, 300); // the pointer may still rest on the item since the click above: leave first
      await page.waitForTimeout(200);
      await item.hover({ timeout: 5000 });
      // The workbench shows hovers on mouse movement over the item, not on the pointer merely arriving.
      const box = await item.boundingBox();
      if (box)
        for (const dx of [2, 4, 6]) {
          await page.mouse.move(box.x + box.width / 2 + dx, box.y + box.height / 2);
          await page.waitForTimeout(150);
        }
      const hover = page
        .locator('.workbench-hover, .monaco-hover')
        .filter({ hasText: 'SO-100 inference server' })
        .first();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      const links = await hover.locator('a').allTextContents();
      if (!links.includes('Show Server Log') || !links.includes('Stop'))
        throw new Error(`tooltip links: ${JSON.stringify(links)}`);
      await hover.locator('a', { hasText: 'Stop' }).click({ timeout: 5000 });
      await waitStatusBar(page, /SO-100 server: stopped/, 20_000);
    },
  },
  {
    name: 'UI: cancelling the "starting" notification aborts the start and ends the child',
    async run(page, ctx) {
      // A command that never answers on the probed port, so the start stays pending until cancelled.
      const vscodeDir = join(ctx.workspace, '.vscode');
      mkdirSync(vscodeDir, { recursive: true });
      writeFileSync(
        join(vscodeDir, 'settings.json'),
        JSON.stringify({
          'so100.server.kind': 'command',
          'so100.server.command': process.execPath,
          'so100.server.args': ['-e', 'setInterval(() => {}, 1000) // so100-e2e-never-ready'],
          'so100.server.port': ctx.unusedPort,
        }),
      );
      try {
        // The settings file reaches VS Code through a file watcher. A start that still used the old settings
        // runs the built-in server: stop it and try again (the check below is on the spawned process itself).
        let pids = [];
        for (let attempt = 1; pids.length === 0; attempt++) {
          await page.waitForTimeout(2000);
          await runCommand(page, START);
          pids = await ctx.waitForPids(['so100-e2e-never-ready'], 1, 8000).catch(() => []);
          if (pids.length === 0) {
            if (attempt === 3)
              throw new Error('three starts did not run the command from the changed .vscode/settings.json');
            await runCommand(page, STOP).catch(() => undefined);
            await waitStatusBar(page, /SO-100 server: (stopped|failed)/, 20_000);
          }
        }
        await waitNotification(page, /starting the node inference server/, 15_000);
        await waitStatusBar(page, /SO-100 server: starting/, 10_000);
        await page
          .locator('.notification-toast', { hasText: 'starting the node inference server' })
          .getByRole('button', { name: 'Cancel' })
          .click({ timeout: 5000 });
        await waitStatusBar(page, /SO-100 server: stopped/, 20_000);
        await ctx.waitGone(pids, 10_000);
      } finally {
        writeFileSync(join(vscodeDir, 'settings.json'), '{}\n');
      }
    },
  },
  {
    name: 'UI: while no episode runs the palette offers Run Episode and Emergency Stop, not Pause / Resume / Stop Episode; the SO-100 side bar lists the arm, server and models',
    async run(page, ctx) {
      const run = await paletteCommands(page, 'SO-100: Run Episode', 'SO-100: Run Episode');
      assertRows(run, ['SO-100: Run Episode'], []);
      const estop = await paletteCommands(page, 'SO-100: Emergency Stop', 'SO-100: Emergency Stop');
      assertRows(estop, ['SO-100: Emergency Stop'], []);
      for (const hidden of ['SO-100: Pause', 'SO-100: Resume', 'SO-100: Stop Episode']) {
        const rows = await paletteCommands(page, hidden, hidden, 2500);
        assertRows(rows, [], [hidden]);
      }
      await page.keyboard.press('Escape');
      await page.locator('.activitybar .action-item a[aria-label^="SO-100"]').first().click({ timeout: 10_000 });
      const tree = page.locator('.pane-body .monaco-list-row');
      await tree.filter({ hasText: 'Arm' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      const labels = (await tree.allTextContents()).join(' | ');
      for (const want of ['Arm', 'Policy server', 'Models', 'pi0', 'pi0_fast', 'Recent Episodes']) {
        if (!labels.includes(want)) throw new Error(`side bar rows: ${labels}`);
      }
      if (!/simulated SO-100/.test(labels)) throw new Error(`the arm row does not say which arm: ${labels}`);
      await page.screenshot({ path: join(ctx.runDir, 'lab-view.png') });
    },
  },
  {
    name: 'UI: "SO-100: Show Dashboard" renders its sections and a red Emergency Stop; Run without a runtime explains itself',
    async run(page, ctx) {
      await runCommand(page, SHOW_DASHBOARD);
      const frame = dashboardFrame(page);
      const estop = frame.locator('#btn-estop');
      await estop.waitFor({ state: 'visible', timeout: 30_000 });
      for (const id of ['section-cameras', 'section-joints', 'section-chunks', 'section-timing']) {
        await frame.locator(`#${id}`).waitFor({ state: 'visible', timeout: 5000 });
      }
      // init arrived: one joint plot and one fan plot per motor.
      const deadline = Date.now() + 10_000;
      let plots = 0;
      while ((plots = await frame.locator('#joints .plot').count()) < 6 && Date.now() < deadline)
        await page.waitForTimeout(200);
      if (plots !== 6) throw new Error(`${plots} joint plots, expected 6`);
      if ((await frame.locator('#chunks .plot').count()) !== 6) throw new Error('the chunk fan has no plot per motor');
      const look = await estop.evaluate((b) => {
        const bg = getComputedStyle(b).backgroundColor.match(/\d+/g)?.map(Number) ?? [];
        return { bg, disabled: b.disabled, text: b.textContent };
      });
      const [r, g, b] = look.bg;
      if (!(r > 150 && g < 90 && b < 90) || look.disabled)
        throw new Error(`Emergency Stop looks ${JSON.stringify(look)}, expected an enabled red button`);
      const phase = (await frame.locator('#phase').textContent())?.trim();
      if (phase !== 'no runtime') throw new Error(`phase shows "${phase}"`);
      // Before any tick the sections say so; no placeholder axes over made-up values, no "last 0 ticks".
      for (const id of ['joints-empty', 'chunks-empty', 'timing-empty'])
        await frame.locator(`#${id}`).waitFor({ state: 'visible', timeout: 5000 });
      if (await frame.locator('#joints').isVisible()) throw new Error('the empty dashboard shows joint plots');
      const budget = (await frame.locator('#budget').textContent()) ?? '';
      if (/last 0 ticks/.test(budget)) throw new Error(`the empty dashboard says "${budget}"`);
      await page.screenshot({ path: join(ctx.runDir, 'dashboard.png') });
      // Run from the panel: the real runtime picks the cube up while the panel draws it.
      await frame.locator('#btn-run').click({ timeout: 5000 });
      const phaseIs = async (re, timeoutMs) => {
        const until = Date.now() + timeoutMs;
        let text = '';
        while (Date.now() < until) {
          text = (await frame.locator('#phase').textContent())?.trim() ?? '';
          if (re.test(text)) return text;
          await page.waitForTimeout(250);
        }
        throw new Error(`the panel's state shows "${text}", waited for ${re}`);
      };
      await phaseIs(/^running$/, 60_000);
      const cameraInk = async () =>
        frame
          .locator('#cameras canvas')
          .first()
          .evaluate((c) => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let lit = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
            return lit;
          })
          .catch(() => 0);
      const until = Date.now() + 20_000;
      let lit = 0;
      while ((lit = await cameraInk()) < 1000 && Date.now() < until) await page.waitForTimeout(250);
      if (lit < 1000) throw new Error(`the first camera canvas has ${lit} lit pixels while an episode runs`);
      await page.screenshot({ path: join(ctx.runDir, 'dashboard-running.png') });
      await frame.locator('#btn-estop').click({ timeout: 5000 });
      await phaseIs(/^estopped$/, 15_000);
      // Give keyboard focus back to the workbench (the palette is opened with F1 next).
      await page.evaluate(() => {
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      });
    },
  },
  {
    name: 'UI: Reload Window deactivates the extension, which stops the running server and the runtime',
    async run(page, ctx) {
      await page.waitForTimeout(1500); // settings emptied above → back to the built-in server
      // The dashboard's episode above left the server running; Start is only offered when it is not.
      if (!(await waitStatusBar(page, /SO-100 server: ready/, 1500).catch(() => undefined))) {
        await runCommand(page, START);
        await waitStatusBar(page, /SO-100 server: ready/, 30_000);
      }
      const pids = [
        ...(await ctx.waitForPids(['dist/cli.js', 'serve'], 1)),
        ...(await ctx.waitForPids(['dist/runtime.js'], 1)),
      ];
      // (Tried "Developer: Restart Extension Host" instead: in code-server 4.100.3 the status bar still said
      // ready and the server ran on 15 s later, so the reload it is.)
      await reloadWindow(page);
      await ctx.waitGone(pids, 15_000);
    },
  },
  {
    name: 'UI: after the reload the dashboard is restored by its serializer',
    async run(page) {
      await dashboardFrame(page).locator('#btn-estop').waitFor({ state: 'visible', timeout: 30_000 });
    },
  },
  {
    name: 'UI: Step, then Open Converter Inspector: the policy input is listed with its thumbnail drawn',
    async run(page, ctx) {
      // Only this panel's webview on the page (the restored dashboard would be found first).
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'SO-100: Step');
      await runCommand(page, 'SO-100: Open Converter Inspector');
      const view = page
        .frameLocator('iframe.webview.ready[src*="extensionId=so100-policy-lab.so100-policy-lab"]')
        .frameLocator('#active-frame');
      const row = view.locator('tr[data-key="observation/images.main"]');
      // The step runs in the background (server start, connect, then the policy's reply): refresh until its whole
      // exchange is there — the input row, and the reply's target row (the reply may land after the input).
      const targetRowText = async () =>
        (
          (await view
            .locator('#joint-targets tr')
            .nth(1)
            .textContent({ timeout: 1000 })
            .catch(() => '')) ?? ''
        ).trim();
      const exchangeShown = async () =>
        (await row.isVisible().catch(() => false)) && /^target/.test(await targetRowText());
      const deadline = Date.now() + 60_000;
      while (!(await exchangeShown())) {
        if (Date.now() > deadline)
          throw new Error(
            `no policy input and target rows after 60 s; the panel says: ${await view
              .locator('body')
              .innerText()
              .catch(() => '?')}`,
          );
        await view
          .locator('#refresh')
          .click({ timeout: 5000 })
          .catch(() => undefined);
        await page.waitForTimeout(1000);
      }
      const cells = await row.locator('td').allTextContents();
      if (cells[1] !== '|u1' || cells[2] !== '(224, 224, 3)')
        throw new Error(`main image row: ${JSON.stringify(cells)}`);
      const colours = await row.locator('canvas.thumb').evaluate((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return { width: c.width, height: c.height, colours: seen.size };
      });
      if (colours.width !== 96 || colours.height !== 96 || colours.colours < 20)
        throw new Error(`thumbnail: ${JSON.stringify(colours)}`);
      if (!(await view.locator('section#observation canvas.thumb').count()))
        throw new Error('no camera thumbnails in the observation');
      // Half a window wide, the tables fit: nothing clipped behind a scrollbar.
      const viewport = page.viewportSize();
      await page.setViewportSize({ width: 960, height: viewport?.height ?? 800 });
      await page.waitForTimeout(1000);
      const fit = await view.locator('body').evaluate((body) => ({
        width: document.documentElement.clientWidth,
        scroll: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('table')]
          .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map((t) => t.closest('section')?.id ?? '?'),
        rawFloats: (body.innerText.match(/\d\.\d{9,}/g) ?? []).slice(0, 3),
      }));
      if (viewport) await page.setViewportSize(viewport);
      if (fit.width > 700) throw new Error(`the narrow window left the inspector ${fit.width} px wide`);
      if (fit.wide.length || fit.scroll > fit.width + 1)
        throw new Error(`at ${fit.width} px the inspector clips: ${JSON.stringify(fit)}`);
      if (fit.rawFloats.length) throw new Error(`raw floats on the inspector: ${fit.rawFloats.join(', ')}`);
      const targetRow = ((await view.locator('#joint-targets tr').nth(1).textContent()) ?? '').trim();
      if (!/^target for tick \d+/.test(targetRow)) throw new Error(`the target row says "${targetRow}"`);
      await page.screenshot({ path: join(ctx.runDir, 'converter-inspector.png') });
      await runCommand(page, 'SO-100: Stop Episode');
      // Keyboard focus back to the workbench (the next scenario opens the palette with F1).
      await page.waitForTimeout(500);
      await page.evaluate(() => {
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      });
    },
  },
  {
    name: 'UI: after Reload Window the Converter Inspector is restored by its serializer and asks the (new) runtime again',
    async run(page, ctx) {
      await reloadWindow(page);
      const [inspector] = await waitPanels(page, ['#refresh'], 45_000);
      // No runtime runs after the reload (deactivate stopped it): the restored panel says what to do.
      const deadline = Date.now() + 20_000;
      let text = '';
      while (!/No runtime is running/.test(text) && Date.now() < deadline) {
        text =
          (await inspector
            .locator('#message')
            .textContent({ timeout: 2000 })
            .catch(() => '')) ?? '';
        await page.waitForTimeout(250);
      }
      if (!/No runtime is running/.test(text)) throw new Error(`the restored inspector shows "${text}"`);
      await page.screenshot({ path: join(ctx.runDir, 'inspector-restored.png') });
    },
  },
  {
    name: 'UI: "SO-100: Calibrate Arm" walks the simulator through every step in its panel (Start, Continue, Sweep, Finish) and saves the file',
    async run(page, ctx) {
      const configFile = join(ctx.workspace, 'so100.json');
      const saved = join(ctx.workspace, '.so100', 'calibration', 'ui_arm.json');
      writeFileSync(configFile, JSON.stringify({ robot: { id: 'ui_arm', calibrationDir: '.so100/calibration' } }));
      try {
        await runCommand(page, 'View: Close All Editors');
        const view = webviewFrame(page);
        const body = view.locator('body');
        // so100.json reaches the extension through a file watcher: reopen until the panel names its robot.
        for (let attempt = 1; ; attempt++) {
          await page.waitForTimeout(1500);
          await runCommand(page, 'SO-100: Calibrate Arm');
          await view.locator('#btn-start').waitFor({ state: 'visible', timeout: 30_000 });
          if ((await view.locator('#target').textContent())?.includes('ui_arm')) break;
          if (attempt === 3)
            throw new Error(
              `the panel names "${await view.locator('#target').textContent()}", not ui_arm from so100.json`,
            );
        }
        const stateOf = () =>
          body.evaluate((b) => ({
            stage: b.dataset.stage,
            phase: b.dataset.phase,
            visible: [...document.querySelectorAll('button')].filter((x) => !x.hidden).map((x) => x.id),
            current: document.querySelector('#steps li[data-state="current"]')?.textContent ?? null,
            done: document.querySelectorAll('#steps li[data-state="done"]').length,
            prompt: document.getElementById('prompt')?.textContent ?? '',
            message: document.getElementById('message')?.textContent ?? '',
          }));
        const expect = async (what, check, timeoutMs = 30_000) => {
          const until = Date.now() + timeoutMs;
          let s;
          while (Date.now() < until) {
            s = await stateOf();
            if (check(s)) return s;
            await page.waitForTimeout(200);
          }
          throw new Error(`calibration panel, ${what}: ${JSON.stringify(s)}`);
        };
        const buttons = (s, ...ids) =>
          JSON.stringify([...s.visible].sort()) === JSON.stringify(ids.map((i) => `btn-${i}`).sort());
        await expect(
          'intro offers Start and Cancel only',
          (s) => s.stage === 'intro' && buttons(s, 'start', 'cancel') && /torque off/.test(s.prompt),
        );
        await page.screenshot({ path: join(ctx.runDir, 'calibrate-1-intro.png') });
        await view.locator('#btn-start').click({ timeout: 5000 });
        const middle = await expect(
          'the middle pose with Continue and Cancel',
          (s) => s.phase === 'awaitMiddle' && buttons(s, 'continue', 'cancel'),
        );
        if (middle.current !== 'Arm to the middle of its range' || middle.done !== 1)
          throw new Error(`step list at the middle pose: ${JSON.stringify(middle)}`);
        // The current step is drawn in the theme's button colour, not left transparent.
        const currentBg = await view
          .locator('#steps li[data-state="current"]')
          .evaluate((li) => getComputedStyle(li).backgroundColor);
        if (/rgba\(0, 0, 0, 0\)|transparent/.test(currentBg))
          throw new Error(`the current step has no background (${currentBg})`);
        await page.screenshot({ path: join(ctx.runDir, 'calibrate-2-middle.png') });
        await view.locator('#btn-continue').click({ timeout: 5000 });
        await expect(
          'range recording with Sweep, Finish, Restart and Cancel',
          (s) => s.phase === 'recordRanges' && buttons(s, 'sweep', 'finish', 'restart', 'cancel'),
        );
        await view.locator('#joint-rows tr').nth(5).waitFor({ state: 'visible', timeout: 10_000 });
        await view.locator('#btn-sweep').click({ timeout: 5000 });
        const travel = async () =>
          Number.parseInt(
            (await view.locator('#joint-rows tr[data-motor="elbow_flex"] td').nth(4).textContent()) ?? '0',
            10,
          );
        const until = Date.now() + 30_000;
        while ((await travel()) < 150 && Date.now() < until) await page.waitForTimeout(200);
        if ((await travel()) < 150) throw new Error(`elbow_flex shows ${await travel()}° of travel after the sweep`);
        // The shaded range bar covers the swept part of the encoder (about 2200 of 4096 steps).
        // The rows are rebuilt on every update: query and measure inside one page task, so the bar measured is the
        // one on screen (a handle resolved before a rebuild measures a detached node: 0 / 0).
        const share = await body.evaluate((b) => {
          const r = b.querySelector('#joint-rows tr[data-motor="elbow_flex"] .range');
          return r ? r.getBoundingClientRect().width / r.parentElement.getBoundingClientRect().width : null;
        });
        if (!(share > 0.4 && share < 0.7)) throw new Error(`elbow_flex range bar covers ${share} of the encoder`);
        await page.screenshot({ path: join(ctx.runDir, 'calibrate-3-ranges.png') });
        await view.locator('#btn-finish:not([disabled])').click({ timeout: 10_000 });
        const done = await expect(
          'saved, every step ticked, Close offered',
          (s) => s.stage === 'ended' && buttons(s, 'close'),
        );
        if (done.done !== 6 || !/saved to .*ui_arm\.json/.test(done.message))
          throw new Error(`the end: ${JSON.stringify(done)}`);
        if (!existsSync(saved)) throw new Error(`no calibration file at ${saved}`);
        await page.screenshot({ path: join(ctx.runDir, 'calibrate-4-done.png') });
        await view.locator('#btn-close').click({ timeout: 5000 });
        const frames = page.locator('iframe.webview.ready[src*="extensionId=so100-policy-lab.so100-policy-lab"]');
        const gone = Date.now() + 10_000;
        while ((await frames.count()) > 0 && Date.now() < gone) await page.waitForTimeout(200);
        if (await frames.count()) throw new Error('Close left the panel open');
      } finally {
        rmSync(configFile, { force: true });
      }
    },
  },
  {
    name: 'UI: cancelling the "connecting the arm and the policy" notification aborts the connect (its socket to the policy server closes) and leaves the arm idle',
    async run(page, ctx) {
      // A policy server that accepts the connection and never answers: the connect waits until cancelled.
      const sockets = [];
      const silent = createServer((s) => {
        sockets.push(s);
        s.on('error', () => {});
        s.resume();
      });
      await new Promise((r) => silent.listen(0, '127.0.0.1', r));
      const configFile = join(ctx.workspace, 'so100.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          activeModel: 'silent',
          models: { silent: { kind: 'remote', url: `ws://127.0.0.1:${silent.address().port}`, protocol: 'openpi' } },
        }),
      );
      try {
        await page.keyboard.press('Escape');
        // so100.json reaches the extension through a file watcher: run until the runtime knocks at the silent server.
        for (let attempt = 1; sockets.length === 0; attempt++) {
          await page.waitForTimeout(1500);
          await runCommand(page, 'SO-100: Run Episode');
          const until = Date.now() + 15_000;
          while (sockets.length === 0 && Date.now() < until) await page.waitForTimeout(200);
          if (sockets.length === 0) {
            if (attempt === 3)
              throw new Error('three Run Episodes never reached the silent policy server from so100.json');
            await runCommand(page, 'SO-100: Stop Episode').catch(() => undefined);
            await runCommand(page, 'SO-100: Disconnect Arm').catch(() => undefined);
          }
        }
        await waitNotification(page, /connecting the arm and the policy/, 10_000);
        await waitStatusBar(page, /SO-100 arm:.* connecting/, 10_000);
        const closed = new Promise((r) => sockets[0].once('close', r));
        await page.screenshot({ path: join(ctx.runDir, 'connect-cancel.png') });
        await page
          .locator('.notification-toast', { hasText: 'connecting the arm and the policy' })
          .getByRole('button', { name: 'Cancel' })
          .click({ timeout: 5000 });
        await waitStatusBar(page, /SO-100 arm:.* idle/, 15_000);
        const gone = await Promise.race([
          closed.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 15_000)),
        ]);
        if (!gone) throw new Error('the runtime kept its connection to the policy server open after Cancel');
        // The user's own cancel is not reported as a failure.
        const error = await waitNotification(page, /SO-100: .*(cancelled|failed)/, 2000).catch(() => undefined);
        if (error) throw new Error(`Cancel was reported as an error: ${error}`);
      } finally {
        rmSync(configFile, { force: true });
        for (const s of sockets) s.destroy();
        silent.close();
      }
    },
  },
  {
    name: 'UI: the dashboard follows the colour theme: Dark Modern, Light Modern and High Contrast (computed colours of the page and ink of the plots)',
    async run(page, ctx) {
      const settings = join(ctx.workspace, '.vscode', 'settings.json');
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, SHOW_DASHBOARD);
      const frame = webviewFrame(page);
      await frame.locator('#btn-estop').waitFor({ state: 'visible', timeout: 30_000 });
      // Luminance 0–1 of the page's background and text, the theme kind VS Code gives the page, and the mean
      // luminance of what is drawn on the first joint plot (axes, labels, grid).
      const look = () =>
        frame.locator('body').evaluate((body) => {
          const lum = (css) => {
            const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).map(Number);
            return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
          };
          const style = getComputedStyle(body);
          const canvas = document.querySelector('#joints canvas');
          const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let sum = 0;
          let n = 0;
          for (let i = 0; i < d.length; i += 4)
            if (d[i + 3] > 128) {
              sum += (0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]) / 255;
              n++;
            }
          return {
            kind: body.dataset.vscodeThemeKind ?? [...body.classList].find((c) => c.startsWith('vscode-')) ?? '',
            background: lum(style.backgroundColor),
            foreground: lum(style.color),
            ink: n ? sum / n : -1,
            inked: n,
            run: getComputedStyle(document.getElementById('btn-run')).backgroundColor,
          };
        });
      const until = async (what, check) => {
        const deadline = Date.now() + 20_000;
        let l;
        while (Date.now() < deadline) {
          l = await look().catch(() => undefined);
          if (l && check(l)) return l;
          await page.waitForTimeout(300);
        }
        throw new Error(`${what}: the dashboard shows ${JSON.stringify(l)}`);
      };
      const setTheme = (theme) =>
        writeFileSync(settings, JSON.stringify(theme ? { 'workbench.colorTheme': theme } : {}));
      // An episode with data on every plot, then paused, so every number on screen holds still to be compared.
      // The SO-100 side bar open (its activity bar icon toggles it: click only when it is not showing).
      const armRow = page.locator('.pane-body .monaco-list-row').filter({ hasText: 'Arm' }).first();
      if (!(await armRow.isVisible().catch(() => false)))
        await page.locator('.activitybar .action-item a[aria-label^="SO-100"]').first().click({ timeout: 10_000 });
      await armRow.waitFor({ state: 'visible', timeout: 15_000 });
      // From the palette: it also reconnects an e-stopped arm (the panel's Run is disabled then).
      await runCommand(page, 'SO-100: Run Episode');
      await waitStatusBar(page, /SO-100 arm:.* running \d+\/\d+/, 60_000);
      await frame.locator('#joints canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
      // The side bar's arm row follows the run (≤ 2 Hz), not only its start and end.
      const armStep = async () => {
        const text =
          (await page.locator('.pane-body .monaco-list-row').filter({ hasText: 'Arm' }).first().textContent()) ?? '';
        return Number(/running (\d+)\//.exec(text)?.[1] ?? NaN);
      };
      const rowDeadline = Date.now() + 15_000;
      let firstStep = await armStep();
      while (Number.isNaN(firstStep) && Date.now() < rowDeadline) {
        await page.waitForTimeout(250);
        firstStep = await armStep();
      }
      // Poll until it moves, then pause at once: the episode must still be running (a fixed wait let a slow
      // machine's episode end first, and then the end-of-episode message covered the button).
      const moveDeadline = Date.now() + 15_000;
      let laterStep = await armStep();
      while (!(laterStep > firstStep) && Date.now() < moveDeadline) {
        await page.waitForTimeout(250);
        laterStep = await armStep();
      }
      if (!(laterStep > firstStep))
        throw new Error(`the side bar's arm row did not move during the run: ${firstStep} → ${laterStep}`);
      await frame.locator('#btn-pause').click({ timeout: 5000 });
      await waitStatusBar(page, /SO-100 arm:.* paused \d+\/\d+/, 15_000);
      const initial = await until('the first look', (l) => l.inked > 50);
      try {
        setTheme('Default Dark Modern');
        const dark = await until(
          'Dark Modern',
          (l) => /dark/.test(l.kind) && l.background < 0.25 && l.foreground > 0.6 && l.inked > 50,
        );
        await numbersAgree(page, frame);
        await page.screenshot({ path: join(ctx.runDir, 'theme-dark.png') });
        setTheme('Default Light Modern');
        const light = await until(
          'Light Modern',
          (l) => /light/.test(l.kind) && l.background > 0.85 && l.foreground < 0.35 && l.inked > 50,
        );
        if (!(light.ink < dark.ink - 0.15))
          throw new Error(`the plots did not redraw for the light theme: ink ${dark.ink} → ${light.ink}`);
        if (light.run === dark.run) throw new Error(`the Run button kept its colour ${dark.run}`);
        await numbersAgree(page, frame);
        await page.screenshot({ path: join(ctx.runDir, 'theme-light.png') });
        setTheme('Default High Contrast');
        const hc = await until(
          'High Contrast',
          (l) =>
            /high-contrast/.test(l.kind) &&
            !/light/.test(l.kind) &&
            l.background < 0.05 &&
            l.foreground > 0.9 &&
            l.inked > 50,
        );
        if (!(hc.ink > light.ink + 0.15))
          throw new Error(`the plots did not redraw for High Contrast: ink ${light.ink} → ${hc.ink}`);
        await page.screenshot({ path: join(ctx.runDir, 'theme-high-contrast.png') });
      } finally {
        setTheme(undefined);
        await frame
          .locator('#btn-stop')
          .click({ timeout: 5000 })
          .catch(() => undefined);
      }
      await until('back to the theme it started with', (l) => l.kind === initial.kind);
    },
  },
  {
    name: 'UI: "SO-100: Open Episode…" shows a recorded episode: six joint plots, both cameras drawn at the cursor, keys move it, its replay overlaid',
    prepare(ctx) {
      // A 40-tick episode recorded by the CLI (mp4 frames when ffmpeg is here) before the workbench opens.
      const root = fileURLToPath(new URL('../../..', import.meta.url));
      const out = join(ctx.workspace, '.so100', 'viewer-ui');
      const rec = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'episode', '--steps', '40', '--record', out],
        { cwd: root, encoding: 'utf8' },
      );
      if (rec.status !== 0 && rec.status !== 1) throw new Error(`recording failed: ${rec.stderr}`);
      // Replayed through another model (the built-in server), so the viewer has a replay to overlay.
      const replay = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'src/cli/main.ts'),
          'replay',
          join(out, readdirSync(out)[0]),
          '--model',
          'pi0_fast',
        ],
        { cwd: root, encoding: 'utf8' },
      );
      if (replay.status !== 0) throw new Error(`so100 replay failed: ${replay.stderr}`);
    },
    async run(page, ctx) {
      const out = join(ctx.workspace, '.so100', 'viewer-ui');
      const episodeJson = join(out, readdirSync(out)[0], 'episode.json');
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'SO-100: Open Episode…');
      await acceptFileDialog(page, episodeJson);
      // One element per selector: a locator matching several (six plots) is a strict-mode error, read as "not shown".
      const [view] = await waitPanels(page, ['#joints .uplot >> nth=0'], 45_000);
      const deadline = Date.now() + 30_000;
      const captions = async () => (await view.locator('#cameras figcaption').allTextContents()).join(' | ');
      while (!/front · tick \d+.*wrist · tick \d+/.test(await captions())) {
        if (Date.now() > deadline) throw new Error(`camera tiles say: ${await captions()}`);
        await page.waitForTimeout(250);
      }
      const plots = await view.locator('#joints .uplot').count();
      if (plots !== 6) throw new Error(`${plots} joint plots, expected 6`);
      const titles = (await view.locator('#joints .u-title').allTextContents()).join(' | ');
      if (!/shoulder_pan \(°\).*gripper \(%\)/.test(titles)) throw new Error(`plot titles: ${titles}`);
      // The replay: named in the legend, and its chunk's deviation per joint (with units) beside the chunk panel.
      const legend = (await view.locator('#joints .u-legend').first().textContent()) ?? '';
      if (!legend.includes('replay pi0_fast')) throw new Error(`legend: ${legend}`);
      await view.locator('#scrub').focus();
      await view.locator('body').press('End');
      const label = async () => (await view.locator('#tickLabel').textContent()) ?? '';
      if (!/^tick 39 \/ 39$/.test(await label())) throw new Error(`after End: "${await label()}"`);
      await view.locator('body').press('ArrowLeft');
      if (!/^tick 38 \/ 39$/.test(await label())) throw new Error(`after ←: "${await label()}"`);
      await view.locator('body').press('Home');
      await view.locator('body').press('Shift+ArrowRight');
      if (/^tick 0 \//.test(await label()))
        throw new Error(`Shift+→ did not move to a chunk boundary: "${await label()}"`);
      // The first chunk boundary is the first executed tick, where the chunk replayed at tick 0 has its first row
      // (a replayed chunk need not reach the episode's end: pi0_fast's horizon is 10 ticks).
      const replayDeadline = Date.now() + 15_000;
      const replayInfo = async () => (await view.locator('#replayInfo').textContent()) ?? '';
      while (
        !/replay pi0_fast: chunk observed at tick 0, row 1 of \d+ executes here.*shoulder_pan\d+\.\d+ \/ \d+\.\d+ °/.test(
          await replayInfo(),
        )
      ) {
        if (Date.now() > replayDeadline) throw new Error(`beside the chunk panel: "${await replayInfo()}"`);
        await page.waitForTimeout(250);
      }
      const stages = await view.locator('#stages tr').count();
      if (stages < 2) throw new Error('no stage timing rows at the cursor');
      await page.screenshot({ path: join(ctx.runDir, 'episode-viewer.png') });
      // Export from the viewer: the export command asks where the dataset goes (then nothing is written: Escape).
      await view.locator('#exportDataset').click({ timeout: 5000 });
      await page
        .locator('.quick-input-widget')
        .filter({ hasText: 'Dataset folder (must not exist yet)' })
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Escape');
      // A window reload brings the viewer back with its episode (its serializer and the page's kept state).
      await reloadWindow(page);
      await waitPanels(page, ['#joints .uplot >> nth=0'], 60_000);
    },
  },
  (() => {
    /** The two records, what compareEpisodes makes of them, their labels (from prepare; the page must show them). */
    let records;
    return {
      name: 'UI: Compare… in the Episode Viewer puts a second episode on the same tick axis: its joints overlaid, its frames beside, the divergence tick marked in red; Close comparison takes it away',
      prepare(ctx) {
        // The Open Episode scenario's record (recorded here when that scenario is not in the run), and one of another
        // seed whose cube lies on the other side of the arm, longer by ten ticks.
        const a = join(ctx.workspace, '.so100', 'viewer-ui');
        const dirA = existsSync(a) ? join(a, readdirSync(a)[0]) : recordEpisode(a, ['--steps', '40']);
        const dirB = recordEpisode(join(ctx.workspace, '.so100', 'viewer-compare'), ['--steps', '50', '--seed', '10']);
        const { comparison, labels } = compareRecords(dirA, dirB);
        records = { dirA, dirB, expected: comparison, labels };
      },
      async run(page, ctx) {
        const { dirA, dirB, expected, labels } = records;
        const [labelA, labelB] = labels;
        const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (labelA === labelB) throw new Error(`both records are named ${labelA}: the page could not tell them apart`);
        // Named by model and seed, not by the folder alone (the CLI records the default model, pi0).
        if (!labelB.startsWith('pi0 · seed 10 · ')) throw new Error(`the second record is labelled "${labelB}"`);
        if (expected.divergenceTick === undefined)
          throw new Error(`the two records never diverge: ${JSON.stringify(expected)}`);
        await runCommand(page, 'View: Close All Editors');
        await runCommand(page, 'SO-100: Open Episode…');
        await acceptFileDialog(page, join(dirA, 'episode.json'));
        const [view] = await waitPanels(page, ['#joints .uplot >> nth=0'], 45_000);
        const captions = async () => (await view.locator('#cameras figcaption').allTextContents()).join(' | ');
        const waitCaptions = async (re, what) => {
          const deadline = Date.now() + 30_000;
          while (!re.test(await captions())) {
            if (Date.now() > deadline) throw new Error(`${what}: the camera tiles say ${await captions()}`);
            await page.waitForTimeout(250);
          }
        };
        await waitCaptions(/^front · tick \d+ \| wrist · tick \d+$/, 'one episode, both cameras');
        const legend = view.locator('#joints .u-legend').first();
        const seriesBefore = await legend.locator('.u-series').count();

        // Compare…: the host's file dialog opens at the first episode's folder; the second one's episode.json.
        await view.locator('#compare').click({ timeout: 5000 });
        await acceptFileDialog(page, join(dirB, 'episode.json'));
        const timeline = view.locator('#timeline');
        const markDeadline = Date.now() + 30_000;
        while ((await timeline.getAttribute('data-divergence-tick')) === null) {
          if (Date.now() > markDeadline)
            throw new Error(`no divergence marked; the page says: ${await view.locator('#notes').textContent()}`);
          await page.waitForTimeout(250);
        }
        const title = (await view.locator('#title').textContent()) ?? '';
        if (title !== `${labelA} vs ${labelB}`) throw new Error(`title: "${title}"`);
        // One axis, to the longer episode's last tick.
        const max = await view.locator('#scrub').getAttribute('max');
        if (max !== String(expected.lastTick))
          throw new Error(`the tick axis ends at ${max}, not ${expected.lastTick}`);
        // The tick the host computed, marked and said.
        const marked = await timeline.getAttribute('data-divergence-tick');
        if (marked !== String(expected.divergenceTick))
          throw new Error(`marked at tick ${marked}; compareEpisodes on the records says ${expected.divergenceTick}`);
        const notes = (await view.locator('#notes').textContent()) ?? '';
        if (!notes.includes(`they diverge at tick ${expected.divergenceTick} (`)) throw new Error(`notes: ${notes}`);
        // The second episode's measured joints: one more series in the plots, named after it.
        const seriesAfter = await legend.locator('.u-series').count();
        const legendText = (await legend.textContent()) ?? '';
        if (seriesAfter !== seriesBefore + 1 || !legendText.includes(`measured (${labelB})`))
          throw new Error(`legend with ${seriesAfter} series (${seriesBefore} before): ${legendText}`);
        // Its frames beside the first one's, each tile named after its episode.
        await waitCaptions(
          new RegExp(`${literal(labelA)} front · tick \\d+.*${literal(labelA)} wrist · tick \\d+`),
          "the first episode's frames",
        );
        await waitCaptions(
          new RegExp(`${literal(labelB)} front · tick \\d+.*${literal(labelB)} wrist · tick \\d+`),
          "the second episode's frames",
        );
        // The red line on the timeline strip at the divergence tick (the cursor at tick 0, away from it).
        await view.locator('#scrub').focus();
        await view.locator('body').press('Home');
        if (expected.divergenceTick === 0) throw new Error('they diverge at tick 0, where the cursor line is drawn');
        const markPixel = () =>
          view.locator('#timeline canvas').evaluate((c, tick) => {
            const lastTick = Math.max(1, Number(document.getElementById('scrub').max));
            // The line is 2 px wide around x: the device pixel at floor(x) lies wholly inside it.
            const x = Math.floor((tick / lastTick) * (c.clientWidth - 1) * devicePixelRatio);
            // Below the event rows and the chunk bands: only the full-height lines reach here.
            const y = Math.round(41 * devicePixelRatio);
            const at = [...c.getContext('2d').getImageData(x, y, 1, 1).data];
            const probe = document.createElement('canvas').getContext('2d');
            // The page's error colour (webview-ui/dashboard/theme.ts: errorForeground, else charts.red, else #f14c4c).
            const style = getComputedStyle(document.body);
            probe.fillStyle =
              style.getPropertyValue('--vscode-errorForeground').trim() ||
              style.getPropertyValue('--vscode-charts-red').trim() ||
              '#f14c4c';
            probe.fillRect(0, 0, 1, 1);
            return { at, red: [...probe.getImageData(0, 0, 1, 1).data] };
          }, expected.divergenceTick);
        const same = ({ at, red }) => at.every((v, i) => Math.abs(v - red[i]) <= 2);
        const drawn = await markPixel();
        if (!same(drawn)) throw new Error(`at the divergence tick the strip is ${drawn.at}, not red ${drawn.red}`);
        await page.screenshot({ path: join(ctx.runDir, 'episode-viewer-compare.png') });

        // Close comparison: back to the first episode alone.
        await view.locator('#closeCompare').click({ timeout: 5000 });
        const closeDeadline = Date.now() + 15_000;
        while ((await timeline.getAttribute('data-divergence-tick')) !== null) {
          if (Date.now() > closeDeadline) throw new Error('the divergence is still marked after Close comparison');
          await page.waitForTimeout(250);
        }
        const titleAfter = (await view.locator('#title').textContent()) ?? '';
        if (titleAfter !== labelA) throw new Error(`title after closing: "${titleAfter}"`);
        if (await view.locator('#closeCompare').isVisible()) throw new Error('Close comparison is still shown');
        const seriesClosed = await legend.locator('.u-series').count();
        const legendClosed = (await legend.textContent()) ?? '';
        if (seriesClosed !== seriesBefore || legendClosed.includes(labelB))
          throw new Error(`legend after closing, ${seriesClosed} series: ${legendClosed}`);
        if (((await view.locator('#notes').textContent()) ?? '').includes('diverge'))
          throw new Error('the notes still say where they diverge');
        const gone = await markPixel();
        if (same(gone)) throw new Error(`the strip is still red at tick ${expected.divergenceTick}`);
        await waitCaptions(/^front · tick \d+ \| wrist · tick \d+$/, 'after closing, the first episode alone');
      },
    };
  })(),
  {
    name: 'UI: "SO-100: Open Evaluation Report…" draws a campaign folder: rates with interval bars, the outcome grid, seams and latency with units',
    async run(page, ctx) {
      const dir = join(ctx.workspace, '.so100', 'evaluations', 'ui-campaign');
      mkdirSync(dir, { recursive: true });
      const models = ['pi0', 'pi0_fast'];
      writeFileSync(
        join(dir, 'campaign.json'),
        JSON.stringify({
          version: 1,
          createdAt: '',
          models,
          episodes: 2,
          startSeed: 1,
          clock: 'wall',
          fps: 30,
          config: {},
        }),
      );
      // Three of the four planned episodes finished; pi0 on seed 2 is still to run.
      writeFileSync(
        join(dir, 'results.csv'),
        [
          'model,seed,episode_dir,success,label_source,reason,steps,time_to_success_s,starved_ticks,clamped_ticks,late_ticks,seam_ratio,policy_p50_ms,policy_p95_ms,policy_p99_ms',
          'pi0,1,episodes/a,true,automatic,cube lifted,120,4.000,6,0,0,1.50,30.00,40.00,50.00',
          'pi0_fast,1,episodes/b,false,automatic,time out,300,,30,0,0,2.50,20.00,25.00,30.00',
          'pi0_fast,2,episodes/c,true,automatic,cube lifted,150,5.000,0,0,0,1.20,20.00,25.00,30.00',
          '',
        ].join('\n'),
      );
      const latency = (p50) => ({ 'policy total': { p50, p95: p50 * 1.3, p99: p50 * 1.6 } });
      writeFileSync(
        join(dir, 'summary.json'),
        JSON.stringify({
          fps: 30,
          models: { pi0: { latency_ms: latency(30) }, pi0_fast: { latency_ms: latency(20) } },
          pairs: [],
        }),
      );
      try {
        await runCommand(page, 'View: Close All Editors');
        await runCommand(page, 'SO-100: Open Evaluation Report…');
        await page
          .locator('.quick-input-list .monaco-list-row')
          .filter({ hasText: 'ui-campaign' })
          .first()
          .click({ timeout: 15_000 });
        // One element per selector (a locator matching several is not "visible"): the body marks a drawn report.
        const [view] = await waitPanels(page, ['body[data-done]'], 30_000);
        const s = await view.locator('body').evaluate(() => {
          const ci = document.querySelector('#rates .rate .ci');
          return {
            rates: [...document.querySelectorAll('#rates tbody tr')].map((tr) => tr.textContent),
            bars: document.querySelectorAll('#rates .rate .ci').length,
            cells: [...document.querySelectorAll('#grid td.cell')].map((td) => td.className.replace('cell ', '')),
            seams: [...document.querySelectorAll('#seams tbody tr')].map((tr) => tr.textContent),
            latencyRows: document.querySelectorAll('#latency tbody tr').length,
            heads: [...document.querySelectorAll('th')].map((t) => t.textContent).join(' | '),
            ciColour: ci ? getComputedStyle(ci).backgroundColor : '',
          };
        });
        const problems = [];
        if (s.rates.length !== 2 || !/50 %/.test(s.rates[1])) problems.push(`rates ${JSON.stringify(s.rates)}`);
        if (s.bars !== 2) problems.push(`${s.bars} interval bars`);
        if (JSON.stringify(s.cells) !== JSON.stringify(['success', 'failure', 'pending', 'success']))
          problems.push(`grid ${JSON.stringify(s.cells)}`);
        if (s.seams.length !== 2 || !/1\.50 ×/.test(s.seams[0])) problems.push(`seams ${JSON.stringify(s.seams)}`);
        if (s.latencyRows !== 2) problems.push(`${s.latencyRows} latency rows`);
        for (const unit of ['(ms)', '(%)', '(×', '(count)'])
          if (!s.heads.includes(unit)) problems.push(`no axis in ${unit}: ${s.heads}`);
        if (!s.ciColour || s.ciColour === 'rgba(0, 0, 0, 0)') problems.push(`interval bar colour "${s.ciColour}"`);
        if (problems.length > 0) throw new Error(`evaluation report: ${problems.join('; ')}`);
        await page.screenshot({ path: join(ctx.runDir, 'evaluation-report.png') });
        // A window reload brings the report back, drawn from the same folder.
        await reloadWindow(page);
        await waitPanels(page, ['body[data-done]'], 60_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

/**
 * The packaged VSIX, installed into a fresh code-server whose workspace folder was never trusted; the user
 * settings (written by the runner) configure a server command that would create ctx.untrustedMarker.
 */
export const vsixScenarios = [
  {
    name: 'VSIX: installed extension activates in Restricted Mode and refuses to run the configured server command',
    async run(page, ctx) {
      await waitStatusBar(page, /Restricted Mode/, 20_000);
      await runCommand(page, START);
      await waitNotification(page, /not trusted/, 15_000);
      await waitStatusBar(page, /SO-100 server: stopped/, 10_000);
      await page.waitForTimeout(500);
      if (existsSync(ctx.untrustedMarker)) throw new Error('the configured command ran in an untrusted workspace');
    },
  },
  {
    name: 'VSIX: the built-in server still runs in the untrusted workspace (Start → ready, Stop → stopped)',
    async run(page, ctx) {
      const vscodeDir = join(ctx.workspace, '.vscode');
      mkdirSync(vscodeDir, { recursive: true });
      // so100.server.kind is not a restricted setting, so the folder's value applies even untrusted.
      writeFileSync(join(vscodeDir, 'settings.json'), JSON.stringify({ 'so100.server.kind': 'builtin' }));
      // The file reaches VS Code through a watcher; a start that still sees kind "command" is refused
      // (status stays "stopped"), so try again a few times.
      for (let attempt = 1; ; attempt++) {
        await page.waitForTimeout(2000);
        await page.keyboard.press('Escape');
        await runCommand(page, START);
        const text = await waitStatusBar(page, /SO-100 server: (starting|ready)/, 5000).catch(() => undefined);
        if (text) break;
        if (attempt === 3)
          throw new Error('three starts still refused: the folder\'s so100.server.kind "builtin" was not applied');
      }
      await waitStatusBar(page, /SO-100 server: ready/, 30_000);
      await page.screenshot({ path: join(ctx.runDir, 'vsix-ready.png') });
      await runCommand(page, STOP);
      await waitStatusBar(page, /SO-100 server: stopped/, 20_000);
      if (existsSync(ctx.untrustedMarker)) throw new Error('the configured command ran in an untrusted workspace');
    },
  },
  {
    name: 'VSIX: converter tools refuse in Restricted Mode: Run Episode does not load converter.module nor write records outside the workspace, Run Converter / Debug Episode are not offered, no CodeLens',
    async run(page, ctx) {
      const marker = join(ctx.runDir, 'untrusted-converter-ran');
      mkdirSync(join(ctx.workspace, 'conv'), { recursive: true });
      // Loading this module anywhere (runtime, CodeLens run, debugger) would leave the marker.
      writeFileSync(
        join(ctx.workspace, 'conv', 'marker.mjs'),
        `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n` +
          'export function toPolicy(obs, builtin) {\n  return builtin.toPolicy(obs);\n}\n',
      );
      // Records pointed outside the workspace are refused too: nothing may be written there.
      const outsideRecords = join(ctx.workspace, '..', 'untrusted-records');
      writeFileSync(
        join(ctx.workspace, 'so100.json'),
        JSON.stringify({ converter: { module: 'conv/marker.mjs' }, record: { dir: '../untrusted-records' } }),
      );
      await page.keyboard.press('Escape');
      // so100.json arrives through a file watcher: try until the refusal names the module and the record folder.
      for (let attempt = 1; ; attempt++) {
        await page.waitForTimeout(2000);
        await runCommand(page, 'SO-100: Run Episode');
        if (
          await waitNotification(
            page,
            /not trusted, so the converter module conv\/marker\.mjs is not run.*record\.dir may not point outside it/s,
            8000,
          ).catch(() => undefined)
        )
          break;
        if (attempt === 3)
          throw new Error(
            'Run Episode never refused the converter module and the record folder of the untrusted workspace',
          );
      }
      if (existsSync(outsideRecords))
        throw new Error(`a record folder was made outside the untrusted workspace: ${outsideRecords}`);
      const run = await paletteCommands(page, 'SO-100: Run', 'SO-100: Run Episode');
      assertRows(run, ['SO-100: Run Episode'], ['SO-100: Run Converter on Last Observation']);
      const debug = await paletteCommands(page, 'SO-100: Debug Episode', 'SO-100: Debug Episode', 2500);
      assertRows(debug, [], ['SO-100: Debug Episode']);
      await page.keyboard.press('Escape');
      // The module open in an editor gets no CodeLens.
      await page.keyboard.press('Control+P');
      await page.keyboard.type('marker.mjs');
      await page.waitForTimeout(1000);
      await page.keyboard.press('Enter');
      await page
        .locator('.monaco-editor .view-lines', { hasText: 'toPolicy' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.waitForTimeout(2000);
      const lenses = await page.locator('.codelens-decoration').allTextContents();
      if (lenses.some((t) => /Run on last observation|Debug episode/.test(t)))
        throw new Error(`CodeLens in Restricted Mode: ${lenses.join(' | ')}`);
      await page.screenshot({ path: join(ctx.runDir, 'vsix-untrusted-converter.png') });
      if (existsSync(marker)) throw new Error('the converter module was loaded in an untrusted workspace');
    },
  },
];

/**
 * The packaged VSIX in a fresh code-server with a trusted folder: what an installed user's converter module gets
 * (the compiler ships inside the extension; no esbuild, no `node` needed on PATH).
 */
export const trustedVsixScenarios = [
  {
    name: 'VSIX (trusted): a TypeScript converter module (interface, enum, annotations, a sibling import) compiles in the installed extension, runs, and the episode record names it',
    prepare(ctx) {
      const marker = join(ctx.runDir, 'trusted-converter-ran.json');
      writeFileSync(
        join(ctx.workspace, 'gains.ts'),
        'export interface Gains {\n  readonly k: number;\n}\nexport const K: number = 1;\n',
      );
      writeFileSync(
        join(ctx.workspace, 'convert.ts'),
        [
          "import { writeFileSync } from 'node:fs';",
          "import { K, type Gains } from './gains';",
          'enum Phase {',
          "  Reach = 'reach',",
          "  Grasp = 'grasp',",
          '}',
          'interface Seen {',
          '  calls: number;',
          '}',
          'const seen: Seen = { calls: 0 };',
          'const gains: Gains = { k: K };',
          'export function toPolicy(obs: unknown, builtin: { toPolicy(o: unknown): unknown }): unknown {',
          '  seen.calls += gains.k;',
          `  writeFileSync(${JSON.stringify(marker)}, JSON.stringify({ phase: Phase.Reach, calls: seen.calls }));`,
          "  if (seen.calls === 1) console.log('converter module ran:', Phase.Grasp);",
          '  return builtin.toPolicy(obs);',
          '}',
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(ctx.workspace, 'so100.json'),
        JSON.stringify({ maxSteps: 30, converter: { layout: 'openpi-so100', module: 'convert.ts' } }, null, 2),
      );
    },
    async run(page, ctx) {
      const marker = join(ctx.runDir, 'trusted-converter-ran.json');
      const episodes = join(ctx.workspace, '.so100', 'episodes');
      const record = () => {
        for (const d of existsSync(episodes) ? readdirSync(episodes) : []) {
          const f = join(episodes, d, 'episode.json');
          if (!existsSync(f)) continue;
          try {
            return JSON.parse(readFileSync(f, 'utf8'));
          } catch {
            // still being written
          }
        }
        return undefined;
      };
      await page.keyboard.press('Escape');
      // so100.json and the module were in the folder before the workbench opened (prepare): one Run Episode.
      await runCommand(page, 'SO-100: Run Episode');
      const deadline = Date.now() + 180_000;
      // The record is written when the episode starts; its result when it ends (toPolicy has run by then).
      while (!record()?.result) {
        if (Date.now() > deadline) throw new Error('no finished episode record 180 s after Run Episode');
        await page.waitForTimeout(1000);
      }
      const rec = record();
      if (rec.config.converter.module !== 'convert.ts')
        throw new Error(`the record names converter module ${JSON.stringify(rec.config.converter.module)}`);
      if (!existsSync(marker)) throw new Error('the converter module never ran (its toPolicy writes a marker)');
      const ran = JSON.parse(readFileSync(marker, 'utf8'));
      if (ran.phase !== 'reach' || !(ran.calls >= 1)) throw new Error(`marker ${JSON.stringify(ran)}`);
      await page.screenshot({ path: join(ctx.runDir, 'vsix-trusted-converter.png') });
    },
  },
];

function assertRows(rows, present, absent) {
  // A row is the command `label`, not a longer title that starts with it ("SO-100: Resume" is not
  // "SO-100: Resume Evaluation…"); what VS Code appends (a keybinding, "recently used") does not start with " word".
  const has = (label) =>
    rows.some((r) => {
      const at = r.indexOf(label);
      return at >= 0 && !/^ [A-Za-z]/.test(r.slice(at + label.length));
    });
  const missing = present.filter((l) => !has(l));
  const extra = absent.filter((l) => has(l));
  if (missing.length || extra.length) {
    throw new Error(
      `palette rows [${rows.join(' | ')}]: missing ${JSON.stringify(missing)}, should be hidden ${JSON.stringify(extra)}`,
    );
  }
}
