// The Dashboard panel in a real extension host, fed by a real runtime process (dist/runtime.js) running the
// embedded default against the built-in π₀ server: what the webview received and actually drew is asked through
// the panel's probe round trip.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeProcess } from '../../../src/runtime/rpc/runtimeProcess';
import type { DashboardPanel } from '../../../src/extension/dashboard/dashboardPanel';
import type { DashboardProbeReport } from '../../../src/contracts/dashboardMessages';
import { EXTENSION_ID, activateExtension, waitFor } from './hostHelpers';
import { RuntimeTelemetrySource } from './runtimeTelemetrySource';

suite('SO-100 dashboard panel', function () {
  let server: BuiltinPolicyServer;
  let runtime: RuntimeProcess;
  let source: RuntimeTelemetrySource;
  let panel: DashboardPanel | undefined;
  let extensionUri: vscode.Uri;
  let extensionDashboard: typeof DashboardPanel;
  let scratch: string;
  const runtimeLog: string[] = [];

  suiteSetup(async function () {
    this.timeout(60_000);
    // The panel class of the extension's own bundle, from the test API (see So100Api.panels for why not a copy).
    extensionDashboard = (await activateExtension()).panels.DashboardPanel;
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
    extensionUri = ext.extensionUri;
    scratch = mkdtempSync(join(tmpdir(), 'so100-dashboard-'));
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 10 }),
    });
    runtime = await RuntimeProcess.start({
      command: process.execPath,
      args: [join(extensionUri.fsPath, 'dist', 'runtime.js')],
      workspace: scratch,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      onLog: (l) => runtimeLog.push(l),
    });
    const d = defaultConfig();
    const status = await runtime.client.call('connect', {
      // 10 fps: the demo lifts the cube after ~170 ticks, so the episode lasts ~17 s, long enough to watch it run.
      config: { ...d, fps: 10, robot: { ...d.robot, seed: 3 } },
      recordDir: join(scratch, 'episodes'),
      endpoints: { pi0: { url: server.url, protocol: 'openpi' } },
    });
    source = new RuntimeTelemetrySource(runtime.client, status);
  });

  suiteTeardown(async function () {
    this.timeout(30_000);
    panel?.dispose();
    source?.dispose();
    await runtime?.stop();
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Probes until `done` accepts the report; the last report is in the error otherwise. */
  async function probeUntil(
    what: string,
    done: (r: DashboardProbeReport) => boolean,
    timeoutMs = 30_000,
  ): Promise<DashboardProbeReport> {
    let last: DashboardProbeReport | undefined;
    try {
      return await waitFor(
        what,
        async () => {
          last = await panel!.probe();
          return done(last) ? last : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; last probe: ${JSON.stringify(last)}; host feed: ${JSON.stringify(panel?.feedCounters)}; ` +
          `frame events: ${source.frameEvents}; runtime log: ${runtimeLog.slice(-5).join(' | ')}`,
      );
    }
  }

  test('a running episode is drawn: joint plots, the chunk fan, every camera, timing rows; Run came from the page', async function () {
    this.timeout(60_000);
    panel = extensionDashboard.show({ extensionUri, source });
    await waitFor('the dashboard page to say ready', () => (panel!.isReady ? true : undefined), 20_000);
    assert.equal(source.framesAskedBy(panel), 10, 'a visible panel asks for frames');
    // The Run button's message, sent from inside the page.
    await panel.probe([{ type: 'command', name: 'runEpisode' }]);
    await waitFor(
      'the Run command to reach the source',
      () => (source.commands.includes('runEpisode') ? true : undefined),
      10_000,
    );
    const r = await probeUntil(
      'ticks, chunks, frames and timing drawn',
      (p) =>
        p.ticksPlotted > 30 &&
        p.chunksInFan > 0 &&
        p.cameras.length >= 2 &&
        p.cameras.every((c) => c.nonBlackPixels > 0) &&
        p.timingRows.includes('tick') &&
        p.waterfallBars > 0,
    );
    assert.deepEqual(source.commandErrors, []);
    assert.deepEqual(r.cameras.map((c) => c.camera).sort(), ['front', 'wrist']);
    for (const c of r.cameras) assert.ok(c.width > 0 && c.height > 0 && c.tick >= 0, JSON.stringify(c));
    for (const stage of ['read', 'camera', 'safety', 'write', 'tick'])
      assert.ok(r.timingRows.includes(stage), `timing row ${stage}: ${r.timingRows.join(', ')}`);
    assert.ok(r.timingRows.includes('chunk latency'), `policy requests in the table: ${r.timingRows.join(', ')}`);
    assert.equal(r.phaseText, 'running');
    assert.equal(r.modelText, 'pi0');
    // Every number on screen agrees: the tiles show one tick (or say they are behind), plots and table carry units.
    for (const c of r.cameras) assert.ok(c.behind === 0 || /behind/.test(c.caption), JSON.stringify(c));
    const inStep = r.cameras.filter((c) => c.behind === 0);
    assert.ok(new Set(inStep.map((c) => c.tick)).size <= 1, `tiles of different ticks: ${JSON.stringify(r.cameras)}`);
    assert.deepEqual(r.units, ['°', '°', '°', '°', '°', '%'], 'degrees for the body joints, % for the gripper');
    assert.deepEqual(
      r.timingHeader.slice(1).map((h) => /\(ms\)$/.test(h)),
      [true, true, true, true],
      r.timingHeader.join(' | '),
    );
    assert.match(r.progressText, /^episode \d+ · step \d+ \/ \d+ · 10 fps/);
    // Policy requests of ~10–60 ms are drawn on their own scale, not squashed under a 2.5 s budget.
    assert.ok(r.policyTopMs > 0 && r.policyTopMs < 1000, `policy chart top ${r.policyTopMs} ms`);
    assert.ok(r.ticksReceived >= r.ticksPlotted);
    assert.equal(panel.rejectedMessages, 0);
    assert.equal(r.messagesRejected, 0);
  });

  test('malformed messages from the page are ignored (counted, never thrown); a valid one still works after them', async function () {
    this.timeout(30_000);
    assert.ok(panel, 'the previous test opened the panel');
    const before = panel.rejectedMessages;
    const commandsBefore = source.commands.length;
    await panel.probe([
      null,
      'ready',
      42,
      { type: 'command' },
      { type: 'command', name: 'format-disk' },
      { type: 'setFrameMode', mode: 'bgr' },
      { type: 'probe-reply', id: 999, report: {} },
      { type: 'command', name: 'pause' },
    ]);
    assert.equal(panel.rejectedMessages - before, 7);
    await waitFor(
      'pause to reach the source',
      () => (source.commands.length > commandsBefore ? true : undefined),
      10_000,
    );
    assert.deepEqual(source.commands.slice(commandsBefore), ['pause']);
    const r = await probeUntil('the paused state shown', (p) => p.phaseText === 'paused', 10_000);
    assert.equal(r.phaseText, 'paused');
    // Paused, the header's step is the runtime's own step count (one source, nothing in flight).
    const status = await runtime.client.call('status', {});
    const shown = await probeUntil(
      'the header to show the paused step',
      (p) => p.progressText.includes(`step ${status.step} / ${status.maxSteps}`),
      10_000,
    );
    assert.match(shown.progressText, /^episode \d+ · step \d+ \/ \d+/);
    // The frame-mode toggle's message is accepted and remembered.
    await panel.probe([{ type: 'setFrameMode', mode: 'policy' }]);
    assert.equal(panel.frameMode, 'policy');
  });

  test('hidden: frames are no longer requested; shown again: the rebuilt page gets the recent history at once', async function () {
    this.timeout(30_000);
    const p = panel!;
    // A file that is never edited: closing its tab cannot ask to save.
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(extensionUri, 'package.json'));
    await vscode.window.showTextDocument(doc, { viewColumn: p.panel.viewColumn, preview: false });
    await waitFor(
      'the hidden panel to stop asking for frames',
      () => (source.framesAskedBy(p) === 0 ? true : undefined),
      10_000,
    );
    p.panel.reveal(undefined, false);
    await waitFor('the page to say ready again', () => (p.isReady ? true : undefined), 20_000);
    const r = await p.probe();
    assert.ok(r.ticksReceived > 30, `history replayed with init: ${r.ticksReceived} ticks`);
    assert.ok(r.ticksPlotted > 30 && r.chunksInFan > 0, JSON.stringify(r));
    assert.equal(source.framesAskedBy(p), 10);
    const tab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === doc.uri.toString());
    if (tab) await vscode.window.tabGroups.close(tab);
  });

  test('closing the panel stops its frame requests and detaches it from the telemetry source', async function () {
    this.timeout(30_000);
    const p = panel!;
    assert.ok(source.listeners > 0);
    const closed = new Promise<void>((r) => p.onDidDispose(r));
    p.panel.dispose();
    await closed;
    panel = undefined;
    assert.equal(source.framesAskedBy(p), 0);
    assert.equal(source.listeners, 0);
    await source.command('stop');
    assert.deepEqual(source.commandErrors, []);
  });

  test('"SO-100: Show Dashboard" opens the so100.dashboard webview (offline source until the runtime is wired in)', async function () {
    this.timeout(20_000);
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('so100.showDashboard'));
    await vscode.commands.executeCommand('so100.showDashboard');
    const tab = await waitFor(
      'a dashboard tab',
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('so100.dashboard')),
      10_000,
    );
    assert.equal(tab.label, 'SO-100 Dashboard');
    await vscode.window.tabGroups.close(tab);
  });
});
