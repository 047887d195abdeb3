// "SO-100: Export as LeRobot Dataset…" in the real extension host: an episode recorded by Run Episode, exported by
// the command (its worker thread, dist/exportWorker.js) into a folder given as the command's third argument, so no
// save dialog is needed; then the same folder again, which the exporter refuses, leaving the dataset as it was.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetExportSummary } from '../../../src/io/export/lerobotExport';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, runRecordedEpisode } from './hostHelpers';

suite('SO-100 Export as LeRobot Dataset', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const recordRoot = () => join(folder, '.so100', 'export-dataset-test');
  const datasetDir = () => join(folder, '.so100', 'export-dataset-test-ds');

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('so100.disconnectArm');
    await rm(configFile(), { force: true });
    await rm(recordRoot(), { recursive: true, force: true });
    await rm(datasetDir(), { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('a recorded episode becomes a LeRobot v3.0 dataset; an existing folder is refused and kept', async () => {
    const episode = await runRecordedEpisode(api, configFile(), {
      maxSteps: 12,
      record: { dir: '.so100/export-dataset-test', frames: 'mp4' },
    });
    assert.ok(episode.recordDir, 'the episode was recorded');
    const steps = (await readFile(join(episode.recordDir, 'steps.csv'), 'utf8')).trim().split('\n').length - 1;

    const summary = await vscode.commands.executeCommand<DatasetExportSummary | undefined>(
      'so100.exportLeRobotDataset',
      { dir: episode.recordDir },
      undefined,
      datasetDir(),
    );
    assert.ok(summary, 'the export finished');
    assert.equal(summary.episodes, 1);
    assert.equal(summary.frames, steps);
    const info = JSON.parse(await readFile(join(datasetDir(), 'meta/info.json'), 'utf8'));
    assert.equal(info.codebase_version, 'v3.0');
    assert.equal(info.total_frames, steps);
    assert.deepEqual(info.features['action.policy'].shape, [6]);
    for (const cam of summary.cameras) {
      const video = await stat(join(datasetDir(), `videos/observation.images.${cam}/chunk-000/file-000.mp4`));
      assert.ok(video.size > 0, `${cam} video written`);
    }
    assert.ok((await stat(join(datasetDir(), 'data/chunk-000/file-000.parquet'))).size > 0);

    const infoText = await readFile(join(datasetDir(), 'meta/info.json'), 'utf8');
    const again = await vscode.commands.executeCommand<DatasetExportSummary | undefined>(
      'so100.exportLeRobotDataset',
      { dir: episode.recordDir },
      undefined,
      datasetDir(),
    );
    assert.equal(again, undefined, 'refused: the folder exists');
    assert.equal(await readFile(join(datasetDir(), 'meta/info.json'), 'utf8'), infoText, 'the dataset is unchanged');
  });
});
