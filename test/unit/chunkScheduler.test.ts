// ChunkScheduler driven by a scripted clock: tick i is one loop tick; a chunk requested at tick k with latency L
// arrives between ticks k + L − 1 and k + L (delivered just before tick(k + L)). No sleeping anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionChunk,
  ActionShapeError,
  ChunkScheduler,
  ChunkSchedulerConfigError,
  ALIGNED_SEAM,
  aggregateInto,
  newActionWeight,
  type ChunkRequest,
  type ChunkSchedulerOptions,
  type DeliveryResult,
  type TickResult,
} from '../../src/core/chunking';

/** A chunk whose value at (row r, dim j) is base + r + j/10, so every executed value says where it came from. */
function chunk(horizon: number, base: number, dims = 1): ActionChunk {
  const v = new Float64Array(horizon * dims);
  for (let r = 0; r < horizon; r++) for (let j = 0; j < dims; j++) v[r * dims + j] = base + r + j / 10;
  return new ActionChunk(horizon, dims, v);
}

interface Trace {
  ticks: TickResult[];
  requestTicks: number[];
  deliveries: DeliveryResult[];
  /** request id → base value of the chunk sent for it. */
  bases: Map<number, number>;
}

/**
 * Runs `n` ticks. `latency(k)` is the latency in ticks of the k-th request (0-based); `horizon(k)` its chunk length.
 * Each chunk's base is 1000 × (request number + 1).
 */
function drive(
  s: ChunkScheduler,
  n: number,
  latency: (k: number) => number,
  horizon: (k: number) => number,
  dims = 1,
): Trace {
  const trace: Trace = { ticks: [], requestTicks: [], deliveries: [], bases: new Map() };
  const due: { at: number; request: ChunkRequest; chunk: ActionChunk }[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let d = due.findIndex((x) => x.at === i); d >= 0; d = due.findIndex((x) => x.at === i)) {
      const [x] = due.splice(d, 1);
      trace.deliveries.push(
        s.deliver(x.chunk, x.request, { requestedAtMs: x.request.observationIndex * 33, receivedAtMs: i * 33 - 5 }),
      );
    }
    const r = s.tick({ index: i, timeMs: i * 33, measured: new Float64Array(dims) });
    trace.ticks.push(r);
    if (r.request) {
      trace.requestTicks.push(i);
      const base = 1000 * (k + 1);
      trace.bases.set(r.request.id, base);
      due.push({ at: i + latency(k), request: r.request, chunk: chunk(horizon(k), base, dims) });
      k++;
    }
  }
  return trace;
}

/** Rows executed per request id, in execution order. */
function rowsByChunk(trace: Trace): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const t of trace.ticks) {
    if (!t.source) continue;
    const rows = m.get(t.source.requestId) ?? [];
    rows.push(t.source.row);
    m.set(t.source.requestId, rows);
  }
  return m;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

test('sync: executes exactly nActionSteps rows of each chunk, from row 0, and asks again on the tick after', () => {
  for (const [n, horizon, latency] of [
    [8, 10, 1],
    [5, 50, 3],
    [10, 10, 2],
  ]) {
    const s = new ChunkScheduler({ mode: 'sync', nActionSteps: n });
    const trace = drive(
      s,
      100,
      () => latency,
      () => horizon,
    );
    // Ask (arm holds) → wait `latency` ticks → n actions → ask again: a period of latency + n ticks.
    const period = latency + n;
    assert.deepEqual(
      trace.requestTicks,
      range(0, Math.ceil(100 / period)).map((k) => k * period),
      `n=${n} L=${latency}`,
    );
    const perChunk = rowsByChunk(trace);
    const complete = [...perChunk.values()].slice(0, -1);
    assert.ok(complete.length >= 3, `only ${complete.length} complete chunks`);
    for (const rows of complete) assert.deepEqual(rows, range(0, n));
    for (const t of trace.ticks)
      if (t.action && t.source) assert.equal(t.action[0], trace.bases.get(t.source.requestId)! + t.source.row);
    const st = s.stats();
    assert.equal(st.starvedTicks + st.executedTicks, 100);
    assert.equal(st.droppedSteps, 0);
    assert.equal(st.mergedSteps, 0);
  }
});

