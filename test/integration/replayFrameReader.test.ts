// Replay reads a record's mp4 frames tick after tick through one ffmpeg per camera (RecordedFrameReader): the frame
// handed out for each tick is the one recorded at or before it (frames the encoder dropped included), a request that
// goes back restarts the decoder and still gets the right frame, and no ffmpeg is left once the reader is closed or
// the replay ends, fails or is cancelled. The record is a real episode whose cameras carry a colour per tick.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { lastAtOrBefore } from '../../src/io/recording/frameIndex';
import { readRecordedFrame, RecordedFrameError, RecordedFrameReader } from '../../src/io/recording/recordedFrames';
import { planReplay, replayEpisode } from '../../src/runtime/episodeReplay';
import { childProcesses } from '../helpers/processTable';
import { projectRoot } from '../helpers/cliProcess';
import { frameTick, imageTicks, recordColouredEpisode } from '../helpers/colouredRecord';
import { hasFfmpeg } from '../helpers/ffmpegPresent';

const STEPS = 40;
/** Ticks whose frames are left out: a single one, a pair, and one near the end. */
const DROPPED = new Set([4, 17, 18, 33]);

/** The ffmpeg children of this process reading a file under `dir` (and any zombie ffmpeg: one not waited for). */
function ffmpegsUnder(dir: string) {
  return childProcesses().filter((p) => p.comm === 'ffmpeg' && (p.zombie || p.argv.some((a) => a.startsWith(dir))));
}

/** Per video file, the pids of the ffmpegs seen reading it. */
function notePids(seen: Map<string, Set<number>>, dir: string): void {
  for (const p of ffmpegsUnder(dir)) {
    const file = p.argv.find((a) => a.endsWith('.mp4')) ?? '?';
    if (!seen.has(file)) seen.set(file, new Set());
    seen.get(file)!.add(p.pid);
  }
}

