// "SO-100: Replay Episode Through Model…" in the real extension host: an episode recorded by Run Episode, replayed
// in the runtime through the built-in server of another model (by folder) and of the same one (by its episode.json,
// as the explorer passes it); a model the config lacks is refused and writes nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayDone } from '../../../src/core/rpc';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, runRecordedEpisode } from './hostHelpers';

suite('SO-100 Replay Episode Through Model', () => {
  let api: So100Api;
  let folder: string;
  let dir: string;
  const configFile = () => join(folder, 'so100.json');
  const recordRoot = () => join(folder, '.so100', 'replay-test');

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
    const episode = await runRecordedEpisode(api, configFile(), {
      maxSteps: 40,
      record: { dir: '.so100/replay-test', frames: 'png', pngEvery: 1 },
    });
    dir = episode.recordDir!;
    // Replaying through another model needs the arm at rest (one model server at a time).
    await vscode.commands.executeCommand('so100.disconnectArm');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('so100.stopServer');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(configFile(), { force: true });
    await rm(recordRoot(), { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('through another model every 10 ticks, then the same model at its own requests by episode.json', async () => {
    const fast = await vscode.commands.executeCommand<ReplayDone>('so100.replayEpisode', dir, 'pi0_fast', 10);
    assert.ok(fast, 'the replay finished');
    assert.equal(fast.file, join(dir, 'replay-pi0_fast.jsonl'));
    assert.equal(fast.chunks, 4); // ticks 0, 10, 20, 30
    const lines = (await readFile(fast.file, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(JSON.parse(lines[1]).horizon, 10);

    const same = await vscode.commands.executeCommand<ReplayDone>(
      'so100.replayEpisode',
      vscode.Uri.file(join(dir, 'episode.json')),
      'pi0',
    );
    assert.ok(same);
    const asked = (await readFile(join(dir, 'chunks.jsonl'), 'utf8')).trim().split('\n').length;
    assert.ok(same.chunks >= 1 && same.chunks <= asked, `${same.chunks} of ${asked}`);
    for (const j of Object.values(same.perJoint)) assert.ok(j === null || Number.isFinite(j.mean));
  });

  test('a model the config lacks is refused and nothing is written', async () => {
    const before = (await readdir(dir)).sort();
    assert.equal(await vscode.commands.executeCommand('so100.replayEpisode', dir, 'gr00t'), undefined);
    assert.deepEqual((await readdir(dir)).sort(), before);
  });
});
