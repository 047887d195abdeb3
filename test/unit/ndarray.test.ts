// NdArray, NpScalar, dtypes and half floats (the codec itself is in ndarrayCodec*.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DTYPES,
  Float64Value,
  NdArray,
  NdArrayError,
  NpScalar,
  halfToNumber,
  isDType,
  itemSize,
  numberToHalf,
} from '../../src/core/ndarray';
import { parseWireDType } from '../../src/core/ndarray/dtype';

test('isDType accepts exactly the supported dtype strings; itemSize matches numpy', () => {
  const sizes: Record<string, number> = {
    '|u1': 1,
    '|i1': 1,
    '<u2': 2,
    '<i2': 2,
    '<u4': 4,
    '<i4': 4,
    '<i8': 8,
    '<f2': 2,
    '<f4': 4,
    '<f8': 8,
    '|b1': 1,
  };
  assert.deepEqual([...DTYPES].sort(), Object.keys(sizes).sort());
  for (const [d, n] of Object.entries(sizes)) {
    assert.ok(isDType(d), d);
    if (isDType(d)) assert.equal(itemSize(d), n);
  }
  for (const bad of ['<f4 ', '>f4', 'f4', '<U4', '<c8', '|V2', '<u8', 'float32', '', '__proto__', 'toString']) {
    assert.equal(isDType(bad), false, bad);
  }
});

test('parseWireDType: byte-sized types in any order, native order, and precise problems', () => {
  assert.deepEqual(parseWireDType('<u1'), { dtype: '|u1' });
  assert.deepEqual(parseWireDType('=f4'), { dtype: '<f4' });
  const be = parseWireDType('>f4');
  assert.ok('problem' in be && /big-endian/.test(be.problem) && /'<f4'/.test(be.problem));
  const str = parseWireDType('<U4');
  assert.ok('problem' in str && /unsupported dtype '<U4'/.test(str.problem) && str.problem.includes('<f8'));
});

test('constructor validates data length against shape × itemsize', () => {
  assert.equal(new NdArray('<f4', [2, 3], new Uint8Array(24)).size, 6);
  assert.throws(
    () => new NdArray('<f4', [2, 3], new Uint8Array(23)),
    (e: unknown) => e instanceof NdArrayError && /needs 24 bytes, got 23/.test(e.message),
  );
  assert.throws(() => new NdArray('<f4', [-1], new Uint8Array(0)), NdArrayError);
  assert.throws(() => new NdArray('<f4', [1.5], new Uint8Array(6)), NdArrayError);
  assert.throws(() => new NdArray('<U4' as never, [1], new Uint8Array(16)), /unsupported dtype '<U4'/);
});

test('constructor keeps a plain Uint8Array but copies a (possibly pooled) Buffer', () => {
  const plain = new Uint8Array(4);
  assert.equal(new NdArray('<f4', [1], plain).data, plain);
  const pooled = Buffer.from([0, 0, 128, 63]);
  const a = new NdArray('<f4', [1], pooled);
  pooled.fill(0);
  assert.equal(a.get(0), 1);
  assert.equal(Object.getPrototypeOf(a.data), Uint8Array.prototype);
});

test('the shape is a frozen copy; a shape that is frozen already is kept as it is (it cannot change)', () => {
  const mutable = [2, 3];
  const a = new NdArray('<f4', mutable, new Uint8Array(24));
  mutable[0] = 9;
  assert.deepEqual(a.shape, [2, 3]);
  assert.ok(Object.isFrozen(a.shape));
  const frozen = Object.freeze([2, 3]);
  assert.equal(new NdArray('<f4', frozen, new Uint8Array(24)).shape, frozen);
  assert.throws(() => new NdArray('<f4', Object.freeze([2, -3]), new Uint8Array(0)), /non-negative integers/);
});

test('0-d and empty arrays', () => {
  const scalar = NdArray.fromTyped(new Float64Array([3.25]), []);
  assert.equal(scalar.size, 1);
  assert.equal(scalar.get(), 3.25);
  const empty = NdArray.zeros('<f4', [0, 6]);
  assert.equal(empty.size, 0);
  assert.equal(empty.data.length, 0);
  assert.deepEqual(Array.from(empty.toFloat64()), []);
});

test('fromTyped infers the dtype, honours |b1 and <f2, and copies the values', () => {
  assert.equal(NdArray.fromTyped(new Float32Array(2), [2]).dtype, '<f4');
  assert.equal(NdArray.fromTyped(new Float64Array(2), [2]).dtype, '<f8');
  assert.equal(NdArray.fromTyped(new Uint8Array(2), [2]).dtype, '|u1');
  assert.equal(NdArray.fromTyped(new Uint8Array(2), [2], '|b1').dtype, '|b1');
  assert.equal(NdArray.fromTyped(new Int8Array(2), [2]).dtype, '|i1');
  assert.equal(NdArray.fromTyped(new Uint16Array(2), [2]).dtype, '<u2');
  assert.equal(NdArray.fromTyped(new Uint16Array(2), [2], '<f2').dtype, '<f2');
  assert.equal(NdArray.fromTyped(new Int16Array(2), [2]).dtype, '<i2');
  assert.equal(NdArray.fromTyped(new Uint32Array(2), [2]).dtype, '<u4');
  assert.equal(NdArray.fromTyped(new Int32Array(2), [2]).dtype, '<i4');
  assert.equal(NdArray.fromTyped(new BigInt64Array(2), [2]).dtype, '<i8');
  assert.throws(() => NdArray.fromTyped(new Float32Array(2), [2], '<f8'), /Float32Array cannot hold dtype '<f8'/);
  assert.throws(() => NdArray.fromTyped(new Float32Array(6), [2, 2]), /has 4 elements but the Float32Array has 6/);

  const source = new Float32Array([1, 2, 3, 4]);
  const a = NdArray.fromTyped(source.subarray(1, 3), [2]);
  source[1] = 99;
  assert.deepEqual(Array.from(a.toFloat32()), [2, 3]);
  assert.equal(a.data.byteOffset, 0);
  assert.equal(a.data.buffer.byteLength, 8, 'copied into an exact-size buffer of its own');
});