describe('replay reads mp4 frames in order, one ffmpeg per camera', { skip: !hasFfmpeg && 'no ffmpeg here' }, () => {
  let root: string;
  let episode: string;
  let index: number[];
  /** The tick whose frame stands for tick t: the last recorded at or before it. */
  const expected = (t: number) => index[Math.max(0, lastAtOrBefore(index, t))];
  let server: BuiltinPolicyServer;
  /** Per request the server answered: the tick each image (front, wrist) names. */
  let seen: number[][];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'so100-replay-frames-'));
    ({ episode, index } = await recordColouredEpisode(root, STEPS, DROPPED));
    assert.ok(index.length < STEPS && index[0] === 0, `frames dropped: ${index.join(' ')}`);
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 0 }),
    });
    const infer = server.infer.bind(server);
    server.infer = (policy, observation, state) => {
      seen.push(imageTicks(observation));
      return infer(policy, observation, state);
    };
  });
  after(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('every tick in order, then back: the right frame each time, one decoder per camera until the request goes back', async () => {
    const reader = new RecordedFrameReader(episode);
    const pids = new Map<string, Set<number>>();
    try {
      for (let t = 0; t < STEPS; t++) {
        for (const camera of ['front', 'wrist']) {
          const f = (await reader.read(camera, t))!;
          assert.equal(f.file, `${camera}.mp4`);
          assert.equal(f.tick, expected(t), `${camera} at tick ${t}: the tick its frame is from`);
          assert.equal(frameTick(f.frame), expected(t), `${camera} at tick ${t}: the colour of its frame`);
        }
        if (t < STEPS / 2) notePids(pids, episode); // the decoders are mid-video here, waiting on a full pipe
      }
      assert.deepEqual(
        [...pids.entries()].map(([file, set]) => [file, set.size]).sort(),
        [
          [join(episode, 'front.mp4'), 1],
          [join(episode, 'wrist.mp4'), 1],
        ],
        'one ffmpeg per camera for the whole forward pass',
      );
      // Backwards (a restart from the start), the same frame again (a dropped tick), then forwards again.
      for (const t of [10, 3, 4, 4, 5, 18, 39, 0]) {
        const f = (await reader.read('front', t))!;
        assert.equal(frameTick(f.frame), expected(t), `front at tick ${t}, asked out of order`);
        assert.equal(f.tick, expected(t));
      }
      // Each handed-out frame is the caller's own: changing one does not change the next hand-out of it.
      const a = (await reader.read('front', 17))!;
      a.frame.data.fill(0);
      assert.equal(frameTick((await reader.read('front', 18))!.frame), expected(18));
      // The single-frame path agrees.
      for (const t of [17, 18, 33]) {
        const one = (await readRecordedFrame(episode, 'wrist', t))!;
        const inOrder = (await reader.read('wrist', t))!;
        assert.deepEqual([one.tick, frameTick(one.frame)], [inOrder.tick, frameTick(inOrder.frame)], `tick ${t}`);
      }
    } finally {
      await reader.close();
    }
    assert.deepEqual(ffmpegsUnder(episode), [], 'no ffmpeg left once the reader is closed');
    await assert.rejects(reader.read('front', 1), /closed/);
  });

  test('replay of every tick feeds each its frame through one ffmpeg per camera, none left at the end', async () => {
    seen = [];
    const pids = new Map<string, Set<number>>();
    const notes: string[] = [];
    const plan = await planReplay({ dir: episode, config: defaultConfig(), every: 1 });
    assert.equal(plan.ticks.length, STEPS);
    const outcome = await replayEpisode(plan, {
      workspace: projectRoot,
      model: 'pi0',
      endpoint: { url: server.url, protocol: 'openpi' },
      onNote: (n) => notes.push(n),
      onProgress: (done) => {
        if (done < STEPS / 2) notePids(pids, episode);
      },
    });
    assert.equal(outcome.chunks, STEPS);
    assert.deepEqual(
      seen,
      plan.ticks.map((t) => [expected(t), expected(t)]),
      'front and wrist, per tick',
    );
    assert.deepEqual(
      [...pids.values()].map((s) => s.size),
      [1, 1],
      'one ffmpeg per camera',
    );
    assert.ok(
      notes.some((n) => /front: the encoder dropped frames; the last frame recorded at or before each tick/.test(n)),
      notes.join(' | '),
    );
    assert.deepEqual(ffmpegsUnder(episode), [], 'no ffmpeg left after the replay');
  });

  test('a replay cancelled mid-way leaves no ffmpeg', async () => {
    seen = [];
    const abort = new AbortController();
    let running = 0;
    const plan = await planReplay({ dir: episode, config: defaultConfig(), every: 1 });
    await assert.rejects(
      replayEpisode(plan, {
        workspace: projectRoot,
        model: 'pi0',
        endpoint: { url: server.url, protocol: 'openpi' },
        signal: abort.signal,
        onProgress: (done) => {
          if (done !== 5) return;
          running = ffmpegsUnder(episode).length;
          abort.abort(new Error('the replay was cancelled'));
        },
      }),
      /the replay was cancelled/,
    );
    assert.equal(running, 2, 'both decoders were running when it was cancelled');
    assert.deepEqual(ffmpegsUnder(episode), [], 'no ffmpeg left after the cancel');
  });

  test('a video shorter than its frame index fails the replay naming the frame, and leaves no ffmpeg', async () => {
    const short = join(root, 'short');
    await cp(episode, short, { recursive: true });
    // The front video cut to its first 12 frames, its index still listing them all.
    const r = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      join(episode, 'front.mp4'),
      '-frames:v',
      '12',
      '-c',
      'copy',
      '-y',
      join(short, 'front.mp4'),
    ]);
    assert.equal(r.status, 0, String(r.stderr));
    const plan = await planReplay({ dir: short, config: defaultConfig(), every: 1 });
    await assert.rejects(
      replayEpisode(plan, { workspace: projectRoot, model: 'pi0', endpoint: { url: server.url, protocol: 'openpi' } }),
      (err: unknown) => {
        assert.ok(err instanceof RecordedFrameError, String(err));
        assert.match(
          err.message,
          /front\.mp4 has no frame 12 \(it holds 12; the video is shorter than the episode's steps\)/,
        );
        return true;
      },
    );
    assert.deepEqual(ffmpegsUnder(short), [], 'no ffmpeg left after the failure');
  });

  test('without ffmpeg the reader says where to set it', async () => {
    const reader = new RecordedFrameReader(episode, join(root, 'no-such-ffmpeg'));
    try {
      await assert.rejects(reader.read('front', 3), (err: unknown) => {
        assert.ok(err instanceof RecordedFrameError, String(err));
        assert.match(err.message, /taking them out needs ffmpeg, which was not found .*set so100\.ffmpegPath to it/);
        return true;
      });
    } finally {
      await reader.close();
    }
  });
});
