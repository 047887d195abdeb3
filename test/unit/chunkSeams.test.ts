// Seam remedies on scripted chunks: a step of known size between two chunks, a chunk arriving late, a model swap
// and a starvation. Each asserts the largest commanded step and the tracking lag (core/metrics/seams.ts) per remedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionChunk,
  ChunkScheduler,
  ChunkSchedulerConfigError,
  type ChunkRequest,
  type SeamOptions,
  type TickResult,
} from '../../src/core/chunking';
import { measureSeams, type SeamRow } from '../../src/core/metrics/seams';
import { parseConfig } from '../../src/core/config';

const DIMS = 6;
const HORIZON = 10;

/** A chunk of `horizon` rows: every body joint at `from + slope·r`, the gripper at 0. */
function ramp(from: number, slope = 0, horizon = HORIZON): ActionChunk {
  const v = new Float64Array(horizon * DIMS);
  for (let r = 0; r < horizon; r++) for (let j = 0; j < 5; j++) v[r * DIMS + j] = from + slope * r;
  return new ActionChunk(horizon, DIMS, v);
}

/** Drives ticks; `supply(request, tick)` returns [chunk, ticks until delivery] or null to never answer. */
function drive(
  s: ChunkScheduler,
  n: number,
  supply: (req: ChunkRequest, k: number) => [ActionChunk, number] | null,
  events: { at: number; run: () => void }[] = [],
): { ticks: TickResult[]; rows: SeamRow[] } {
  const ticks: TickResult[] = [];
  const rows: SeamRow[] = [];
  const pending: { at: number; chunk: ActionChunk; req: ChunkRequest }[] = [];
  let k = 0;
  let last = new Float64Array(DIMS);
  for (let i = 0; i < n; i++) {
    for (const e of events) if (e.at === i) e.run();
    for (const p of pending.filter((p) => p.at === i)) s.deliver(p.chunk, p.req);
    const t = s.tick({ index: i, timeMs: i * 33, measured: last });
    if (t.request) {
      const r = supply(t.request, k++);
      if (r) pending.push({ at: i + r[1], chunk: r[0], req: t.request });
    }
    const sent = t.action ?? last; // starved: hold
    last = Float64Array.from(sent);
    ticks.push(t);
    rows.push({ tick: i, sent, raw: t.raw, chunkBoundary: t.chunkBoundary, starved: t.starved });
  }
  return { ticks, rows };
}

/** Largest body-joint step between consecutive sent commands after the first action. */
function maxStep(rows: readonly SeamRow[]): number {
  let m = 0;
  const first = rows.findIndex((r) => !r.starved);
  for (let i = first + 1; i < rows.length; i++)
    for (let j = 0; j < 5; j++) m = Math.max(m, Math.abs(rows[i].sent![j] - rows[i - 1].sent![j]));
  return m;
}

const REMEDIES: Record<string, { seam: SeamOptions; step: number; lag: [number, number] }> = {
  // weighted 0.7 aggregation: 7 of the 10° at the first merged row, the rest where the old chunk ends.
  aligned: { seam: { remedy: 'aligned' }, step: 7, lag: [0, 0.5] },
  crossfade: { seam: { remedy: 'crossfade', ticks: 4 }, step: 2, lag: [0, 2.5] },
  // decay 0: a plain mean of the two chunks over the overlap, then the new chunk alone.
  ensemble: { seam: { remedy: 'ensemble', decay: 0 }, step: 5, lag: [0, 1] },
  limit: { seam: { remedy: 'limit', maxStep: 2.5 }, step: 2.5, lag: [0.5, 3] },
};

