import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packPolicyInput, unpackPolicyInput } from '../../src/core/convert/policyInputTransfer';
import { Float64Value, NdArray } from '../../src/core/ndarray';

test('a policy input survives a structured clone with its NdArrays, whose whole buffers are offered for transfer', () => {
  const image = NdArray.fromTyped(new Uint8Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
  const input = {
    'observation/image': image,
    nested: { list: [image, 'x', 3] },
    prompt: ['pick'],
    raw: new Uint8Array([9]),
    none: null,
  };
  const { packed, transfer } = packPolicyInput(input);
  assert.deepEqual(transfer, [image.data.buffer], 'one buffer, listed once');
  const back = unpackPolicyInput(structuredClone(packed));
  const img = back['observation/image'] as NdArray;
  assert.ok(img instanceof NdArray);
  assert.deepEqual([img.dtype, img.shape, [...img.data]], ['|u1', [1, 2, 3], [1, 2, 3, 4, 5, 6]]);
  const list = (back.nested as { list: unknown[] }).list;
  assert.ok(list[0] instanceof NdArray);
  assert.deepEqual(list.slice(1), ['x', 3]);
  assert.deepEqual(back.prompt, ['pick']);
  assert.deepEqual([...(back.raw as Uint8Array)], [9]);
  assert.equal(back.none, null);
});

test('a value a thread cannot carry is named by its key', () => {
  assert.throws(() => packPolicyInput({ a: { b: new Float64Value(1) } }), /a\.b: a Float64Value cannot cross/);
});
