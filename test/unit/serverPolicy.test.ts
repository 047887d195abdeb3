import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NdArray } from '../../src/core/ndarray';
import { ServerPolicy, frontImage } from '../../src/io/policy/builtinServer/serverPolicy';

test('frontImage finds the primary camera of each layout, HWC or CHW', () => {
  const hwc = NdArray.fromTyped(
    Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i),
    [2, 3, 3],
  );
  const found = frontImage({ 'observation/images.main': hwc });
  assert.deepEqual([found?.width, found?.height], [3, 2]);
  // CHW (ALOHA's nested images): channel planes are interleaved back into HWC.
  const chw = NdArray.fromTyped(Uint8Array.from([1, 2, 10, 20, 100, 200]), [3, 1, 2]);
  const aloha = frontImage({ images: { cam_high: chw } });
  assert.deepEqual([...(aloha?.data ?? [])], [1, 10, 100, 2, 20, 200]);
  assert.equal(frontImage({ 'observation/state': NdArray.zeros('<f4', [6]) }), undefined);
  assert.throws(
    () => frontImage({ 'observation.images.front': NdArray.zeros('<f4', [4, 4, 3]) }),
    /must be a uint8 image/,
  );
});

test('without a front image the waypoint demo runs; with a black one the cube policy holds the state', () => {
  const p = new ServerPolicy(5, 32);
  const state = Float64Array.from([1, 2, 3, 4, 5, 50]);
  p.plan({}, state);
  assert.match(p.lastDecision, /no front image/);
  const held = p.plan({ 'observation/images.main': NdArray.zeros('|u1', [224, 224, 3]) }, state);
  assert.match(p.lastDecision, /no red cube/);
  for (let t = 0; t < 5; t++) assert.deepEqual([...held.subarray(t * 32, t * 32 + 6)], [...state]);
});

test('any width from 6 up carries the joints in the first 6 columns and zeros after; narrower is refused', () => {
  const state = Float64Array.from([1, 2, 3, 4, 5, 50]);
  for (const dims of [6, 9]) {
    const p = new ServerPolicy(3, dims);
    const held = p.plan({ 'observation/images.main': NdArray.zeros('|u1', [224, 224, 3]) }, state);
    assert.equal(held.length, 3 * dims);
    for (let t = 0; t < 3; t++) {
      assert.deepEqual([...held.subarray(t * dims, t * dims + 6)], [...state]);
      assert.deepEqual([...held.subarray(t * dims + 6, (t + 1) * dims)], new Array(dims - 6).fill(0));
    }
  }
  assert.throws(() => new ServerPolicy(3, 5), /actionDim is 5; the SO-100 needs at least 6/);
});

test('the hold policy repeats the measured state in every row, ignores the image, and refuses a NaN state', () => {
  const p = new ServerPolicy(4, 8, 'hold');
  const state = Float64Array.from([-12.5, 30, 44, -7, 90, 35]);
  // A red cube in view would make the demo move; hold must not.
  const image = NdArray.fromTyped(
    new Uint8Array(224 * 224 * 3).map((_, i) => (i % 3 === 0 ? 220 : 10)),
    [224, 224, 3],
  );
  const planned = p.plan({ 'observation/images.main': image }, state);
  assert.match(p.lastDecision, /^hold/);
  assert.equal(planned.length, 4 * 8);
  for (let t = 0; t < 4; t++) assert.deepEqual([...planned.subarray(t * 8, (t + 1) * 8)], [...state, 0, 0]);
  assert.throws(() => p.plan({}, Float64Array.from([0, Number.NaN, 0, 0, 0, 0])), /state\[1\] is NaN/);
  // The demo, given the same inputs, does move: the two are different policies.
  const demo = new ServerPolicy(4, 8).plan({}, state);
  assert.notDeepEqual([...demo.subarray(24, 30)], [...state]);
});
