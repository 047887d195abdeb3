import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NdArray } from '../../src/core/ndarray';
import { ObservationError, observationState } from '../../src/io/policy/builtinServer/observationState';

const vec = (v: number[]) => NdArray.fromTyped(Float32Array.from(v), [v.length]);

test('finds the state under each known layout key, squeezing a batch dim', () => {
  assert.deepEqual([...observationState({ 'observation/state': vec([1, 2]) })], [1, 2]);
  assert.deepEqual([...observationState({ state: vec([3]) })], [3]);
  assert.deepEqual(
    [...observationState({ 'observation.state': NdArray.fromTyped(Float32Array.from([4, 5]), [1, 2]) })],
    [4, 5],
  );
});

test('explains missing or malformed state', () => {
  assert.throws(
    () => observationState({ prompt: 'x' }),
    (e: unknown) => e instanceof ObservationError && /no state: expected one of .*got keys prompt/.test(e.message),
  );
  assert.throws(() => observationState({ state: 'x' }), /must be an ndarray/);
  assert.throws(() => observationState({ state: NdArray.zeros('<f4', [2, 3]) }), /1-d vector .* got shape \(2, 3\)/);
  assert.throws(() => observationState([1, 2] as never), /must be a map/);
});
