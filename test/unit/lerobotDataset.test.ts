// The pure parts of the LeRobot export: feature schema, stats and index arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dataFeatures,
  datasetInfo,
  ImageStatsAccumulator,
  imageStatsForJson,
  mergeFeatureStats,
  nextEpisodeSpan,
  statsFromJson,
  nextFileLocation,
  vectorStats,
  videoFilePath,
} from '../../src/core/lerobot';

const shape = { fps: 30, robotType: 'so100_follower', videos: [], evaluation: true, policyAction: false };

test('features: the five default columns, joint vectors with the six motor names, eval flags', () => {
  const f = dataFeatures(shape);
  assert.deepEqual(Object.keys(f), [
    'observation.state',
    'action',
    'next.reward',
    'next.success',
    'next.done',
    'timestamp',
    'frame_index',
    'episode_index',
    'index',
    'task_index',
  ]);
  assert.deepEqual(f.action.names, [
    'shoulder_pan.pos',
    'shoulder_lift.pos',
    'elbow_flex.pos',
    'wrist_flex.pos',
    'wrist_roll.pos',
    'gripper.pos',
  ]);
  const info = datasetInfo(shape, { episodes: 3, frames: 90, tasks: 1 });
  assert.equal(info.codebase_version, 'v3.0');
  assert.deepEqual(info.splits, { train: '0:3' });
  assert.equal(info.video_path, null);
});

test('index arithmetic: spans continue, files roll over at 1000 per chunk, paths are {:03d}', () => {
  const a = nextEpisodeSpan(undefined, 10);
  const b = nextEpisodeSpan(a, 5);
  assert.deepEqual(b, { episodeIndex: 1, length: 5, from: 10, to: 15 });
  assert.deepEqual(nextFileLocation({ chunk: 0, file: 999 }), { chunk: 1, file: 0 });
  assert.equal(videoFilePath('front', { chunk: 0, file: 7 }), 'videos/observation.images.front/chunk-000/file-007.mp4');
});

test('vector stats match numpy (population std, linear quantiles)', () => {
  const s = vectorStats([1, 10, 2, 20, 3, 30, 4, 40], 2);
  assert.deepEqual(s.min, [1, 10]);
  assert.deepEqual(s.max, [4, 40]);
  assert.deepEqual(s.mean, [2.5, 25]);
  assert.equal(s.std[0], Math.sqrt(1.25));
  assert.equal(s.q50[0], 2.5);
  assert.ok(Math.abs(s.q10[0] - 1.3) < 1e-12);
  assert.deepEqual(s.count, [4]);
});

test('image stats per channel in [0, 1]', () => {
  const acc = new ImageStatsAccumulator();
  acc.add(Uint8Array.from([0, 255, 51, 255, 255, 51]));
  const s = acc.stats();
  assert.deepEqual(s.min, [0, 1, 0.2]);
  assert.deepEqual(s.max, [1, 1, 0.2]);
  assert.deepEqual(s.mean, [0.5, 1, 0.2]);
  assert.deepEqual(s.count, [1]);
});

test('episode stats merge into dataset stats: min, max, mean, std and count exact, quantiles count-weighted', () => {
  const a = [1, 10, 2, 20, 3, 30];
  const b = [4, 40, 9, 90];
  const m = mergeFeatureStats([vectorStats(a, 2), vectorStats(b, 2)]);
  const whole = vectorStats([...a, ...b], 2);
  assert.deepEqual(m.min, whole.min);
  assert.deepEqual(m.max, whole.max);
  assert.deepEqual(m.count, [5]);
  m.mean.forEach((v, d) => assert.ok(Math.abs(v - whole.mean[d]) < 1e-12));
  m.std.forEach((v, d) => assert.ok(Math.abs(v - whole.std[d]) < 1e-12));
  assert.ok(Math.abs(m.q50[0] - (3 * 2 + 2 * 6.5) / 5) < 1e-12);
  // what stats.json stores comes back flat, images included
  const acc = new ImageStatsAccumulator();
  acc.add(Uint8Array.from([0, 255, 51]));
  assert.deepEqual(statsFromJson(imageStatsForJson(acc.stats())), acc.stats());
});