test('sync with prefetch: asks while prefetchSteps actions remain and continues at the aligned row, without holding', () => {
  const s = new ChunkScheduler({ mode: 'sync', nActionSteps: 8, prefetchSteps: 2 });
  const trace = drive(
    s,
    60,
    () => 2,
    () => 20,
  );
  const perChunk = [...rowsByChunk(trace).values()];
  assert.deepEqual(perChunk[0], range(0, 8));
  // Asked on the tick that left 2 queued: that tick's observation precedes its own action, so the rows for it and
  // the 2 queued steps are skipped: the next chunk starts at row 3.
  for (const rows of perChunk.slice(1, -1)) assert.deepEqual(rows, range(3, 11));
  const st = s.stats();
  assert.equal(st.starvedTicks, st.warmupTicks, 'no holds after the first chunk');
  assert.equal(st.warmupTicks, 2);
});

test('async: latency up to half a chunk never starves after the first chunk; one tick more does', () => {
  // With one request in flight a chunk delivered L steps after its observation covers H − L steps ahead, and the
  // next one comes L steps later at the earliest: no starvation needs L ≤ H / 2 (and threshold · H ≥ L − 1).
  for (const horizon of [10, 20, 50]) {
    for (let latency = 1; latency <= horizon / 2 + 1; latency++) {
      const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, aggregate: 'latest' });
      const trace = drive(
        s,
        300,
        () => latency,
        () => horizon,
      );
      const st = s.stats();
      const what = `H=${horizon} L=${latency}`;
      assert.equal(st.warmupTicks, latency, what);
      assert.equal(st.starvedTicks + st.executedTicks, 300, what);
      if (latency <= horizon / 2) assert.equal(st.starvedTicks, st.warmupTicks, `${what}: starved after warm-up`);
      else assert.ok(st.starvedTicks > st.warmupTicks, `${what}: must starve`);
      // Every executed action is the row aligned to its observation: step = observation step + row.
      const obsStep = new Map<number, number>();
      let executed = 0;
      for (const t of trace.ticks) {
        if (t.request) obsStep.set(t.request.id, executed);
        if (t.source) {
          assert.equal(obsStep.get(t.source.requestId)! + t.source.row, executed, what);
          executed++;
        }
      }
    }
  }
});

test('async: latency longer than a chunk starves, and the counts follow the schedule', () => {
  // H = 5, threshold 0.5 → ask when ≤ 2 remain; latency 10 ticks.
  // t0 ask (step 0) · t10 chunk A rows 0–4 → t10–14 · t12 ask (step 2) · t15–21 hold ·
  // t22 chunk B: 5 − 2 = 3 rows passed, rows 3–4 → t22–23 · t22 ask (step 5) · t24–31 hold ·
  // t32 chunk C: 7 − 5 = 2 passed, rows 2–4 → t32–34 · t32 ask (step 7).
  const s = new ChunkScheduler({ mode: 'async', threshold: 0.5 });
  const trace = drive(
    s,
    35,
    () => 10,
    () => 5,
  );
  assert.deepEqual(trace.requestTicks, [0, 12, 22, 32]);
  const starved = trace.ticks.flatMap((t, i) => (t.starved ? [i] : []));
  assert.deepEqual(starved, [...range(0, 10), ...range(15, 22), ...range(24, 32)]);
  assert.deepEqual(
    trace.deliveries.map((d) => (d.accepted ? d.droppedSteps : -1)),
    [0, 3, 2],
  );
  assert.deepEqual([...rowsByChunk(trace).values()], [range(0, 5), [3, 4], [2, 3, 4]]);
  const st = s.stats();
  assert.equal(st.starvedTicks, starved.length);
  assert.equal(st.warmupTicks, 10);
  assert.equal(st.longestStarvation, 10);
  assert.equal(st.droppedSteps, 5);
  assert.equal(st.starvedTicks + st.executedTicks, 35);
  assert.deepEqual(st.recentBoundaryTicks, [10, 22, 32]);
});

test('async, one request at a time: no starvation needs latency ≤ half a chunk, whatever the threshold', () => {
  // A chunk observed at step s covers steps s … s + H − 1; it lands L ticks later, so H − L of its rows are still to
  // come, and the next reply needs L more: H − L ≥ L. Benchmark 6 states this bound; here it is, tick by tick.
  const afterWarmup = (threshold: number, latency: number): number => {
    const s = new ChunkScheduler({ mode: 'async', threshold });
    drive(
      s,
      300,
      () => latency,
      () => 10,
    );
    const st = s.stats();
    return st.starvedTicks - st.warmupTicks;
  };
  for (const latency of [2, 4, 5]) assert.equal(afterWarmup(0.5, latency), 0, `latency ${latency} of a 10-step chunk`);
  // Past half a chunk (still well under a whole one) every threshold starves; asking earlier only makes rows older.
  for (const threshold of [0.5, 0.7, 0.9, 1]) {
    for (const latency of [7, 9])
      assert.ok(afterWarmup(threshold, latency) > 0, `threshold ${threshold}, latency ${latency}`);
  }
});

