// "SO-100: Open Episode…" in the real extension host: an episode recorded by Run Episode, opened in the Episode
// Viewer by its folder and by its episode.json (as the explorer's context menu passes it); the panel holds the
// episode, and its page asks for the cursor and gets an answer (the page loaded and the cursor path works); a replay
// written beside the record reaches the panel with the cursor's answer, and a broken one is named in its notes.
// Compare: a second recorded episode (the cube on the other side) joins the first on one tick axis, and the page is
// sent where they diverge, as compareEpisodes finds it on the two records read from disk.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ViewerEpisode } from '../../../src/contracts/episodeViewerMessages';
import { compareEpisodes } from '../../../src/core/episodeView';
import { EpisodeView } from '../../../src/io/recording/episodeView';
import { SO100_MOTORS, type PerMotor } from '../../../src/core/so100';
import { REPLAY_FORMAT, ReplayFileWriter } from '../../../src/io/recording/replayFile';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, waitFor, runRecordedEpisode } from './hostHelpers';

suite('SO-100 Episode Viewer', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const recordRoot = () => join(folder, '.so100', 'episode-viewer-test');

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('so100.disconnectArm');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(configFile(), { force: true });
    await rm(recordRoot(), { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('a recorded episode opens in the viewer, and its page asks for the cursor and gets it', async () => {
    const episode = await runRecordedEpisode(api, configFile(), {
      maxSteps: 12,
      record: { dir: '.so100/episode-viewer-test', frames: 'png', pngEvery: 3 },
    });
    const dir = episode.recordDir!;
    assert.ok(dir.startsWith(recordRoot()), dir);

    // A replay of every 4th tick beside the record, and a file that is not one.
    const none = Object.fromEntries(SO100_MOTORS.map((m) => [m, null])) as PerMotor<null>;
    const replay = await ReplayFileWriter.create(dir, {
      format: REPLAY_FORMAT,
      model: 'pi0_fast',
      protocol: 'openpi',
      url: 'ws://127.0.0.1:1',
      converter: 'openpi-so100',
      every: 4,
      startedAt: new Date().toISOString(),
    });
    for (const tick of [0, 4, 8])
      await replay.append({
        tick,
        horizon: 5,
        latencyMs: 20,
        targets: Array.from({ length: 5 }, (_, i) => [tick + i, 1, 2, 3, 4, 50]),
        deviation: { rows: 5, perJoint: { ...none, gripper: { mean: 1.25, max: 3 } } },
      });
    await replay.finish();
    await writeFile(join(dir, 'replay-broken.jsonl'), 'not json\n');

    const opened = await vscode.commands.executeCommand<ViewerEpisode>('so100.openEpisode', dir);
    assert.ok(opened, 'the viewer got the episode');
    assert.equal(opened.dir, dir);
    assert.equal(opened.ticks.length, 12);
    assert.deepEqual(
      opened.joints.map((j) => j.unit),
      ['°', '°', '°', '°', '°', '%'],
    );
    assert.deepEqual(opened.cameras, ['front', 'wrist']);

    const { EpisodeViewerPanel } = api.panels;
    const panel = EpisodeViewerPanel.open;
    assert.ok(panel, 'the panel is open');
    assert.equal(panel.episode('a')?.dir, dir);
    await waitFor(
      'the page to ask for the cursor and get it',
      () => (panel.cursorAnswers.a > 0 ? true : undefined),
      30_000,
    );
    assert.deepEqual(opened.replays, [{ model: 'pi0_fast', chunks: 3 }]);
    assert.ok(
      opened.notes.some((n) => /replay-broken\.jsonl could not be read/.test(n)),
      opened.notes.join(' | '),
    );
    // The page asked at the first tick; the replayed chunk asked there covers it (rows from its first executed tick).
    const answered = panel.lastCursor('a');
    assert.ok(answered, 'a cursor answer was sent');
    assert.equal(answered.tick, 0);
    assert.equal(answered.replays.length, 1);
    assert.equal(answered.replays[0].model, 'pi0_fast');
    const chunk = answered.replays[0].chunks.at(-1);
    assert.ok(chunk, `no replayed chunk at tick 0: ${JSON.stringify(answered.replays)}`);
    assert.equal(chunk.tick, 0);
    assert.deepEqual(chunk.deviation?.perJoint.gripper, { mean: 1.25, max: 3 });

    // From the explorer: the episode.json's Uri opens the same record in the same panel.
    const again = await vscode.commands.executeCommand<ViewerEpisode>(
      'so100.openEpisode',
      vscode.Uri.file(join(dir, 'episode.json')),
    );
    assert.equal(again?.dir, dir);
    assert.equal(EpisodeViewerPanel.open, panel);

    // Not a record: no panel change, no result.
    assert.equal(await vscode.commands.executeCommand('so100.openEpisode', join(folder, 'no-such-episode')), undefined);
  });

  test('Compare: a second episode joins the first on one tick axis, and the page gets the tick where they diverge', async () => {
    // One model, two seeds that put the cube on either side of the arm (shoulder_pan turns opposite ways), and two
    // lengths; each from the arm's start (disconnected in between).
    const record = { dir: '.so100/episode-viewer-test', frames: 'png', pngEvery: 5 };
    await vscode.commands.executeCommand('so100.disconnectArm');
    const first = await runRecordedEpisode(api, configFile(), { maxSteps: 30, robot: { seed: 1 }, record });
    await vscode.commands.executeCommand('so100.disconnectArm');
    const second = await runRecordedEpisode(api, configFile(), { maxSteps: 45, robot: { seed: 10 }, record });
    await vscode.commands.executeCommand('so100.disconnectArm');
    const [dirA, dirB] = [first.recordDir!, second.recordDir!];
    assert.notEqual(dirA, dirB);

    const opened = await vscode.commands.executeCommand<ViewerEpisode>('so100.openEpisode', dirA);
    assert.equal(opened?.dir, dirA);
    const panel = api.panels.EpisodeViewerPanel.open;
    assert.ok(panel, 'the panel is open');
    assert.equal(panel.episode('b'), undefined, 'nothing compared yet');
    assert.equal(panel.deliveredComparison, undefined);

    await panel.compareWith(dirB);
    assert.equal(panel.episode('a')?.dir, dirA, 'the first episode stays');
    const b = panel.episode('b');
    assert.equal(b?.dir, dirB);
    // Each named by its model (the default, pi0) and seed before its folder, on the page and in the panel's title.
    const labelA = panel.episode('a')!.label;
    assert.match(labelA, /^pi0 · seed 1 · /);
    assert.match(b!.label, /^pi0 · seed 10 · /);
    assert.equal(panel.panel.title, `Episodes: ${labelA} vs ${b!.label}`);

    // What the two records on disk give.
    const [viewA, viewB] = await Promise.all([EpisodeView.open(dirA), EpisodeView.open(dirB)]);
    let expected;
    try {
      expected = compareEpisodes(viewA.timeline.steps, viewB.timeline.steps);
    } finally {
      viewA.dispose();
      viewB.dispose();
    }
    const sent = await waitFor('the webview to take the comparison', () => panel.deliveredComparison, 30_000);
    assert.deepEqual(sent, expected);
    // The page took episode b too: it asks for b's cursor (only a page holding b does).
    await waitFor("the page to ask for the compared episode's cursor", () =>
      panel.cursorAnswers.b > 0 ? true : undefined,
    );

    // One axis to the longer episode's end; a divergence on it (the cube lies on the other side).
    const a = panel.episode('a')!;
    assert.equal(sent.lastTick, Math.max(a.ticks.at(-1)!, b!.ticks.at(-1)!));
    assert.equal(sent.lastTick, b!.ticks.at(-1), 'the second episode is the longer one');
    assert.ok(a.ticks.length < b!.ticks.length, `${a.ticks.length} vs ${b!.ticks.length} ticks`);
    assert.ok(sent.divergenceTick !== undefined, `no divergence: ${JSON.stringify(sent)}`);
    assert.ok(sent.divergenceJoint !== undefined);
    // The marked tick is where the plotted measured lines part: over the threshold there, within it before.
    const differences = (tick: number) => {
      const [i, k] = [a.ticks.indexOf(tick), b!.ticks.indexOf(tick)];
      return a.measured.map((series, j) => Math.abs((series[i] ?? NaN) - (b!.measured[j][k] ?? NaN)));
    };
    assert.ok(
      differences(sent.divergenceTick)[sent.divergenceJoint] > sent.threshold,
      `${differences(sent.divergenceTick)}`,
    );
    for (const tick of a.ticks.filter((t) => t < sent.divergenceTick! && b!.ticks.includes(t)))
      assert.ok(
        differences(tick).every((d) => !(d > sent.threshold)),
        `tick ${tick}: ${differences(tick)}`,
      );
  });
});
