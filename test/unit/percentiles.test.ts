import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarizeStages } from '../../src/core/timing/percentiles';

test('percentile interpolates between ranks and ignores input order', () => {
  const v = [5, 1, 4, 2, 3];
  assert.equal(percentile(v, 50), 3);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile(v, 100), 5);
  assert.equal(percentile(v, 25), 2);
  assert.equal(percentile([10, 20], 50), 15);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(v, [5, 1, 4, 2, 3], 'input not sorted in place');
});

test('summarizeStages keeps stage order and reports max', () => {
  const s = summarizeStages(
    new Map([
      ['read', [1, 2, 3]],
      ['write', [9]],
    ]),
  );
  assert.deepEqual(
    s.map((x) => x.stage),
    ['read', 'write'],
  );
  assert.equal(s[0].max, 3);
  assert.equal(s[1].p99, 9);
  assert.equal(s[0].count, 3);
});

test('summarizeStages copes with a 300 000-tick episode (no spread of the samples into Math.max)', () => {
  const v = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 1000);
  const [s] = summarizeStages(new Map([['tick', v]]));
  assert.equal(s.count, 300_000);
  assert.equal(s.max, 999);
  assert.ok(Math.abs(s.p50 - 499.5) < 1);
});