test('async: rows whose step has run are dropped, the overlap merged, the rest appended', () => {
  // H = 10, latency 4: chunk A arrives at t4 (rows 0–9 → t4–13); t8 pops row 4 leaving 5 → ask, observation step 4.
  // Chunk B arrives before t12: steps 4–7 ran (4 rows dropped), steps 8–9 are queued (2 merged), rows 6–9 appended.
  const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, aggregate: 'latest' });
  const trace = drive(
    s,
    13,
    () => 4,
    () => 10,
  );
  assert.deepEqual(trace.requestTicks, [0, 8, 12]);
  const b = trace.deliveries[1];
  assert.ok(b.accepted, 'chunk B accepted');
  assert.deepEqual(
    {
      dropped: b.droppedSteps,
      merged: b.mergedSteps,
      appended: b.appendedSteps,
      superseded: b.supersededSteps,
      latency: b.latencySteps,
    },
    { dropped: 4, merged: 2, appended: 4, superseded: 0, latency: 4 },
  );
  const t12 = trace.ticks[12];
  assert.deepEqual(t12.source, { requestId: 2, row: 4, merged: true });
  assert.equal(t12.action![0], 2000 + 4, 'latest: the newer chunk wins');
  assert.equal(t12.chunkBoundary, true);
  assert.equal(s.stats().queuedSteps, 5);
});

test('merge arithmetic: latest, average, weighted (LeRobot weighted_average and conservative)', () => {
  const cases: [ChunkSchedulerOptions, number][] = [
    [{ mode: 'async', aggregate: 'latest' }, 20],
    [{ mode: 'async', aggregate: 'average' }, 15],
    [{ mode: 'async', aggregate: 'weighted' }, 17], // 0.7·20 + 0.3·10
    [{ mode: 'async', aggregate: 'weighted', alpha: 0.3 }, 13], // 0.3·20 + 0.7·10
  ];
  for (const [options, expected] of cases) {
    const s = new ChunkScheduler(options);
    const r0 = s.tick({ index: 0, timeMs: 0 }).request!;
    s.deliver(new ActionChunk(4, 2, Float64Array.from([10, -10, 10, -10, 10, -10, 10, -10])), r0);
    s.tick({ index: 1, timeMs: 33 }); // executes step 0, leaves 3 → 0.75 > 0.5, no request
    const r1 = s.tick({ index: 2, timeMs: 66 }).request!; // executes step 1, leaves 2 → ask (observation step 1)
    assert.ok(r1, 'asks at half a chunk');
    // Row 0 (step 1) has run; rows 1–2 overlap steps 2–3; row 3 is new.
    const d = s.deliver(new ActionChunk(4, 2, Float64Array.from([20, -20, 20, -20, 20, -20, 20, -20])), r1);
    assert.ok(d.accepted && d.droppedSteps === 1 && d.mergedSteps === 2 && d.appendedSteps === 1, JSON.stringify(d));
    const a = s.tick({ index: 3, timeMs: 99 });
    assert.ok(
      Math.abs(a.action![0] - expected) < 1e-12 && Math.abs(a.action![1] + expected) < 1e-12,
      `${JSON.stringify(options)} → ${a.action}`,
    );
    assert.equal(s.tick({ index: 4, timeMs: 132 }).source!.merged, true);
    assert.deepEqual(
      [...s.tick({ index: 5, timeMs: 165 }).action!],
      [20, -20],
      'the appended row is the new chunk alone',
    );
  }
  const q = Float64Array.from([1, 2]);
  aggregateInto(q, Float64Array.from([3, 6]), newActionWeight('weighted', 0.25));
  assert.deepEqual([...q], [1.5, 3]);
});

