// The one rule every reader of a record uses to pick a camera frame for a tick (src/io/recording/frameIndex.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameForTick, isIdentityIndex, lastAtOrBefore } from '../../src/io/recording/frameIndex';

test('the frame of a tick is the last recorded at or before it; before the first, the first', () => {
  const index = [1, 2, 5, 6, 9]; // ticks 0, 3, 4, 7, 8 dropped
  const picked = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => frameForTick(index, t));
  assert.deepEqual(
    picked.map((p) => p?.frame),
    [0, 0, 1, 1, 1, 2, 3, 3, 3, 4, 4],
  );
  assert.deepEqual(
    picked.map((p) => p?.tick),
    [1, 1, 2, 2, 2, 5, 6, 6, 6, 9, 9],
  );
  assert.equal(frameForTick([], 3), undefined);
  assert.equal(lastAtOrBefore(index, 0), -1);
  assert.equal(lastAtOrBefore(index, 5), 2);
});

test('without an index frame n is tick n; the identity index is recognised up to the rows asked', () => {
  assert.deepEqual(frameForTick(undefined, 7), { frame: 7, tick: 7 });
  assert.equal(isIdentityIndex(undefined, 10), true);
  assert.equal(isIdentityIndex([0, 1, 2, 3], 4), true);
  assert.equal(isIdentityIndex([0, 1, 2, 3, 5], 4), true);
  assert.equal(isIdentityIndex([0, 1, 3], 3), false);
  assert.equal(isIdentityIndex([0, 1, 2], 4), false);
});
