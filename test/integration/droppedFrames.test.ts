// A record whose encoder dropped frames, read by every reader of mp4 frames: the dataset export, Open Recorded Tick
// and replay each take, for tick t, the frame recorded at or before t by the frame index (`<camera>.ticks.csv`).
// The record is a real episode (`so100 episode`) whose cameras are re-recorded through the real frame recorder with
// a solid colour per tick that names the tick, some ticks left out (as frames the encoder could not take are). An
// older record without the index is read frame n = tick n, with a note.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { NdArray } from '../../src/core/ndarray';
import type { WireValue } from '../../src/core/protocols';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { exportLeRobotDataset } from '../../src/io/export';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { lastAtOrBefore } from '../../src/io/recording/frameIndex';
import { CameraFrameRecorder, type RecordedCamera } from '../../src/io/recording/frameRecorder';
import { readRecordedFrame } from '../../src/io/recording/recordedFrames';
import { planReplay, replayEpisode } from '../../src/runtime/episodeReplay';
import { inspectRecordedTick } from '../../src/runtime/recordedTick';
import { projectRoot, runCli } from '../helpers/cliProcess';
import { hasFfmpeg } from '../helpers/ffmpegPresent';

const STEPS = 24;
/** Ticks whose frames are left out: tick 0 (before the first frame), a run, and a last-but-few. */
const DROPPED = new Set([0, 5, 6, 7, 13, 20]);
const LEVELS = [16, 96, 176, 240];

/** The colour that names a tick (64 colours, each channel one of LEVELS). */
function colourOf(tick: number): [number, number, number] {
  return [LEVELS[tick % 4], LEVELS[(tick >> 2) % 4], LEVELS[(tick >> 4) % 4]];
}

/** The tick a decoded colour names, or -1 when a channel is nowhere near a level. */
function tickOf(rgb: ArrayLike<number>): number {
  let tick = 0;
  for (let c = 0; c < 3; c++) {
    const i = LEVELS.findIndex((l) => Math.abs(l - rgb[c]) <= 24);
    if (i < 0) return -1;
    tick += i << (2 * c);
  }
  return tick;
}

function solidFrame(width: number, height: number, tick: number) {
  const data = new Uint8Array(width * height * 3);
  const rgb = colourOf(tick);
  for (let p = 0; p < data.length; p += 3) data.set(rgb, p);
  return { width, height, data };
}

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

function videoSize(file: string): { width: number; height: number } {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  const s = (JSON.parse(r.stdout) as { streams: { width: number; height: number }[] }).streams[0];
  return { width: s.width, height: s.height };
}

/** The ticks of a camera's frame index. */
async function indexTicks(dir: string, camera: string): Promise<number[]> {
  const lines = (await readFile(join(dir, `${camera}.ticks.csv`), 'utf8')).trimEnd().split('\n').slice(1);
  return lines.map((l) => Number(l.split(',')[1]));
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
    const r = await runCli(['episode', '--steps', String(STEPS), '--record', join(root, 'rec')], 200_000);
    assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
    episode = join(root, 'rec', (await readdir(join(root, 'rec')))[0]);
    cameras = (await readdir(episode))
      .filter((f) => f.endsWith('.mp4'))
      .sort()
      .map((f) => ({ name: f.slice(0, -4), ...videoSize(join(episode, f)) }));
    assert.deepEqual(
      cameras.map((c) => c.name),
      ['front', 'wrist'],
    );
    // The cameras again through the real recorder: a colour per tick, the DROPPED ticks' frames never reaching it.
    const scratch = join(root, 'scratch');
    await mkdir(scratch);
    const rec = await CameraFrameRecorder.create(scratch, cameras, { fps: 30 });
    for (let tick = 0; tick < STEPS; tick++) {
      await rec.room();
      if (DROPPED.has(tick)) continue;
      rec.record(tick, Object.fromEntries(cameras.map((c) => [c.name, solidFrame(c.width, c.height, tick)])));
    }
    const summary = await rec.finish();
    assert.equal(summary.mode, 'mp4', summary.why);
    for (const c of cameras)
      for (const f of [`${c.name}.mp4`, `${c.name}.ticks.csv`]) await copyFile(join(scratch, f), join(episode, f));
    index = await indexTicks(episode, 'front');
    assert.deepEqual(await indexTicks(episode, 'wrist'), index);
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

/** The ticks named by the centre pixel of each uint8 image in an observation, in key order. */
function imageTicks(observation: WireValue): number[] {
  const out: number[] = [];
  const visit = (v: WireValue) => {
    if (v instanceof NdArray) {
      if (v.dtype === '|u1' && v.shape.length === 3 && v.shape[2] === 3) {
        const [h, w] = v.shape;
        const at = ((h >> 1) * w + (w >> 1)) * 3;
        out.push(tickOf(v.data.subarray(at, at + 3)));
      }
    } else if (v && typeof v === 'object' && !ArrayBuffer.isView(v))
      for (const k of Object.keys(v).sort()) visit((v as Record<string, WireValue>)[k]);
  };
  visit(observation);
  return out;
}