test('the queue is replaced by the newer chunk: queued actions beyond its end are discarded', () => {
  const s = new ChunkScheduler({ mode: 'async', threshold: 1, aggregate: 'latest' });
  const r0 = s.tick({ index: 0, timeMs: 0 }).request!;
  s.deliver(chunk(10, 1000), r0);
  const r1 = s.tick({ index: 1, timeMs: 33 }).request!; // step 0 runs; observation step 0
  const d = s.deliver(chunk(4, 2000), r1); // rows 0–3 for steps 0–3: row 0 has run, rows 1–3 overlap, 6 queued beyond
  assert.ok(d.accepted, 'accepted');
  assert.deepEqual([d.droppedSteps, d.mergedSteps, d.appendedSteps, d.supersededSteps], [1, 3, 0, 6]);
  assert.equal(s.queuedSteps, 3);
});

test('starvation holds (null action), never repeats the last action, and tracks the longest streak', () => {
  const s = new ChunkScheduler({ mode: 'async' });
  const r0 = s.tick({ index: 0, timeMs: 0 }).request!;
  s.deliver(chunk(2, 1000), r0);
  assert.equal(s.tick({ index: 1, timeMs: 33 }).action![0], 1000);
  const t2 = s.tick({ index: 2, timeMs: 66 });
  assert.equal(t2.action![0], 1001);
  for (let i = 3; i < 7; i++) {
    const t = s.tick({ index: i, timeMs: i * 33 });
    assert.equal(t.action, null);
    assert.equal(t.starved, true);
    assert.equal(t.request, undefined, 'one request in flight at most');
  }
  const st = s.stats();
  assert.deepEqual([st.starvedTicks, st.warmupTicks, st.longestStarvation, st.currentStarvation], [5, 1, 4, 4]);
  assert.ok(s.pendingRequest, 'the request stays in flight');
});

test('stale chunks are discarded and counted: duplicate, abandoned, other epoch, after reset, non-finite', () => {
  const s = new ChunkScheduler({ mode: 'async' });
  const r1 = s.tick({ index: 0, timeMs: 0 }).request!;
  assert.ok(s.deliver(chunk(10, 1000), r1).accepted, 'first delivery accepted');
  const dup = s.deliver(chunk(10, 1000), r1);
  assert.ok(
    !dup.accepted && dup.reason === 'older-observation' && /no newer than/.test(dup.message),
    JSON.stringify(dup),
  );

  const never: ChunkRequest = { id: 99, epoch: 0, observationIndex: 50, queueEmpty: false };
  assert.equal((s.deliver(chunk(10, 0), never) as { reason: string }).reason, 'not-in-flight');

  for (let i = 1; i <= 6; i++) s.tick({ index: i, timeMs: i });
  const r2 = s.pendingRequest!;
  assert.equal(r2.observationIndex, 5);
  assert.equal(s.abandon(r2), true);
  assert.equal(s.abandon(r2), false);
  assert.equal((s.deliver(chunk(10, 2000), r2) as { reason: string }).reason, 'not-in-flight');
  const r3 = s.tick({ index: 7, timeMs: 7 }).request!;
  assert.ok(r3, 'asks again after abandoning');

  assert.equal(s.swapModel(), 1);
  assert.equal(s.queuedSteps, 0, "the old model's actions are dropped");
  const r3late = s.deliver(chunk(10, 3000), r3);
  assert.ok(!r3late.accepted && r3late.reason === 'other-epoch', JSON.stringify(r3late));
  const t8 = s.tick({ index: 8, timeMs: 8 });
  assert.equal(t8.action, null);
  assert.equal(t8.request!.epoch, 1);
  assert.equal(t8.request!.queueEmpty, true);
  const r4 = t8.request!;

  const bad = new ActionChunk(2, 1, Float64Array.from([1, NaN]));
  assert.equal((s.deliver(bad, r4) as { reason: string }).reason, 'non-finite');
  const r5 = s.tick({ index: 9, timeMs: 9 }).request!;
  assert.ok(r5, 'asks again after a broken chunk');
  assert.deepEqual(s.stats().discardedChunks, {
    'other-epoch': 1,
    'after-reset': 0,
    'older-observation': 1,
    'not-in-flight': 2,
    'non-finite': 1,
  });

  s.reset();
  const fresh = s.tick({ index: 0, timeMs: 0 }).request!;
  assert.ok(fresh.id > r5.id, 'request ids never repeat');
  const stale = s.deliver(chunk(10, 5000), r5);
  assert.ok(!stale.accepted && stale.reason === 'after-reset', JSON.stringify(stale));
  assert.ok(s.deliver(chunk(10, 6000), fresh).accepted, 'fresh chunk accepted');
  assert.equal(s.tick({ index: 1, timeMs: 1 }).action![0], 6000, 'row 0: the arm held while it was computed');
  const st = s.stats();
  assert.deepEqual(
    [st.ticks, st.requests, st.deliveries, st.discardedChunks['after-reset'], st.epoch],
    [2, 1, 1, 1, 1],
  );
});

