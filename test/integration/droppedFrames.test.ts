// A record whose encoder dropped frames, read by every reader of mp4 frames: the dataset export, Open Recorded Tick
// and replay each take, for tick t, the frame recorded at or before t by the frame index (`<camera>.ticks.csv`).
// The record is a real episode (`so100 episode`) whose cameras are re-recorded through the real frame recorder with
// a solid colour per tick that names the tick, some ticks left out (as frames the encoder could not take are). An
// older record without the index is read frame n = tick n, with a note.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { exportLeRobotDataset } from '../../src/io/export';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { lastAtOrBefore } from '../../src/io/recording/frameIndex';
import type { RecordedCamera } from '../../src/io/recording/frameRecorder';
import { readRecordedFrame } from '../../src/io/recording/recordedFrames';
import { planReplay, replayEpisode } from '../../src/runtime/episodeReplay';
import { inspectRecordedTick } from '../../src/runtime/recordedTick';
import { projectRoot } from '../helpers/cliProcess';
import { imageTicks, recordColouredEpisode, tickOf } from '../helpers/colouredRecord';
import { hasFfmpeg } from '../helpers/ffmpegPresent';

const STEPS = 24;
/** Ticks whose frames are left out: tick 0 (before the first frame), a run, and a last-but-few. */
const DROPPED = new Set([0, 5, 6, 7, 13, 20]);

/** The centre pixel of each frame of a video, decoded to rgb24. */
function centrePixels(file: string, width: number, height: number): number[][] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 30,
  });
  assert.equal(r.status, 0, String(r.stderr));
  const size = width * height * 3;
  const at = ((height >> 1) * width + (width >> 1)) * 3;
  const out: number[][] = [];
  for (let o = 0; o + size <= r.stdout.length; o += size) out.push([...r.stdout.subarray(o + at, o + at + 3)]);
  return out;
}

describe('a record whose encoder dropped frames', { skip: !hasFfmpeg && 'no ffmpeg here' }, () => {
  let root: string;
  let episode: string;
  let cameras: RecordedCamera[];
  /** Frame → tick of the front camera, as the recorder wrote it. */
  let index: number[];
  /** The tick whose frame stands for tick t: the last recorded at or before it, the first before that. */
  const expected = (t: number) => index[Math.max(0, lastAtOrBefore(index, t))];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'so100-dropped-frames-'));
    ({ episode, cameras, index } = await recordColouredEpisode(root, STEPS, DROPPED));
    assert.ok(
      index.every((t) => !DROPPED.has(t)) && index.length < STEPS && index[0] > 0,
      `frames dropped: ${index.join(' ')}`,
    );
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('the recorded video holds the colours of its indexed ticks', () => {
    const front = cameras[0];
    const ticks = centrePixels(join(episode, 'front.mp4'), front.width, front.height).map(tickOf);
    assert.deepEqual(ticks, index);
  });

  test('export: dataset row t is the frame of the last tick at or before t that has one', async () => {
    const out = join(root, 'ds');
    const summary = await exportLeRobotDataset([{ dir: episode }], { out });
    assert.equal(summary.frames, STEPS);
    for (const c of cameras) {
      const file = join(out, `videos/observation.images.${c.name}/chunk-000/file-000.mp4`);
      const rows = centrePixels(file, c.width, c.height).map(tickOf);
      assert.deepEqual(
        rows,
        Array.from({ length: STEPS }, (_, t) => expected(t)),
        `${c.name}: row → tick of its frame`,
      );
    }
    assert.deepEqual(summary.notes, []);
  });

  test('Open Recorded Tick on a dropped tick shows the earlier frame and says which tick it is from', async () => {
    const front = await readRecordedFrame(episode, 'front', 6);
    assert.equal(front?.tick, 4);
    assert.equal(front?.file, 'front.mp4');
    assert.deepEqual(front?.notes, []);
    const centre = ((front!.frame.height >> 1) * front!.frame.width + (front!.frame.width >> 1)) * 3;
    assert.equal(tickOf(front!.frame.data.subarray(centre, centre + 3)), 4);

    const r = await inspectRecordedTick({ workspace: projectRoot, dir: episode, tick: 6, config: defaultConfig() });
    assert.equal(r.error, undefined);
    for (const camera of ['front', 'wrist'])
      assert.ok(
        r.notes.some((n) => n.includes(`${camera}: the encoder dropped the frame of tick 6; showing tick 4`)),
        r.notes.join(' | '),
      );
    // A tick before the first frame: the first one, said to be later.
    const zero = await inspectRecordedTick({ workspace: projectRoot, dir: episode, tick: 0, config: defaultConfig() });
    assert.ok(
      zero.notes.some((n) => n.includes(`front: no frame was recorded at or before tick 0; showing the first, tick 1`)),
      zero.notes.join(' | '),
    );
    // Its own tick: no note.
    const own = await inspectRecordedTick({ workspace: projectRoot, dir: episode, tick: 8, config: defaultConfig() });
    assert.deepEqual(
      own.notes.filter((n) => /front|wrist/.test(n)),
      [],
    );
  });

  test('replay feeds the policy the frame recorded at or before each tick it asks at', async () => {
    const server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 1 }),
    });
    const seen: number[][] = [];
    const infer = server.infer.bind(server);
    server.infer = (policy, observation, state) => {
      seen.push(imageTicks(observation));
      return infer(policy, observation, state);
    };
    try {
      const notes: string[] = [];
      const plan = await planReplay({ dir: episode, config: defaultConfig(), every: 5 });
      assert.deepEqual(plan.ticks, [0, 5, 10, 15, 20]);
      await replayEpisode(plan, {
        workspace: projectRoot,
        model: 'pi0',
        endpoint: { url: server.url, protocol: 'openpi' },
        onNote: (n) => notes.push(n),
      });
      assert.deepEqual(
        seen,
        plan.ticks.map((t) => [expected(t), expected(t)]),
        'both cameras, per tick asked',
      );
      assert.ok(
        notes.some((n) => /front: the encoder dropped frames; the last frame recorded at or before each tick/.test(n)),
        notes.join(' | '),
      );
    } finally {
      await server.close();
    }
  });

  test('a record made before the frame index is read frame n = tick n, and says so', async () => {
    const old = join(root, 'old');
    await cp(episode, old, { recursive: true });
    for (const c of cameras) await rm(join(old, `${c.name}.ticks.csv`));
    const f = await readRecordedFrame(old, 'front', 3);
    assert.equal(f?.tick, 3);
    assert.ok(
      f?.notes.some((n) => /front: this record has no frame index .*frame n is read as tick n/.test(n)),
      f?.notes.join(' | '),
    );
    const centre = ((f!.frame.height >> 1) * f!.frame.width + (f!.frame.width >> 1)) * 3;
    assert.equal(tickOf(f!.frame.data.subarray(centre, centre + 3)), index[3], 'video frame 3');

    const out = join(root, 'ds-old');
    const summary = await exportLeRobotDataset([{ dir: old }], { out });
    assert.ok(
      summary.notes.some((n) => n.includes(old) && /front: this record has no frame index/.test(n)),
      summary.notes.join(' | '),
    );
    const front = cameras[0];
    const rows = centrePixels(
      join(out, 'videos/observation.images.front/chunk-000/file-000.mp4'),
      front.width,
      front.height,
    );
    assert.deepEqual(
      rows.map(tickOf),
      Array.from({ length: STEPS }, (_, t) => index[Math.min(t, index.length - 1)]),
      'frame n for row n, the last frame held past the end',
    );
  });
});
