// "SO-100: Run Evaluation" in the real extension host: a tiny campaign (2 models × 1 seed, short episodes) run by
// the runtime process (on virtual time, the embedded default's clock), its Evaluation Report opened live and filled in
// at the end, the side bar's Evaluations node listing the folder, and a grid cell opening that episode's record.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationStarted } from '../../../src/core/rpc';
import type { EvaluationPanel } from '../../../src/extension/evaluation/evaluationPanel';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, waitFor } from './hostHelpers';

suite('SO-100 Evaluation', () => {
  let api: So100Api;
  let folder: string;
  let outDir: string | undefined;
  const configFile = () => join(folder, 'so100.json');

  /** The panel class of the extension's own bundle (the one whose static holds the open panels). */
  function extensionPanel(): typeof EvaluationPanel {
    return api.panels.EvaluationPanel;
  }

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
    await vscode.commands.executeCommand('so100.disconnectArm');
    await writeFile(configFile(), JSON.stringify({ maxSteps: 30, record: { frames: 'none' } }));
    await api.reloadConfig();
  });
  suiteTeardown(async () => {
    if (outDir) extensionPanel().openFor(outDir)?.dispose();
    await rm(configFile(), { force: true });
    if (outDir) await rm(outDir, { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('Run Evaluation: the report opens live, ends with rates, grid and latency; the side bar lists it', async () => {
    const started = await vscode.commands.executeCommand<EvaluationStarted | undefined>('so100.runEvaluation', {
      models: ['pi0', 'pi0_fast'],
      episodes: 1,
      seed: 3,
    });
    assert.ok(started, 'the campaign started');
    outDir = started.outDir;
    assert.equal(started.total, 2);
    assert.ok(started.outDir.startsWith(join(folder, '.so100', 'evaluations')), started.outDir);
    const panel = extensionPanel().openFor(started.outDir);
    assert.ok(panel, 'the report opened when the campaign started');
    const end = await waitFor(
      'the campaign to end in its report',
      () => {
        const s = panel.currentState;
        return !s.running && s.report?.done === 2 && s.report.latency.length > 0 ? s : undefined;
      },
      150_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the panel shows ${JSON.stringify(panel.currentState).slice(0, 600)}`);
    });
    assert.equal(end.messageKind, 'ok', end.message);
    // On virtual time the campaign may end before the page has loaded: it still loads and asks for its state.
    await waitFor('the page to load and ask for its state', () => panel.pageReady || undefined);
    const report = end.report!;
    assert.equal(report.clock, 'virtual', 'the embedded default runs on virtual time, as so100 eval does');
    assert.deepEqual(
      report.rates.map((r) => [r.model, r.episodes]),
      [
        ['pi0', 1],
        ['pi0_fast', 1],
      ],
    );
    for (const r of report.rates) assert.ok(r.wilson95 && r.wilson95[0] <= r.rate! && r.rate! <= r.wilson95[1]);
    assert.deepEqual(
      report.grid.map((g) => g.seed),
      [3],
    );
    assert.ok(report.grid[0].cells.every((c) => c.outcome !== 'pending' && c.episodeDir));
    assert.ok(
      report.latency.some((l) => l.stage === 'policy total'),
      'latency per stage from summary.json',
    );

    const tree = (await api.labTree()).join('\n');
    assert.match(tree, /^Evaluations — $/m, tree);
    assert.match(tree, /^ {2}\S+ — 2 of 2 episodes · pi0, pi0_fast$/m, tree);

    // The same folder from the command reveals the same panel.
    assert.equal(await vscode.commands.executeCommand('so100.openEvaluationReport', started.outDir), started.outDir);
    assert.equal(extensionPanel().openFor(started.outDir), panel);

    // A grid cell opens that episode in the Episode Viewer.
    await panel.handle({ type: 'openEpisode', model: 'pi0_fast', seed: 3 });
    const cell = report.grid[0].cells.find((c) => c.model === 'pi0_fast')!;
    const shown = await waitFor('the episode in the viewer', () => api.panels.EpisodeViewerPanel.open?.episode('a'));
    assert.equal(shown.dir, join(started.outDir, cell.episodeDir!));
  });
});
