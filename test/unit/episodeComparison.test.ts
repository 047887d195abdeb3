// compareEpisodes: two step series on one tick axis, and the first tick (and joint) where they part by more than the
// threshold. The series are built here: a base trajectory, and a copy with chosen joints moved at chosen ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEpisodes, DIVERGENCE_THRESHOLD, unitMismatch, type TimelineStep } from '../../src/core/episodeView';

const JOINTS = 6;

/** `length` ticks of a smooth six-joint trajectory; `moved` adds offsets per tick: { tick: { joint: by } }. */
function series(length: number, moved: Record<number, Record<number, number>> = {}): TimelineStep[] {
  return Array.from({ length }, (_, tick): TimelineStep => {
    // Whole numbers, so "exactly the threshold" is exact.
    const positions = Array.from({ length: JOINTS }, (_, j) => 10 * j + Math.round(Math.sin(tick / 4 + j) * 20));
    for (const [j, by] of Object.entries(moved[tick] ?? {})) positions[Number(j)] += by;
    return { tick, timeMs: tick * 33, positions, starved: false, chunkBoundary: false, note: '' };
  });
}

/** The largest |a − b| over the ticks both series hold, computed the plain way. */
function largestDifference(a: readonly TimelineStep[], b: readonly TimelineStep[]): number {
  let max = 0;
  for (const s of a) {
    const o = b.find((x) => x.tick === s.tick);
    if (o) s.positions.forEach((v, j) => (max = Math.max(max, Math.abs(v - o.positions[j]))));
  }
  return max;
}

test('two different series diverge at the first tick over the threshold, in the first joint over it there', () => {
  const t = DIVERGENCE_THRESHOLD;
  const a = series(30);
  const b = series(30, {
    3: { 1: t }, // exactly the threshold: not over it
    5: { 0: -t / 2, 3: t - 0.01 }, // under it
    8: { 4: t + 4, 2: -(t + 1) }, // over it in joints 2 and 4: joint 2 is the first
    9: { 0: t + 1 },
    20: { 5: 40 }, // the largest difference, later
  });
  const c = compareEpisodes(a, b);
  assert.equal(c.divergenceTick, 8);
  assert.equal(c.divergenceJoint, 2);
  assert.equal(c.threshold, t);
  assert.equal(c.lastTick, 29);
  assert.ok(Math.abs(c.maxDifference - largestDifference(a, b)) < 1e-9, `${c.maxDifference}`);
  assert.ok(c.maxDifference >= 40 - 1e-9);

  // The same two the other way round: the same tick and joint (the difference is symmetric).
  const back = compareEpisodes(b, a);
  assert.deepEqual([back.divergenceTick, back.divergenceJoint], [8, 2]);

  // A larger threshold moves the divergence to the first tick over that one.
  const wide = compareEpisodes(a, b, t + 2);
  assert.deepEqual([wide.divergenceTick, wide.divergenceJoint, wide.threshold], [8, 4, t + 2]);
  const wider = compareEpisodes(a, b, t + 5);
  assert.deepEqual([wider.divergenceTick, wider.divergenceJoint], [20, 5]);
});

test('the order the steps come in does not matter: the earliest tick over the threshold is the divergence', () => {
  const a = series(20);
  const b = series(20, { 6: { 1: 9 }, 14: { 3: 12 } });
  const shuffle = (s: TimelineStep[]) => [...s.slice(10), ...s.slice(0, 10).reverse()];
  for (const [x, y] of [
    [shuffle(a), b],
    [a, shuffle(b)],
    [shuffle(a), shuffle(b)],
  ]) {
    const c = compareEpisodes(x, y);
    assert.deepEqual([c.divergenceTick, c.divergenceJoint, c.lastTick], [6, 1, 19]);
  }
});

test('episodes of different lengths share one axis to the longer one; only the ticks both hold are compared', () => {
  const short = series(12);
  // The longer one agrees while both run and goes far off after the shorter one ended.
  const long = series(40, Object.fromEntries(Array.from({ length: 28 }, (_, i) => [12 + i, { 0: 50 }])));
  for (const c of [compareEpisodes(short, long), compareEpisodes(long, short)]) {
    assert.equal(c.lastTick, 39);
    assert.equal(c.divergenceTick, undefined, 'nothing past the shorter episode counts');
    assert.equal(c.divergenceJoint, undefined);
    assert.ok(c.maxDifference < 1e-9, `${c.maxDifference}`);
  }
  // When they do part while both run, the tick is found the same way.
  const parted = series(40, { 7: { 5: 30 } });
  assert.deepEqual([compareEpisodes(short, parted).divergenceTick, compareEpisodes(short, parted).lastTick], [7, 39]);
  // A tick one record lacks (a gap) is skipped, not read as a difference; a value that is not a number neither.
  const gap = series(40, { 7: { 5: 30 } }).filter((s) => s.tick !== 7);
  const nan = series(12, { 2: { 0: Number.NaN } });
  assert.equal(compareEpisodes(parted, gap).divergenceTick, undefined);
  assert.equal(compareEpisodes(nan, short).divergenceTick, undefined);
  assert.equal(compareEpisodes(nan, short).maxDifference, 0);
  // An empty record against another: the other's axis, nothing compared.
  const empty = compareEpisodes([], long);
  assert.deepEqual([empty.lastTick, empty.divergenceTick, empty.maxDifference], [39, undefined, 0]);
});

test('identical episodes never diverge', () => {
  const c = compareEpisodes(series(25), series(25));
  assert.equal(c.divergenceTick, undefined);
  assert.equal(c.divergenceJoint, undefined);
  assert.ok(!('divergenceTick' in c), 'no divergence key at all');
  assert.equal(c.maxDifference, 0);
  assert.equal(c.lastTick, 24);
  assert.equal(c.threshold, DIVERGENCE_THRESHOLD);
  // Under the threshold everywhere: no divergence, but the largest difference is said.
  const near = compareEpisodes(series(25), series(25, { 4: { 2: 3 }, 9: { 2: -4.5 } }));
  assert.equal(near.divergenceTick, undefined);
  assert.ok(Math.abs(near.maxDifference - 4.5) < 1e-9, `${near.maxDifference}`);
});

test('a threshold that is not a positive number is refused', () => {
  for (const bad of [0, -1, Number.NaN, -Infinity])
    assert.throws(() => compareEpisodes(series(3), series(3), bad), RangeError, String(bad));
  assert.throws(() => compareEpisodes(series(3), series(3), 0), /threshold must be positive, got 0/);
});

test('episodes in different joint units are not compared: the joints and units are named, the fix said', () => {
  const joints = ['shoulder_pan', 'gripper'];
  assert.equal(unitMismatch(joints, ['°', '%'], ['°', '%']), undefined);
  // A record without its config has unknown units: taken on trust.
  assert.equal(unitMismatch(joints, ['°', '%'], ['?', '?']), undefined);
  assert.equal(
    unitMismatch(joints, ['°', '%'], ['±100', '%']),
    'their joints are recorded in different units (shoulder_pan in ° against ±100): a distance between them means ' +
      'nothing; record both with the same robot.normMode',
  );
});
