// The seam metric on hand-made rows: a known boundary step against a known in-chunk step, a known delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSeams, SeamMeter, type SeamRow } from '../../src/core/metrics/seams';

const pose = (v: number, gripper = 0) => [v, v / 2, 0, 0, 0, gripper];

test('seam ratio: a 3° step at the boundary over 1° steps inside chunks is 3×; the gripper does not count', () => {
  const rows: SeamRow[] = [];
  let v = 0;
  for (let t = 0; t < 40; t++) {
    const boundary = t === 20;
    v += boundary ? 3 : 1;
    // The gripper snaps shut at the boundary: 100 percent units, not a seam.
    rows.push({ tick: t, sent: pose(v, t >= 20 ? 0 : 100), raw: pose(v), chunkBoundary: boundary, starved: false });
  }
  const r = measureSeams(rows);
  assert.equal(r.boundaries, 1);
  assert.equal(r.maxBoundaryStep, 3);
  assert.equal(r.inChunkP99Step, 1);
  assert.equal(r.seamRatio, 3);
  assert.equal(r.roughSeams, 1);
  assert.equal(r.worstBoundaryTick, 20);
  assert.equal(r.perJoint[0].joint, 'shoulder_pan');
  assert.equal(r.perJoint[1].seamRatio, 3, 'half the step over half the motion');
  assert.ok(Number.isNaN(r.perJoint[2].seamRatio), 'a joint that never moves has no ratio');
  assert.equal(r.lagTicks, 0);
});

test('tracking lag: commands that repeat the raw rows two ticks late lag 2 ticks; starved ticks are skipped', () => {
  const rows: SeamRow[] = [];
  const raw = (t: number) => pose(10 * Math.sin(t / 5));
  for (let t = 0; t < 200; t++) {
    const starved = t % 50 === 49;
    rows.push({
      tick: t,
      sent: raw(Math.max(0, t - 2)),
      raw: starved ? undefined : raw(t),
      chunkBoundary: false,
      starved,
    });
  }
  const r = measureSeams(rows);
  assert.ok(Math.abs(r.lagTicks - 2) < 0.05, `lag ${r.lagTicks}`);
  assert.ok(Math.abs(r.perJoint[0].lagTicks - 2) < 0.05);
});

test('live: add() returns the ratio of each measured boundary to the in-chunk p99 so far', () => {
  const m = new SeamMeter();
  const ratios: (number | undefined)[] = [];
  let v = 0;
  for (let t = 0; t < 30; t++) {
    v += t % 10 === 0 && t > 0 ? 2 : 1;
    ratios.push(m.add({ tick: t, sent: pose(v), raw: pose(v), chunkBoundary: t % 10 === 0, starved: false }));
  }
  assert.equal(ratios[0], undefined, 'the first tick has no step');
  assert.equal(ratios[10], 2);
  assert.equal(ratios[20], 2);
  assert.equal(ratios[5], undefined);
});

test('raw and sent side by side: a 2°-per-tick limit hides an 11× seam in the sent ratio; the tracking error shows the cost', () => {
  const rows: SeamRow[] = [];
  let sent = 0;
  for (let t = 0; t < 40; t++) {
    // The policy: 1° per tick, and an 11° step where the second chunk starts (tick 20).
    const raw = t < 20 ? t : t + 10;
    sent = t === 0 ? 0 : Math.min(raw, sent + 2);
    rows.push({ tick: t, sent: pose(sent), raw: pose(raw), chunkBoundary: t === 20, starved: false });
  }
  const r = measureSeams(rows);
  assert.equal(r.raw.maxBoundaryStep, 11);
  assert.equal(r.raw.inChunkP99Step, 1);
  assert.equal(r.raw.seamRatio, 11, 'what the policy asked for');
  assert.equal(r.maxBoundaryStep, 2);
  assert.equal(r.seamRatio, 1, 'what was sent: the limiter makes the seam look like any other step');
  // sent trails raw by 9, 8, … 1 over ticks 20–28: 45° over 40 ticks; joint 2 moves half as far.
  assert.equal(r.trackingError, 45 / 40);
  assert.equal(r.perJoint[0].trackingError, 45 / 40);
  assert.equal(r.perJoint[1].trackingError, 45 / 80);
  assert.equal(r.perJoint[1].raw.seamRatio, 11);
  assert.equal(r.perJoint[2].trackingError, 0);
});

test('tracking error counts only ticks with both a sent command and a raw row', () => {
  const r = measureSeams([
    { tick: 0, sent: pose(1), raw: pose(0), chunkBoundary: true, starved: false },
    { tick: 1, sent: pose(5), chunkBoundary: false, starved: true },
    { tick: 2, sent: pose(3), raw: pose(0), chunkBoundary: true, starved: false },
  ]);
  assert.equal(r.trackingError, 2, 'mean of 1 and 3; the held tick has no raw row');
  assert.ok(Number.isNaN(measureSeams([]).trackingError));
  assert.ok(Number.isNaN(measureSeams([]).raw.seamRatio));
});
