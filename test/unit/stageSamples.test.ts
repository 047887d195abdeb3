import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarizeStages } from '../../src/core/timing/percentiles';
import { StageSamples } from '../../src/core/timing/stageSamples';

test('under its capacity a stage keeps every value: the summary equals the one of the plain array', () => {
  const values = Array.from({ length: 500 }, (_, i) => ((i * 37) % 101) / 7);
  const s = new StageSamples(1000);
  for (const v of values) s.push(v);
  assert.deepEqual(summarizeStages(new Map([['read', s]])), summarizeStages(new Map([['read', values]])));
});

test('past its capacity memory stays bounded, count and max stay exact, percentiles stay close', () => {
  const s = new StageSamples(2048);
  const n = 200_000;
  // A deterministic spread: 0..10 ms, one rare 250 ms outlier near the start.
  for (let i = 0; i < n; i++) s.push(i === 17 ? 250 : ((i * 7919) % 10_000) / 1000);
  assert.equal(s.values.length, 2048);
  const [summary] = summarizeStages(new Map([['tick', s]]));
  assert.equal(summary.count, n);
  assert.equal(summary.max, 250, 'the max is kept even when the sample lost it');
  assert.ok(Math.abs(summary.p50 - 5) < 0.4, `p50 ${summary.p50}`);
  assert.ok(Math.abs(summary.p99 - 9.9) < 0.2, `p99 ${summary.p99}`);
  assert.ok(Math.abs(percentile(s.values, 95) - summary.p95) < 1e-9);
});

test('an empty stage summarises as NaN with count 0', () => {
  const [summary] = summarizeStages(new Map([['decode', new StageSamples()]]));
  assert.equal(summary.count, 0);
  assert.ok(Number.isNaN(summary.p50) && Number.isNaN(summary.max));
});