for (const [name, { seam, step, lag }] of Object.entries(REMEDIES)) {
  test(`${name}: a 10° step between chunks is commanded as at most ${step}° per tick, with lag in [${lag}]`, () => {
    const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, seam });
    // First chunk at 0°, every later one at 10°; answers arrive after 1 tick.
    const { rows } = drive(s, 30, (_req, k) => [ramp(k === 0 ? 0 : 10), 1]);
    assert.ok(Math.abs(maxStep(rows) - step) < 1e-9, `largest step ${maxStep(rows)}`);
    const report = measureSeams(rows);
    assert.ok(report.lagTicks >= lag[0] && report.lagTicks <= lag[1], `lag ${report.lagTicks}`);
    assert.ok(rows.at(-1)!.sent![0] === 10, 'the command reaches the new chunk');
    // What the policy asked for is the same whatever the remedy: a 10° seam; only the sent commands differ.
    assert.equal(report.raw.maxBoundaryStep, 10);
    assert.ok(Math.abs(report.maxBoundaryStep - step) < 1e-9, `sent boundary step ${report.maxBoundaryStep}`);
    // Every remedy that softens the seam trails the policy by some degrees meanwhile; the report says how many.
    assert.ok(report.trackingError > 0, `tracking error ${report.trackingError}`);
  });

  test(`${name}: a chunk arriving after its first rows expired is aligned, never replayed`, () => {
    const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, seam });
    // Rows say their own row number (slope 1), so the executed raw row tells which row ran.
    const { ticks } = drive(s, 14, (_req, k) => (k === 0 ? [ramp(0, 1), 1] : [ramp(100, 1), 4]));
    const firstOfSecond = ticks.findIndex((t) => t.source?.requestId === 2);
    const t = ticks[firstOfSecond];
    const observed = ticks.findIndex((x) => x.request?.id === 2);
    assert.ok(firstOfSecond - observed >= 4, 'the chunk came 4 ticks after its observation');
    assert.equal(t.source!.row, firstOfSecond - observed, 'row for the tick it runs on, not row 0');
    assert.equal(t.raw![0], 100 + firstOfSecond - observed);
    const rowsRun = ticks.filter((x) => x.source?.requestId === 2).map((x) => x.source!.row);
    assert.deepEqual(
      rowsRun,
      [...new Set(rowsRun)].sort((a, b) => a - b),
      'each row once, in order',
    );
  });

  test(`${name}, sync with prefetch: a late chunk's rows run on their own ticks, none replayed`, () => {
    const s = new ChunkScheduler({ mode: 'sync', nActionSteps: HORIZON, prefetchSteps: 5, seam });
    // The second answer takes 4 ticks: its first rows are for ticks the first chunk's queued rows cover.
    const { ticks } = drive(s, 20, (_req, k) => (k === 0 ? [ramp(0, 1), 1] : [ramp(100, 1), 4]));
    const observed = ticks.findIndex((x) => x.request?.id === 2);
    const ran = ticks.flatMap((x, i) => (x.source?.requestId === 2 ? [{ tick: i, row: x.source.row }] : []));
    assert.ok(ran.length > 0, 'the second chunk ran');
    assert.ok(ran[0].tick - observed > 4, 'it ran only after its reply came');
    // Row r of a chunk is for the r-th tick after its observation ("chunk from observation k covers k, k+1, …").
    for (const { tick, row } of ran) assert.equal(row, tick - observed, `tick ${tick}`);
    assert.ok(ran[0].row > 0, 'the rows for ticks that had run or were queued were left out');
  });

  test(`${name}: after a model swap the arm holds, then the new model's first chunk starts without a jump past the remedy`, () => {
    const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, seam });
    const { rows, ticks } = drive(s, 30, (_req, k) => [ramp(k === 0 ? 0 : 10), k === 1 ? 3 : 1], [
      { at: 4, run: () => s.swapModel() },
    ]);
    assert.ok(
      ticks.slice(4).some((t) => t.starved),
      'the swap empties the queue',
    );
    const expected = name === 'limit' ? 2.5 : name === 'crossfade' ? 2 : 10;
    assert.ok(Math.abs(maxStep(rows) - expected) < 1e-9, `largest step ${maxStep(rows)}`);
  });

  test(`${name}: after a starvation the next chunk starts from the held command`, () => {
    const s = new ChunkScheduler({ mode: 'async', threshold: 0.5, seam });
    // The second answer takes 12 ticks: the queue (5 rows left at the request) runs dry for 7.
    const { rows, ticks } = drive(s, 40, (_req, k) => [ramp(k === 0 ? 0 : 10), k === 1 ? 12 : 1]);
    assert.equal(ticks.filter((t) => t.starved && t.source === undefined).length >= 7, true);
    // Cross-fade: 2° per tick from the held command, until the next chunk (1 tick later) re-fades from the
    // half-faded queue: 0.2·10 + 0.8·4 = 5.2 after 2.0, a 3.2° step.
    const expected = name === 'limit' ? 2.5 : name === 'crossfade' ? 3.2 : 10;
    assert.ok(Math.abs(maxStep(rows) - expected) < 1e-9, `largest step ${maxStep(rows)}`);
    assert.equal(measureSeams(rows).boundaries >= 2, true);
  });
}

