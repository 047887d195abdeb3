// The Dashboard's protocol guards (both directions), its ring buffer and the per-stage statistics the page
// computes: pure logic of webview-ui/dashboard, tested without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDashboardToHost, isHostToDashboard, type DashboardTick } from '../../src/contracts/dashboardMessages';
import { RUNTIME_PHASES } from '../../src/core/rpc/methodPhases';
import { RingBuffer } from '../../webview-ui/dashboard/ringBuffer';
import { levelOf, percentile, stageRows } from '../../webview-ui/dashboard/stageStats';

test('messages from the webview: the four kinds pass, anything else is rejected', () => {
  assert.ok(isDashboardToHost({ type: 'ready' }));
  assert.ok(isDashboardToHost({ type: 'command', name: 'estop' }));
  assert.ok(isDashboardToHost({ type: 'setFrameMode', mode: 'policy' }));
  for (const bad of [
    null,
    'ready',
    [],
    {},
    { type: 'command' },
    { type: 'command', name: 'rm -rf /' },
    { type: 'command', name: ['estop'] },
    { type: 'setFrameMode', mode: 'bgr' },
    { type: 'probe-reply', id: 1, report: { ticksPlotted: 'many' } },
    { type: '__proto__' },
    { type: 'toString' },
  ]) {
    assert.equal(isDashboardToHost(bad), false, JSON.stringify(bad));
  }
});

test('messages from the host: a frame must carry bytes matching its size; chunks their horizon × dims', () => {
  const frame = { episode: 1, tick: 3, camera: 'front', width: 2, height: 2, rgb: new Uint8Array(12) };
  assert.ok(isHostToDashboard({ type: 'frame', frame }));
  assert.equal(isHostToDashboard({ type: 'frame', frame: { ...frame, rgb: new Uint8Array(11) } }), false);
  assert.equal(
    isHostToDashboard({ type: 'frame', frame: { ...frame, rgb: Array.from(new Uint8Array(12)) } }),
    false,
    'JSON arrays are not frames',
  );
  const chunk = {
    episode: 1,
    requestId: 0,
    observationTick: 0,
    horizon: 2,
    dims: 3,
    targets: [1, 2, 3, 4, 5, 6],
    accepted: true,
    latencyMs: 12,
  };
  assert.ok(isHostToDashboard({ type: 'chunk', chunk }));
  assert.equal(isHostToDashboard({ type: 'chunk', chunk: { ...chunk, targets: [1, 2, 3] } }), false);
  assert.ok(isHostToDashboard({ type: 'state', status: undefined }));
  assert.equal(
    isHostToDashboard({ type: 'state', status: { phase: 'flying', models: [], droppedTelemetry: 0 } }),
    false,
  );
});

test('RingBuffer keeps the newest items in order and forgets the oldest', () => {
  const r = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual([...r], [3, 4, 5]);
  assert.deepEqual(r.lastN(2), [4, 5]);
  assert.equal(r.last(), 5);
  assert.equal(r.at(0), 3);
  r.clear();
  assert.equal(r.length, 0);
});

test('stage rows: nearest-rank percentiles, loop stages against the tick budget, policy stages against half a chunk', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  const ticks = Array.from({ length: 100 }, (_, i): DashboardTick => ({
    episode: 1,
    index: i,
    measured: [],
    starved: false,
    chunkBoundary: false,
    clamped: [],
    stageMs:
      i % 10 === 0 ? ({ read: 1, tick: 40, 'policy total': 200 } as Record<string, number>) : { read: 1, tick: 20 },
  }));
  const rows = stageRows(ticks, 30, 10); // tick budget 33.3 ms; policy budget 5 ticks = 166.7 ms
  const row = (s: string) => rows.find((r) => r.stage === s);
  assert.equal(row('read')?.level, 'ok');
  assert.equal(row('tick')?.p50, 20);
  assert.equal(row('tick')?.p99, 40);
  assert.equal(row('tick')?.level, 'over', 'p95 of 40 ms ≥ 33 ms');
  assert.equal(row('policy total')?.count, 10);
  assert.equal(row('policy total')?.level, 'over');
  assert.equal(row('encode'), undefined, 'stages without samples have no row');
  assert.equal(levelOf(28, 33.3), 'warn');
  const withChunks = stageRows(ticks, 30, 50, [20, 30, 400]); // policy budget: 25 ticks = 833 ms
  assert.deepEqual(
    [
      withChunks.find((r) => r.stage === 'chunk latency')?.count,
      withChunks.find((r) => r.stage === 'chunk latency')?.level,
    ],
    [3, 'ok'],
  );
});

test('a state carrying the calibrated joint ranges passes; malformed ranges are rejected', () => {
  const status = { phase: 'connected', models: ['pi0'], droppedTelemetry: 0 };
  assert.ok(
    isHostToDashboard({
      type: 'state',
      status: {
        ...status,
        jointRanges: [
          { min: -110, max: 110 },
          { min: 0, max: 100 },
        ],
      },
    }),
  );
  for (const jointRanges of [[{ min: 'low', max: 1 }], [null], { min: 0, max: 1 }, [{ min: Number.NaN, max: 1 }]]) {
    assert.equal(
      isHostToDashboard({ type: 'state', status: { ...status, jointRanges } }),
      false,
      JSON.stringify(jointRanges),
    );
  }
});

test('init carries the rough-seam threshold; every runtime phase passes the status guard', () => {
  const init = { type: 'init', motors: ['a'], ticks: [], chunks: [], roughSeamRatio: 1.5 };
  assert.ok(isHostToDashboard(init));
  for (const roughSeamRatio of [undefined, 0, -1, Number.NaN, '1.5']) {
    assert.equal(isHostToDashboard({ ...init, roughSeamRatio }), false, String(roughSeamRatio));
  }
  for (const phase of RUNTIME_PHASES) {
    assert.ok(isHostToDashboard({ type: 'state', status: { phase, models: [], droppedTelemetry: 0 } }), phase);
  }
  for (const phase of ['flying', 'toString', 'constructor']) {
    assert.equal(isHostToDashboard({ type: 'state', status: { phase, models: [], droppedTelemetry: 0 } }), false);
  }
});
