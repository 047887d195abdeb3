import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionChunk, ActionShapeError } from '../../src/core/chunking/actionChunk';

test('fromShaped reads (H, D), (D,) and batch-of-one shapes', () => {
  const v = Float64Array.from({ length: 12 }, (_, i) => i);
  const c = ActionChunk.fromShaped([4, 3], v);
  assert.deepEqual([c.horizon, c.dims], [4, 3]);
  assert.deepEqual([...c.row(2)], [6, 7, 8]);
  assert.deepEqual([ActionChunk.fromShaped([12], v).horizon, ActionChunk.fromShaped([12], v).dims], [1, 12]);
  const batched = ActionChunk.fromShaped([1, 4, 3], v);
  assert.deepEqual([batched.horizon, batched.dims], [4, 3]);
});

test('bad shapes name what arrived', () => {
  const v = new Float64Array(24);
  assert.throws(
    () => ActionChunk.fromShaped([2, 3, 4], v),
    (e: unknown) => e instanceof ActionShapeError && /got \(2, 3, 4\)/.test(e.message),
  );
  assert.throws(() => ActionChunk.fromShaped([0, 6], new Float64Array(0)), /is empty: shape \(0, 6\)/);
  assert.throws(() => new ActionChunk(2, 3, new Float64Array(5)), /needs 6 values, got 5/);
});

test('row() is a view, bounds-checked; countNonFinite finds NaN and Infinity', () => {
  const c = new ActionChunk(2, 2, Float64Array.from([1, NaN, Infinity, 4]));
  assert.equal(c.countNonFinite(), 2);
  c.row(1)[1] = 9;
  assert.equal(c.values[3], 9);
  assert.throws(() => c.row(2), RangeError);
  assert.throws(() => c.row(-1), RangeError);
});