test('bad seam settings are config errors at their key', () => {
  const bad = (options: ConstructorParameters<typeof ChunkScheduler>[0], key: string) =>
    assert.throws(
      () => new ChunkScheduler(options),
      (e: unknown) => e instanceof ChunkSchedulerConfigError && e.key === key,
    );
  bad({ mode: 'async', actionsPerChunk: 10, seam: { remedy: 'crossfade', ticks: 10 } }, 'seam.ticks');
  bad({ mode: 'async', seam: { remedy: 'crossfade', ticks: 0 } }, 'seam.ticks');
  bad({ mode: 'async', seam: { remedy: 'limit', maxStep: 0 } }, 'seam.maxStep');
  bad({ mode: 'async', seam: { remedy: 'limit', maxStep: 2, maxStepChange: -1 } }, 'seam.maxStepChange');
  bad({ mode: 'sync', seam: { remedy: 'ensemble', decay: 0.01 } }, 'seam.remedy');
  bad({ mode: 'async', seam: { remedy: 'ensemble', decay: -1 } }, 'seam.decay');
  const s = new ChunkScheduler({ mode: 'async' });
  assert.throws(
    () => s.reconfigure({ mode: 'async', seam: { remedy: 'limit', maxStep: -2 } }),
    /maxStep must be a positive/,
  );
  assert.equal(s.options.seam.remedy, 'aligned', 'a refused hot change leaves the remedy in force');
});

test("so100.json: a cross-fade longer than the model's chunk, a zero limit, ensembling without overlap", () => {
  const one = (text: string) => {
    const { problems } = parseConfig(text);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    return problems[0];
  };
  const p1 = one(
    '{ "activeModel": "pi0_fast", "chunking": { "mode": "async", "seam": { "remedy": "crossfade", "ticks": 12 } } }',
  );
  assert.equal(p1.path, 'chunking.seam.ticks');
  assert.match(p1.message, /shorter than the 10 rows/);
  const p2 = one('{ "chunking": { "mode": "async", "seam": { "remedy": "limit", "maxStep": 0 } } }');
  assert.equal(p2.path, 'chunking.seam.maxStep');
  const p3 = one('{ "chunking": { "mode": "sync", "seam": { "remedy": "ensemble" } } }');
  assert.equal(p3.path, 'chunking.seam.remedy');
});

test('so100.json: a negative limit, a zero per-motor limit, a cross-fade as long as the rows used: errors at the key', () => {
  const problems = (text: string) => parseConfig(text).problems.map((p) => ({ path: p.path, message: p.message }));
  const [neg] = problems('{ "chunking": { "mode": "async", "seam": { "remedy": "limit", "maxStep": -2 } } }');
  assert.equal(neg.path, 'chunking.seam.maxStep');
  assert.match(neg.message, /greater than 0, got -2/);
  const [perMotor] = problems(
    '{ "chunking": { "mode": "async", "seam": { "remedy": "limit", "maxStep": 4, "maxStepChange": { "elbow_flex": 0 } } } }',
  );
  assert.equal(perMotor.path, 'chunking.seam.maxStepChange.elbow_flex');
  // pi0's chunks have 50 rows: a 50-tick fade never ends, 49 ticks do; fewer rows used shorten the bound.
  const [pi0] = problems(
    '{ "activeModel": "pi0", "chunking": { "mode": "async", "seam": { "remedy": "crossfade", "ticks": 50 } } }',
  );
  assert.equal(pi0.path, 'chunking.seam.ticks');
  assert.match(pi0.message, /use at most 49/);
  assert.deepEqual(
    problems(
      '{ "activeModel": "pi0", "chunking": { "mode": "async", "seam": { "remedy": "crossfade", "ticks": 49 } } }',
    ),
    [],
  );
  const [used] = problems(
    '{ "activeModel": "pi0", "chunking": { "mode": "async", "actionsPerChunk": 20, "seam": { "remedy": "crossfade", "ticks": 20 } } }',
  );
  assert.equal(used.path, 'chunking.seam.ticks');
  assert.match(used.message, /shorter than the 20 rows/);
});
