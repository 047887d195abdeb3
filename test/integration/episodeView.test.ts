// The Episode Viewer's reading side on real records: episodes recorded by the runtime process against the built-in
// server (mp4 frames with their frame index, and PNG frames every 5th tick), opened as the viewer opens them; then
// the bad inputs: files missing, a record of another format, a missing ffmpeg, an older record without the index.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { EpisodeView } from '../../src/io/recording/episodeView';
import { compareEpisodes } from '../../src/core/episodeView';
import { viewerEpisode } from '../../src/extension/viewer/viewerEpisode';
import type { EpisodeFrame, EpisodeFrameResult } from '../../src/io/recording/episodeFrames';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';
import { REPLAY_FORMAT, ReplayFileWriter } from '../../src/io/recording/replayFile';
import { SO100_MOTORS, type PerMotor } from '../../src/core/so100';
import { hasFfmpeg } from '../helpers/ffmpegPresent';

const root = path.resolve(__dirname, '../..');

const isFrame = (f: EpisodeFrameResult): f is EpisodeFrame => 'bytes' in f;

describe('episode records opened for the viewer', () => {
  let pi0: BuiltinPolicyServer;
  let dir: string;
  let rt: RuntimeProcess;
  const views: EpisodeView[] = [];
  const open = async (p: string, ffmpeg?: string) => {
    const v = await EpisodeView.open(p, ffmpeg);
    views.push(v);
    return v;
  };

  const config = (frames: 'png' | 'mp4'): So100Config => {
    const d = defaultConfig();
    return {
      ...d,
      maxSteps: 20,
      robot: { ...d.robot, seed: 4 },
      record: { ...d.record, enabled: true, dir: path.join(dir, frames), frames, pngEvery: 5 },
    };
  };

  async function record(frames: 'png' | 'mp4'): Promise<string> {
    const c = rt.client;
    await c.call('connect', { config: config(frames), endpoints: { pi0: { url: pi0.url, protocol: 'openpi' } } });
    const ended = c.next('episodeEnded', () => true, 60_000);
    await c.call('runEpisode', {});
    const summary = await ended;
    await c.call('disconnect', {});
    assert.ok(summary.recordDir, 'recorded');
    return summary.recordDir;
  }

  before(async () => {
    pi0 = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'so100-episode-view-'));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: () => {},
    });
  });
  after(async () => {
    for (const v of views) v.dispose();
    await rt?.stop();
    await pi0?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(
    'an mp4 record: timeline, units, and each camera frame at the exact tick through the frame index',
    { timeout: 120_000, skip: !hasFfmpeg && 'no ffmpeg here' },
    async () => {
      const episode = await record('mp4');
      const v = await open(path.join(episode, 'episode.json'));
      assert.equal(v.dir, episode);
      assert.deepEqual(v.notes, []);
      assert.equal(v.timeline.steps.length, 20);
      assert.deepEqual(v.units, ['°', '°', '°', '°', '°', '%']);
      assert.equal(v.timeline.budgetMs, 1000 / v.fps);
      assert.ok(v.timeline.spans.length > 0, 'chunks were executed');
      assert.ok(
        v.timeline.events.some((e) => e.kind === 'chunk-arrival'),
        'chunk arrivals are marked',
      );
      assert.deepEqual(v.frames.cameraNames, ['front', 'wrist']);
      const index = (await readFile(path.join(episode, 'front.ticks.csv'), 'utf8')).trimEnd().split('\n').slice(1);
      const frameTicks = index.map((l) => Number(l.split(',')[1]));
      const at = frameTicks[Math.min(9, frameTicks.length - 1)];
      const { cursor, frames } = await v.cursor(at);
      assert.equal(cursor.tick, at);
      assert.ok(cursor.stages.length > 0, 'stage timing at the tick');
      assert.equal(frames.length, 2);
      for (const f of frames) {
        assert.ok(isFrame(f), JSON.stringify(f));
        assert.equal(f.mime, 'image/jpeg');
        assert.deepEqual([...f.bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
      }
      assert.equal((frames[0] as EpisodeFrame).tick, at);
      // Another tick is another picture (the arm moves), and past the end reads the last frame.
      const first = (await v.cursor(frameTicks[0])).frames[0] as EpisodeFrame;
      assert.ok(!Buffer.from(first.bytes).equals(Buffer.from((frames[0] as EpisodeFrame).bytes)));
      const last = await v.cursor(10_000);
      assert.equal(last.cursor.tick, 19);
      assert.equal((last.frames[0] as EpisodeFrame).tick, frameTicks.at(-1));

      // What the page gets: a value per tick and joint for each series, the policy's rows included, with units.
      const page = viewerEpisode('a', v);
      assert.equal(page.ticks.length, 20);
      for (const s of [page.measured, page.sent, page.policy]) {
        assert.equal(s.length, 6);
        for (const joint of s) assert.equal(joint.length, 20);
      }
      assert.ok(page.measured[0].every((x) => typeof x === 'number'));
      assert.equal(page.joints[5].unit, '%');
      // Named by the model the runtime recorded and the simulated scene's seed, then the folder.
      assert.equal(page.label, `pi0 · seed 4 · ${path.basename(episode)}`);
      // Compared with itself: one axis, no divergence.
      const same = compareEpisodes(v.timeline.steps, v.timeline.steps);
      assert.deepEqual([same.lastTick, same.divergenceTick], [19, undefined]);

      // A record made before the frame index: read as frame n = tick n, and said so.
      const old = path.join(dir, 'old');
      await cp(episode, old, { recursive: true });
      await rm(path.join(old, 'front.ticks.csv'));
      const o = await open(old);
      assert.ok(
        o.notes.some((n) => /front: this record has no frame index/.test(n)),
        o.notes.join(' | '),
      );
      assert.equal(((await o.cursor(3)).frames[0] as EpisodeFrame).tick, 3);

      // No ffmpeg: the viewer gets a message that says what to install, not a blank.
      const noFfmpeg = await open(episode, path.join(dir, 'no-such-ffmpeg'));
      const missing = (await noFfmpeg.cursor(2)).frames[0];
      assert.ok(!isFrame(missing));
      assert.match(missing.error, /front\.mp4; showing them needs ffmpeg, which was not found.*so100\.ffmpegPath/);
    },
  );

  test(
    'a PNG record shows the kept frame at or before the tick; missing files and other formats are named',
    { timeout: 120_000 },
    async () => {
      const episode = await record('png');
      const v = await open(episode);
      const { frames } = await v.cursor(7);
      const front = frames[0];
      assert.ok(isFrame(front), JSON.stringify(front));
      assert.equal(front.mime, 'image/png');
      assert.equal(front.tick, 5, 'PNGs kept every 5th tick: tick 7 shows tick 5');

      const cut = path.join(dir, 'cut');
      await cp(episode, cut, { recursive: true });
      await rm(path.join(cut, 'timing.csv'));
      await rm(path.join(cut, 'chunks.jsonl'));
      await rm(path.join(cut, 'frames'), { recursive: true });
      const c = await open(cut);
      assert.equal(c.timeline.steps.length, 20, 'steps still read');
      assert.deepEqual((await c.cursor(4)).cursor.stages, []);
      assert.ok(
        c.notes.some((n) => /missing from the record: chunks\.jsonl, timing\.csv/.test(n)),
        c.notes.join(' | '),
      );
      assert.ok(c.notes.some((n) => /no camera frames/.test(n)));
      // episode.json is still there: the copy keeps the model and seed, under its own folder's name.
      assert.equal(viewerEpisode('a', c).label, 'pi0 · seed 4 · cut');
      // Without episode.json there is no model to name: the folder name alone.
      const headless = path.join(dir, 'headless');
      await cp(episode, headless, { recursive: true });
      await rm(path.join(headless, 'episode.json'));
      assert.equal(viewerEpisode('a', await open(headless)).label, 'headless');

      const future = path.join(dir, 'future');
      await cp(episode, future, { recursive: true });
      const json = JSON.parse(await readFile(path.join(future, 'episode.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(path.join(future, 'episode.json'), JSON.stringify({ ...json, format: 2 }));
      await assert.rejects(
        EpisodeView.open(future),
        /the record is format 2; this version of SO-100 Policy Lab reads format 1/,
      );
      await assert.rejects(EpisodeView.open(path.join(dir, 'nowhere')), /does not exist; give an episode folder/);
      await assert.rejects(EpisodeView.open(dir), /holds none of an episode record's files/);

      // Replays beside the record: a finished one is overlaid, a `.partial` one is not, a broken one is named.
      const replayed = path.join(dir, 'replayed');
      await cp(episode, replayed, { recursive: true });
      const header = {
        format: REPLAY_FORMAT,
        protocol: 'openpi',
        url: 'http://127.0.0.1:1',
        converter: 'builtin',
        every: 3,
        startedAt: new Date(0).toISOString(),
      } as const;
      const none = Object.fromEntries(SO100_MOTORS.map((m) => [m, null])) as PerMotor<null>;
      const w = await ReplayFileWriter.create(replayed, { ...header, model: 'pi0_fast' });
      for (const tick of [3, 6])
        await w.append({
          tick,
          horizon: 4,
          latencyMs: 5,
          targets: Array.from({ length: 4 }, (_, i) => [tick * 10 + i, 0, 0, 0, 0, 0]),
          deviation: { rows: 4, perJoint: { ...none, shoulder_pan: { mean: 1.5, max: 2.5 } } },
        });
      await w.finish();
      await (await ReplayFileWriter.create(replayed, { ...header, model: 'cut_short' })).abandon();
      await writeFile(path.join(replayed, 'replay-broken.jsonl'), '{"format": 1, "model": "broken"\n');
      const r = await open(replayed);
      assert.deepEqual(
        r.replays.map((o) => [o.model, o.chunkCount]),
        [['pi0_fast', 2]],
      );
      assert.ok(
        r.notes.some((n) => /replay-broken\.jsonl could not be read.*:1:/.test(n)),
        r.notes.join(' | '),
      );
      const starved = new Set(r.timeline.steps.filter((s) => s.starved).map((s) => s.tick));
      const { replays } = await r.cursor(7);
      assert.equal(replays.length, 1);
      assert.equal(replays[0].model, 'pi0_fast');
      const newest = replays[0].chunks.at(-1)!;
      assert.equal(newest.tick, 6);
      assert.equal(newest.rowTicks.length, 4);
      assert.ok(
        newest.rowTicks.every((t) => t >= 6 && !starved.has(t)),
        'rows on executed ticks',
      );
      assert.equal(newest.row, starved.has(7) ? undefined : newest.rowTicks.indexOf(7));
      assert.deepEqual(newest.deviation?.perJoint.shoulder_pan, { mean: 1.5, max: 2.5 });
      assert.deepEqual(viewerEpisode('a', r).replays, [{ model: 'pi0_fast', chunks: 2 }]);
    },
  );
});
