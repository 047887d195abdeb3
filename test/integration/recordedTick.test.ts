// The Converter Inspector on a recorded tick, against a real runtime process: episodes recorded with PNG frames
// (kept every 5th tick) and with mp4 frames (read back through ffmpeg), the observation rebuilt from steps.csv and
// the frames, the converter run on it; a missing ffmpeg and a tick past the end are told plainly. Also the PNG
// reader on ffmpeg's own PNGs, which use every row filter.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { decodePngFrame } from '../../src/io/recording/pngFrameReader';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';
import { hasFfmpeg } from '../helpers/ffmpegPresent';

const root = path.resolve(__dirname, '../..');

test(
  "decodePngFrame reads ffmpeg's PNGs (sub, up and Paeth rows) to the same pixels as its raw RGB",
  { skip: !hasFfmpeg && 'no ffmpeg here' },
  async () => {
    const source = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=60x36:rate=1',
      '-frames:v',
      '1',
    ];
    const png = execFileSync('ffmpeg', [...source, '-f', 'image2pipe', '-c:v', 'png', '-pred', 'mixed', 'pipe:1']);
    const rgb = execFileSync('ffmpeg', [...source, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    const frame = await decodePngFrame(png, 'testsrc2.png');
    assert.deepEqual([frame.width, frame.height], [60, 36]);
    assert.ok(Buffer.from(frame.data).equals(rgb), 'same pixels');
    await assert.rejects(decodePngFrame(new Uint8Array([1, 2, 3]), 'x.png'), /x\.png: not a PNG file/);
  },
);

describe('inspectRecordedTick through the runtime process', () => {
  let pi0: BuiltinPolicyServer;
  let dir: string;
  let rt: RuntimeProcess;

  const config = (frames: 'png' | 'mp4'): So100Config => {
    const d = defaultConfig();
    return {
      ...d,
      maxSteps: 12,
      robot: { ...d.robot, seed: 3 },
      record: { ...d.record, enabled: true, dir: path.join(dir, frames), frames, pngEvery: 5 },
    };
  };

  /** Records one 12-tick episode and returns its folder. */
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
    dir = await mkdtemp(path.join(tmpdir(), 'so100-recorded-tick-'));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: () => {},
    });
  });
  after(async () => {
    await rt?.stop();
    await pi0?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(
    'PNG frames: tick 7 gets the joints of its steps.csv row and the frames of tick 5, converted for the policy',
    { timeout: 120_000 },
    async () => {
      const episode = await record('png');
      const steps = (await readEpisodeRecord(episode)).steps;
      const r = await rt.client.call('inspectRecordedTick', { dir: episode, tick: 7, config: config('png') });
      assert.deepEqual(r.recorded, { dir: episode, tick: 7 });
      assert.equal(r.tick, 7);
      const seven = steps.find((s) => s.tick === 7)!;
      assert.deepEqual(
        r.observation?.joints.map((j) => j.value),
        Object.values(seven.positions),
      );
      assert.deepEqual(
        r.observation?.cameras.map((c) => c.key),
        ['front', 'wrist'],
      );
      assert.ok(
        r.notes.some((n) => /front: .*showing tick 5/.test(n)),
        r.notes.join(' | '),
      );
      const main = r.input?.find((x) => x.key === 'observation/images.main');
      assert.deepEqual(main?.shape, [224, 224, 3]);
      assert.ok(main?.stats && main.stats.max > main.stats.min, 'a picture, not a blank');
      assert.equal(r.error, undefined);
      await assert.rejects(
        rt.client.call('inspectRecordedTick', { dir: episode, tick: 99, config: config('png') }),
        /has no tick 99; its ticks are 0–11/,
      );
    },
  );

  test(
    'mp4 frames come out of the video through ffmpeg; without ffmpeg the error says to install it or set so100.ffmpegPath',
    { timeout: 120_000, skip: !hasFfmpeg && 'no ffmpeg here' },
    async () => {
      const episode = await record('mp4');
      const r = await rt.client.call('inspectRecordedTick', { dir: episode, tick: 4, config: config('mp4') });
      assert.deepEqual(
        r.observation?.cameras.map((c) => c.key),
        ['front', 'wrist'],
      );
      for (const c of r.observation?.cameras ?? [])
        assert.ok(c.shape?.length === 3 && c.shape[2] === 3 && c.image, `${c.key}: ${JSON.stringify(c.shape)}`);
      assert.equal(r.notes.filter((n) => /no frames/.test(n)).length, 0, r.notes.join(' | '));
      assert.ok(r.input?.some((x) => x.key === 'observation/images.main'));
      await assert.rejects(
        rt.client.call('inspectRecordedTick', {
          dir: episode,
          tick: 4,
          config: config('mp4'),
          ffmpegPath: path.join(dir, 'no-ffmpeg-here'),
        }),
        /taking one out needs ffmpeg, which was not found .* Install ffmpeg, or set so100\.ffmpegPath/,
      );
    },
  );
});
