// "SO-100: Open Recorded Tick…" in the real extension host: an episode recorded by Run Episode (PNG frames every
// 5th tick), then one of its ticks opened: the runtime rebuilds the observation from the record, runs the current
// converter on it, and the Converter Inspector shows it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InspectionReport } from '../../../src/core/convert/inspectionReport';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, runRecordedEpisode } from './hostHelpers';

suite('SO-100 Open Recorded Tick', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const recordRoot = () => join(folder, '.so100', 'recorded-tick-test');

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('so100.disconnectArm');
    // The episode started the server; a suite run after this one starts from a stopped server.
    await vscode.commands.executeCommand('so100.stopServer');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(configFile(), { force: true });
    await rm(recordRoot(), { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('a tick of a recorded episode opens in the Converter Inspector with its joints and (nearest kept) frames', async () => {
    const episode = await runRecordedEpisode(api, configFile(), {
      maxSteps: 10,
      record: { dir: '.so100/recorded-tick-test', frames: 'png', pngEvery: 5 },
    });
    assert.ok(episode.recordDir?.startsWith(recordRoot()), episode.recordDir);

    const report = await vscode.commands.executeCommand<InspectionReport>(
      'so100.openRecordedTick',
      episode.recordDir,
      6,
    );
    assert.ok(report, 'a report');
    assert.deepEqual(report.recorded, { dir: episode.recordDir, tick: 6 });
    const steps = (await readFile(join(episode.recordDir!, 'steps.csv'), 'utf8')).split('\n');
    const row = steps.find((l) => l.startsWith('6,'))!.split(',');
    assert.equal(report.observation?.joints[0].value, Number(row[2]), `shoulder_pan of tick 6 (${steps[0]})`);
    assert.deepEqual(
      report.observation?.cameras.map((c) => c.key),
      ['front', 'wrist'],
    );
    assert.ok(
      report.notes.some((n) => /showing tick 5/.test(n)),
      report.notes.join(' | '),
    );
    assert.ok(report.input?.some((x) => x.key === 'observation/images.main'));

    const state = api.panels.InspectorPanel.open?.currentState;
    assert.equal(state?.status, 'ready');
    if (state?.status === 'ready') assert.equal(state.report.recorded?.tick, 6);

    // A tick the record does not hold: no report (the error message names the range).
    assert.equal(await vscode.commands.executeCommand('so100.openRecordedTick', episode.recordDir, 500), undefined);
  });
});