test('get indexes C-order and checks bounds', () => {
  const a = NdArray.fromTyped(Int16Array.from([0, 1, 2, 3, 4, 5, -6]).subarray(0, 6), [2, 3]);
  assert.equal(a.get(0, 0), 0);
  assert.equal(a.get(1, 0), 3);
  assert.equal(a.get(1, 2), 5);
  assert.throws(() => a.get(2, 0), /index 2 is out of range for dimension 0 of size 2/);
  assert.throws(() => a.get(1), /1 dimension\(s\) but the array has 2/);
});

test('toFloat64 / get decode every dtype: b1 → 0/1, i8 → Number, f2 properly', () => {
  const b = NdArray.fromTyped(Uint8Array.from([0, 1, 0]), [3], '|b1');
  assert.deepEqual(Array.from(b.toFloat64()), [0, 1, 0]);
  const big = NdArray.fromTyped(BigInt64Array.from([-5n, 2n ** 60n]), [2]);
  assert.deepEqual(Array.from(big.toFloat64()), [-5, 2 ** 60]);
  assert.equal(big.get(1), 2 ** 60);
  assert.deepEqual(Array.from(big.typed() as BigInt64Array), [-5n, 2n ** 60n]);
  const halves = NdArray.fromTyped(Uint16Array.from([0x3c00, 0xc000, 0x7c00, 0x8000]), [4], '<f2');
  assert.deepEqual(Array.from(halves.toFloat64()), [1, -2, Infinity, -0]);
  assert.ok(Object.is(halves.get(3), -0));
  const u4 = NdArray.fromTyped(Uint32Array.from([4294967295]), [1]);
  assert.equal(u4.get(0), 4294967295);
  assert.deepEqual(Array.from(NdArray.fromTyped(Float64Array.from([0.1]), [1]).toFloat32()), [Math.fround(0.1)]);
});

test('typed() works on unaligned data by copying', () => {
  const backing = new Uint8Array(9);
  new DataView(backing.buffer).setFloat64(1, 2.5, true);
  const a = new NdArray('<f8', [1], backing.subarray(1));
  assert.deepEqual(Array.from(a.typed() as Float64Array), [2.5]);
  assert.equal(a.get(0), 2.5);
});

test('halfToNumber: specials, subnormals and extremes', () => {
  assert.equal(halfToNumber(0x0000), 0);
  assert.ok(Object.is(halfToNumber(0x8000), -0));
  assert.equal(halfToNumber(0x0001), 2 ** -24);
  assert.equal(halfToNumber(0x03ff), 1023 * 2 ** -24);
  assert.equal(halfToNumber(0x0400), 2 ** -14);
  assert.equal(halfToNumber(0x7bff), 65504);
  assert.equal(halfToNumber(0xfbff), -65504);
  assert.equal(halfToNumber(0x7c00), Infinity);
  assert.equal(halfToNumber(0xfc00), -Infinity);
  assert.ok(Number.isNaN(halfToNumber(0x7e00)));
  assert.ok(Number.isNaN(halfToNumber(0x7c01)));
  assert.equal(halfToNumber(0x3555), 0.333251953125);
});

test('numberToHalf inverts halfToNumber for every non-NaN pattern and rounds ties to even', () => {
  for (let h = 0; h < 0x10000; h++) {
    const v = halfToNumber(h);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(halfToNumber(numberToHalf(v))));
    else assert.equal(numberToHalf(v), h, `pattern 0x${h.toString(16)}`);
  }
  assert.equal(numberToHalf(1 + 2 ** -11), 0x3c00, 'tie between 1 and 1+2^-10 goes to even (1)');
  assert.equal(numberToHalf(1 + 3 * 2 ** -11), 0x3c02, 'tie goes to even (1+2^-9)');
  assert.equal(numberToHalf(65519), 0x7bff);
  assert.equal(numberToHalf(65520), 0x7c00);
  assert.equal(numberToHalf(2 ** -25), 0x0000, 'half of the smallest subnormal ties to 0');
  assert.equal(numberToHalf(3 * 2 ** -25), 0x0002);
  assert.equal(numberToHalf(1e-10), 0);
  assert.equal(numberToHalf(-1e10), 0xfc00);
});

test('NpScalar checks the value against its dtype', () => {
  assert.equal(new NpScalar('<i8', 2n ** 62n).value, 2n ** 62n);
  assert.equal(new NpScalar('|b1', true).value, true);
  assert.equal(new NpScalar('<f4', 1.5).value, 1.5);
  assert.throws(() => new NpScalar('|u1', 256), /256 does not fit dtype '\|u1' \(0\.\.255\)/);
  assert.throws(() => new NpScalar('|i1', -129), NdArrayError);
  assert.throws(() => new NpScalar('<i4', 1.5), /needs an integer/);
  assert.throws(() => new NpScalar('|b1', 1), /needs a boolean/);
  assert.throws(() => new NpScalar('<f8', true), /needs a number/);
  assert.equal(new Float64Value(2).value, 2);
});