test('tick indices must increase; reset starts them again', () => {
  const s = new ChunkScheduler({ mode: 'sync' });
  s.tick({ index: 3, timeMs: 0 });
  assert.throws(() => s.tick({ index: 3, timeMs: 1 }), /tick index 3 is not after the previous tick 3/);
  s.reset();
  assert.doesNotThrow(() => s.tick({ index: 0, timeMs: 0 }));
});

test('action dims: a mismatch with queued actions throws; after a model swap they may change', () => {
  const s = new ChunkScheduler({ mode: 'async' });
  s.deliver(chunk(10, 0, 6), s.tick({ index: 0, timeMs: 0 }).request!);
  for (let i = 1; i <= 6; i++) s.tick({ index: i, timeMs: i });
  const r = s.pendingRequest!;
  assert.throws(
    () => s.deliver(chunk(10, 0, 7), r),
    (e: unknown) => e instanceof ActionShapeError && /7 values per step but the queued actions have 6/.test(e.message),
  );
  assert.equal(s.pendingRequest, null, 'the failed request is not left in flight');
  s.swapModel();
  const r2 = s.tick({ index: 7, timeMs: 7 }).request!;
  assert.ok(s.deliver(chunk(10, 0, 7), r2).accepted, '7-value chunk accepted after the swap');
  assert.equal(s.tick({ index: 8, timeMs: 8 }).action!.length, 7);
});

test('memory stays bounded: the queue never exceeds one chunk (async) or nActionSteps + prefetch (sync)', () => {
  const latencies = [1, 7, 2, 12, 3, 1, 9, 4];
  const async = new ChunkScheduler({ mode: 'async', threshold: 0.8 });
  const sync = new ChunkScheduler({ mode: 'sync', nActionSteps: 6, prefetchSteps: 3 });
  for (const [s, cap] of [
    [async, 12],
    [sync, 9],
  ] as const) {
    const due: { at: number; r: ChunkRequest }[] = [];
    let k = 0;
    for (let i = 0; i < 2000; i++) {
      while (due.length && due[0].at === i) s.deliver(chunk(12, 0), due.shift()!.r);
      const t = s.tick({ index: i, timeMs: i });
      if (t.request) due.push({ at: i + latencies[k++ % latencies.length], r: t.request });
      assert.ok(s.queuedSteps <= cap, `${s.options.mode}: ${s.queuedSteps} queued`);
    }
    const st = s.stats();
    assert.ok(
      st.recentBoundaryTicks.length <= 32 && st.chunkBoundaries > 32,
      `${st.recentBoundaryTicks.length} recent of ${st.chunkBoundaries}`,
    );
    assert.equal(st.starvedTicks + st.executedTicks, 2000);
  }
});

test("latency statistics come from the caller's timestamps", () => {
  const s = new ChunkScheduler({ mode: 'async' });
  const r = s.tick({ index: 0, timeMs: 0 }).request!;
  s.deliver(chunk(10, 0), r, { requestedAtMs: 100, receivedAtMs: 190 });
  let r2: ChunkRequest | undefined;
  for (let i = 1; i <= 10 && !r2; i++) r2 = s.tick({ index: i, timeMs: i }).request;
  assert.ok(r2, 'asks again within a chunk');
  s.deliver(chunk(10, 0), r2, { requestedAtMs: 300, receivedAtMs: 340 });
  const st = s.stats();
  // The request tick's own action ran after its observation was taken: one step of latency at least.
  assert.deepEqual([st.lastLatencyMs, st.maxLatencyMs, st.lastLatencySteps], [40, 90, 1]);
});

