import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEpisodes, EpisodeTimeline, type TimelineChunk, type TimelineStep } from '../../src/core/episodeView';

/** 20 ticks at 10 fps; chunks of 5 executed from tick 2, starved at 0–1, nothing written at 12. */
function steps(offsetAt?: { tick: number; by: number }): TimelineStep[] {
  return Array.from({ length: 20 }, (_, tick): TimelineStep => {
    const starved = tick < 2;
    const shift = offsetAt && tick >= offsetAt.tick ? offsetAt.by : 0;
    return {
      tick,
      timeMs: tick * 100,
      positions: [tick + shift, 0, 0, 0, 0, 0],
      sent: starved || tick === 12 ? undefined : [tick, 0, 0, 0, 0, 0],
      starved,
      chunk: starved ? undefined : Math.floor((tick - 2) / 5),
      chunkBoundary: !starved && (tick - 2) % 5 === 0,
      note: tick === 7 ? 'rough seam: 4.0× the in-chunk p99 step' : '',
    };
  });
}

const chunks: TimelineChunk[] = [0, 1, 2, 3].map((c) => ({
  chunk: c,
  observationTick: c * 5,
  requestedAtMs: c * 500 + 10,
  receivedAtMs: c * 500 + 150,
  horizon: 8,
  latencyMs: 140,
  ...(c === 3 ? { accepted: false, discardReason: 'stale' } : {}),
}));

const timeline = () =>
  new EpisodeTimeline({
    steps: steps(),
    chunks,
    timing: [{ tick: 5, ms: { read: 3, camera: 120, tick: 130 } }],
    fps: 10,
  });

test('the chunk executing at a tick, its span and the boundaries come from steps.csv', () => {
  const t = timeline();
  assert.equal(t.executingAt(0), undefined, 'starved: nothing executes');
  assert.equal(t.executingAt(2), 0);
  assert.equal(t.executingAt(8), 1);
  assert.deepEqual(t.boundaries, [2, 7, 12, 17]);
  assert.deepEqual(t.spans[1], { chunk: 1, firstTick: 7, lastTick: 11 });
});

test('a request is in flight from its request to its reply; predictions cover their horizon once arrived', () => {
  const t = timeline();
  // Tick 5 is at 500 ms: chunk 1 was requested at 510 ms, so not yet; at tick 6 (600 ms) it is in flight.
  assert.deepEqual(
    t.inFlightAt(5).map((c) => c.chunk),
    [],
  );
  assert.deepEqual(
    t.inFlightAt(6).map((c) => c.chunk),
    [1],
  );
  // Chunk 0 (observed at 0, horizon 8) covers ticks 0–7; chunk 1 arrived at 650 ms, so from tick 7.
  assert.deepEqual(
    t.predictionsAt(6).map((c) => c.chunk),
    [0],
  );
  assert.deepEqual(
    t.predictionsAt(7).map((c) => c.chunk),
    [0, 1],
  );
  // Rows land on executed ticks (core/replay/rowAlignment.ts): chunk 0 was asked at the starved tick 0, so its 8 rows
  // run on ticks 2–9, and it still covers tick 9.
  assert.deepEqual(t.predictionsAt(7)[0].rowTicks, [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(t.predictionsAt(9).some((c) => c.chunk === 0));
  assert.ok(!t.predictionsAt(10).some((c) => c.chunk === 0));
});

test('stage timing is held against the 1000 / fps budget', () => {
  const t = timeline();
  assert.equal(t.budgetMs, 100);
  assert.deepEqual(t.stagesAt(5), [
    { stage: 'read', ms: 3, overBudget: false },
    { stage: 'camera', ms: 120, overBudget: true },
    { stage: 'tick', ms: 130, overBudget: true },
  ]);
  assert.deepEqual(t.stagesAt(6), []);
});

test('events: starved and refused runs, notes, chunk arrivals and discards at the tick they landed', () => {
  const t = timeline();
  const of = (kind: string) => t.events.filter((e) => e.kind === kind).map((e) => [e.tick, e.toTick]);
  assert.deepEqual(of('starved'), [[0, 1]]);
  assert.deepEqual(of('refused'), [[12, 12]]);
  assert.deepEqual(of('note'), [[7, 7]]);
  // 150 ms → tick 2 (200 ms), 650 → 7, 1150 → 12; the discarded one at 1650 → 17.
  assert.deepEqual(of('chunk-arrival'), [
    [2, 2],
    [7, 7],
    [12, 12],
  ]);
  assert.deepEqual(of('chunk-discarded'), [[17, 17]]);
  assert.match(t.events.find((e) => e.kind === 'chunk-discarded')!.text, /stale/);
});

test('chunk steps jump between boundaries and stop at the ends', () => {
  const t = timeline();
  assert.equal(t.chunkStep(0, 1), 2);
  assert.equal(t.chunkStep(7, 1), 12);
  assert.equal(t.chunkStep(17, 1), 19);
  assert.equal(t.chunkStep(8, -1), 7);
  assert.equal(t.chunkStep(2, -1), 0);
  assert.equal(t.clampTick(500), 19);
  assert.equal(t.clampTick(-3), 0);
});

test('a missing row reads as the last one before it, and a bad fps is refused', () => {
  const gap = steps().filter((s) => s.tick !== 10);
  const t = new EpisodeTimeline({ steps: gap, chunks: [], timing: [], fps: 10 });
  assert.equal(t.stepAt(10)?.tick, 9);
  assert.equal(t.executingAt(10), undefined);
  assert.throws(() => new EpisodeTimeline({ steps: [], chunks: [], timing: [], fps: 0 }), /fps/);
});

test('two episodes diverge at the first tick a joint differs by more than the threshold', () => {
  const same = compareEpisodes(steps(), steps());
  assert.equal(same.divergenceTick, undefined);
  assert.equal(same.maxDifference, 0);
  const apart = compareEpisodes(steps(), steps({ tick: 9, by: 6 }).slice(0, 15), 5);
  assert.equal(apart.divergenceTick, 9);
  assert.equal(apart.divergenceJoint, 0);
  assert.equal(apart.lastTick, 19);
  const below = compareEpisodes(steps(), steps({ tick: 9, by: 4 }), 5);
  assert.equal(below.divergenceTick, undefined);
  assert.equal(below.maxDifference, 4);
  assert.throws(() => compareEpisodes([], [], 0), /threshold/);
});

test('the cursor state gathers the tick: chunk, requests in flight with their age, predictions, stages', () => {
  const c = timeline().cursorAt(6);
  assert.equal(c.tick, 6);
  assert.equal(c.executing, 0);
  assert.equal(c.starved, false);
  assert.deepEqual(c.inFlight, [{ chunk: 1, observationTick: 5, ageMs: 90 }]);
  assert.deepEqual(
    c.predictions.map((p) => p.chunk),
    [0],
  );
  assert.equal(timeline().cursorAt(99).tick, 19);
});
