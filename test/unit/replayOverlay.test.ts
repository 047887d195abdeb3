import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayOverlay, type OverlayStep } from '../../src/core/episodeView';
import { chunkDeviation, rowAt } from '../../src/core/replay';
import { SO100_MOTORS } from '../../src/core/so100';

/** 16 ticks; starved at 0–1 and 6–7 (the queue ran dry mid-chunk). */
const starvedAt = new Set([0, 1, 6, 7]);
const steps: OverlayStep[] = Array.from({ length: 16 }, (_, tick) => ({ tick, starved: starvedAt.has(tick) }));
const row = (v: number) => [v, 0, 0, 0, 0, 0];

test('rows land on executed ticks: a starved tick inside the chunk takes no row', () => {
  const o = new ReplayOverlay('pi0', steps, []);
  assert.deepEqual(o.rowTicks(0, 5), [2, 3, 4, 5, 8]);
  assert.deepEqual(o.rowTicks(4, 3), [4, 5, 8]);
  // Past the record's end the rows run out.
  assert.deepEqual(o.rowTicks(13, 5), [13, 14, 15]);
  assert.equal(rowAt([2, 3, 4, 5, 8], 8), 4);
  assert.equal(rowAt([2, 3, 4, 5, 8], 6), undefined);
});

test('the chunks covering a tick, newest last, with the row executed there', () => {
  const o = new ReplayOverlay('pi0', steps, [
    { tick: 8, horizon: 4, targets: [row(80), row(90), row(100), row(110)] },
    { tick: 2, horizon: 4, targets: [row(20), row(30), row(40), row(50)] },
    { tick: 5, horizon: 4, targets: [row(50), row(80), row(90), row(100)] },
  ]);
  assert.equal(o.chunkCount, 3);
  const at9 = o.coveringAt(9);
  assert.equal(at9.model, 'pi0');
  assert.deepEqual(
    at9.chunks.map((c) => [c.tick, c.row]),
    [
      [5, 2],
      [8, 1],
    ],
  );
  assert.deepEqual(at9.chunks[1].rowTicks, [8, 9, 10, 11]);
  assert.deepEqual(at9.chunks[1].targets[1], row(90));
  // Tick 6 is starved: chunk 5 (rows at 5, 8, 9, 10) covers it, with no row there; chunk 2 ended at 5.
  const at6 = o.coveringAt(6);
  assert.deepEqual(
    at6.chunks.map((c) => [c.tick, c.row]),
    [[5, undefined]],
  );
  assert.deepEqual(o.coveringAt(0).chunks, [], 'nothing asked yet');
  assert.deepEqual(o.coveringAt(15).chunks, [], 'all ended');
  assert.equal(o.coveringAt(9, 1).chunks.length, 1, 'at most `most`, the newest');
  assert.equal(o.coveringAt(9, 1).chunks[0].tick, 8);
});

test("the overlay's rows are the rows replay compared: a chunk equal to what was sent deviates by 0", () => {
  const sentAt = (t: number) => Object.fromEntries(SO100_MOTORS.map((m, j) => [m, t * 10 + j])) as never;
  const o = new ReplayOverlay('pi0', steps, []);
  const ticks = o.rowTicks(4, 5);
  const targets = Float64Array.from(ticks.flatMap((t) => SO100_MOTORS.map((_, j) => t * 10 + j)));
  const d = chunkDeviation(ticks, targets, sentAt);
  assert.equal(d.rows, 5);
  for (const m of SO100_MOTORS) assert.deepEqual(d.perJoint[m], { mean: 0, max: 0 });
});

test('a malformed row in a file is drawn as gaps, not thrown', () => {
  const o = new ReplayOverlay('pi0', steps, [
    { tick: 2, horizon: 2, targets: ['x' as never, [1, 'y' as never, null, 4, 5, 6]] },
  ]);
  const c = o.coveringAt(3).chunks[0];
  assert.deepEqual(c.targets, [[], [1, null, null, 4, 5, 6]]);
});