test('settings are checked and the error names the setting', () => {
  const bad: [ChunkSchedulerOptions, string][] = [
    [{ mode: 'sync', nActionSteps: 0 }, 'nActionSteps'],
    [{ mode: 'sync', nActionSteps: 5, prefetchSteps: 5 }, 'prefetchSteps'],
    [{ mode: 'sync', prefetchSteps: -1 }, 'prefetchSteps'],
    [{ mode: 'async', threshold: 1.5 }, 'threshold'],
    [{ mode: 'async', alpha: Number.NaN }, 'alpha'],
    [{ mode: 'async', actionsPerChunk: 2.5 }, 'actionsPerChunk'],
    [{ mode: 'async', aggregate: 'median' as 'latest' }, 'aggregate'],
    [{ mode: 'fast' } as unknown as ChunkSchedulerOptions, 'mode'],
  ];
  for (const [options, key] of bad) {
    assert.throws(
      () => new ChunkScheduler(options),
      (e: unknown) => e instanceof ChunkSchedulerConfigError && e.key === key && e.message.startsWith(key),
    );
  }
  assert.deepEqual(new ChunkScheduler({ mode: 'async' }).options, {
    mode: 'async',
    threshold: 0.5,
    aggregate: 'weighted',
    alpha: 0.7,
    actionsPerChunk: Infinity,
    seam: ALIGNED_SEAM,
  });
});

test("actionsPerChunk uses only the first rows of each chunk and sets the threshold's chunk size", () => {
  const s = new ChunkScheduler({ mode: 'async', actionsPerChunk: 4, threshold: 0.5 });
  s.deliver(chunk(50, 0), s.tick({ index: 0, timeMs: 0 }).request!);
  assert.equal(s.queuedSteps, 4);
  assert.equal(s.tick({ index: 1, timeMs: 1 }).request, undefined); // 3 left: 0.75
  assert.ok(s.tick({ index: 2, timeMs: 2 }).request, '2 left of 4 is 0.5: ask');
});

test('one-action replies (awesome-lerobot): aligned to the observation they always arrive late; aligned to the next step none starves', () => {
  const late = drive(
    new ChunkScheduler({ mode: 'async' }),
    40,
    () => 1,
    () => 1,
  );
  const next = drive(
    new ChunkScheduler({ mode: 'async' }, 'next'),
    40,
    () => 1,
    () => 1,
  );
  const starvedAfterFirst = (t: Trace) => t.ticks.slice(2).filter((x) => x.starved).length;
  assert.ok(
    starvedAfterFirst(late) >= 19,
    `observation alignment drops the single row that already ran (${starvedAfterFirst(late)} starved)`,
  );
  assert.equal(starvedAfterFirst(next), 0);
  // Every reply's one action runs, in order, exactly once.
  const executed = next.ticks.filter((x) => x.action).map((x) => x.action![0]);
  assert.deepEqual(
    executed,
    [...executed].sort((a, b) => a - b),
  );
  assert.equal(new Set(executed).size, executed.length);
});

test('reconfigure: new parameters of the same mode apply from the next chunk; another mode is refused', () => {
  const s = new ChunkScheduler({ mode: 'sync', nActionSteps: 8 });
  const rowsPerChunk = new Map<number, number>();
  let pending: ChunkRequest | undefined;
  for (let i = 0; i < 60; i++) {
    if (i === 20) s.reconfigure({ mode: 'sync', nActionSteps: 3 });
    if (pending) s.deliver(chunk(10, 0), pending);
    pending = undefined;
    const r = s.tick({ index: i, timeMs: i * 33, measured: new Float64Array(1) });
    if (r.source) rowsPerChunk.set(r.source.requestId, (rowsPerChunk.get(r.source.requestId) ?? 0) + 1);
    pending = r.request;
  }
  const counts = [...rowsPerChunk.values()].slice(0, -1);
  // Ticks 0–19 ran chunks of 8 (request at 0 and 9 and 18, answered on the next tick); from the first chunk placed
  // after the change, 3 rows each.
  assert.deepEqual(counts.slice(0, 2), [8, 8]);
  assert.ok(counts.slice(3).length >= 5 && counts.slice(3).every((c) => c === 3), JSON.stringify(counts));
  assert.deepEqual(s.options, { mode: 'sync', nActionSteps: 3, prefetchSteps: 0, seam: { remedy: 'aligned' } });

  assert.throws(
    () => s.reconfigure({ mode: 'async' }),
    (e: unknown) => e instanceof ChunkSchedulerConfigError && e.key === 'mode' && /next episode/.test(e.message),
  );
  assert.throws(() => s.reconfigure({ mode: 'sync', nActionSteps: 0 }), ChunkSchedulerConfigError);
  assert.equal(s.options.mode === 'sync' && s.options.nActionSteps, 3, 'a refused change keeps the old options');
});
