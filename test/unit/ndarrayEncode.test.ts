// Encoding openpi frames byte-exactly as Python's msgpack + msgpack_numpy, and round trips through the decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode as referenceEncode } from '@msgpack/msgpack';
import { DTYPES, type DType, Float64Value, NdArray, NpScalar, itemSize } from '../../src/core/ndarray';
import {
  PolicyFrameEncoder,
  PolicyFrameError,
  type WireValue,
  decodePolicyFrame,
  encodePolicyFrame,
} from '../../src/core/protocols';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Turns the notation of policy-protocols.md §1.5 (hex bytes and "quoted ASCII") into bytes. */
function fromNotation(s: string): string {
  let out = '';
  for (const tok of s.match(/"[^"]*"|[0-9a-f]+/g) ?? []) {
    out += tok.startsWith('"') ? Buffer.from(tok.slice(1, -1), 'latin1').toString('hex') : tok;
  }
  return out;
}

test('golden: reproduces the Python frame of policy-protocols.md §1.5 byte for byte', () => {
  const documented =
    '81 b1"observation/state" 84 c40b"__ndarray__" c3 c404"data" c408 0000803f00000040 c405"dtype" ' +
    'a3"<f4" c405"shape" 91 02';
  const frame = encodePolicyFrame({ 'observation/state': NdArray.fromTyped(Float32Array.from([1, 2]), [2]) });
  assert.equal(hex(frame), fromNotation(documented));
  assert.equal(
    hex(new PolicyFrameEncoder(16).encode({ 'observation/state': NdArray.fromTyped(Float32Array.from([1, 2]), [2]) })),
    fromNotation(documented),
  );
});

test('ints use the smallest msgpack form (unsigned for non-negative, as msgpack-python)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [127, '7f'],
    [128, 'cc80'],
    [255, 'ccff'],
    [256, 'cd0100'],
    [65535, 'cdffff'],
    [65536, 'ce00010000'],
    [2 ** 32 - 1, 'ceffffffff'],
    [2 ** 32, 'cf0000000100000000'],
    [Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0df'],
    [-128, 'd080'],
    [-129, 'd1ff7f'],
    [-32768, 'd18000'],
    [-32769, 'd2ffff7fff'],
    [-(2 ** 31), 'd280000000'],
    [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
  ];
  for (const [n, want] of cases) assert.equal(hex(encodePolicyFrame(n)), want, String(n));
});

test('floats are float64; Float64Value forces float64; -0 stays a float; bigint is int64/uint64', () => {
  assert.equal(hex(encodePolicyFrame(1.5)), 'cb3ff8000000000000');
  assert.equal(hex(encodePolicyFrame(new Float64Value(2))), 'cb4000000000000000');
  assert.equal(hex(encodePolicyFrame(-0)), 'cb8000000000000000');
  assert.equal(hex(encodePolicyFrame(2 ** 53)), 'cb4340000000000000', 'beyond safe integers a number is a float');
  assert.equal(hex(encodePolicyFrame(Infinity)), 'cb7ff0000000000000');
  assert.equal(hex(encodePolicyFrame(5n)), 'cf0000000000000005');
  assert.equal(hex(encodePolicyFrame(-5n)), 'd3fffffffffffffffb');
  assert.equal(hex(encodePolicyFrame(2n ** 64n - 1n)), 'cfffffffffffffffff');
  assert.throws(() => encodePolicyFrame(2n ** 64n), PolicyFrameError);
  assert.equal(hex(encodePolicyFrame([null, true, false])), '93c0c3c2');
});

test('str, bin, array and map headers switch form at the msgpack limits', () => {
  const head = (v: WireValue, n: number): string => hex(encodePolicyFrame(v)).slice(0, n * 2);
  assert.equal(head('a'.repeat(31), 1), 'bf');
  assert.equal(head('a'.repeat(32), 2), 'd920');
  assert.equal(head('a'.repeat(255), 2), 'd9ff');
  assert.equal(head('a'.repeat(256), 3), 'da0100');
  assert.equal(head('a'.repeat(65536), 5), 'db00010000');
  // 20 two-byte characters: 40 UTF-8 bytes need str8 although the string has only 20 UTF-16 units.
  assert.equal(hex(encodePolicyFrame('é'.repeat(20))), 'd928' + 'c3a9'.repeat(20));
  assert.equal(hex(encodePolicyFrame('π₀ 🤖')), hex(referenceEncode('π₀ 🤖')));
  assert.equal(head(new Uint8Array(0), 2), 'c400');
  assert.equal(head(new Uint8Array(255), 2), 'c4ff');
  assert.equal(head(new Uint8Array(256), 3), 'c50100');
  assert.equal(head(new Uint8Array(65536), 5), 'c600010000');
  assert.equal(head(new Array<WireValue>(15).fill(0), 1), '9f');
  assert.equal(head(new Array<WireValue>(16).fill(0), 3), 'dc0010');
  assert.equal(head(new Array<WireValue>(65536).fill(0), 5), 'dd00010000');
  const map16: Record<string, WireValue> = {};
  for (let i = 0; i < 16; i++) map16[`k${i}`] = i;
  assert.equal(head(map16, 3), 'de0010');
});

test('numpy scalars are 3-entry bin-keyed maps, floats as float64 (as Python .item())', () => {
  const prefix = fromNotation('83 c40d"__npgeneric__" c3 c404"data"');
  assert.equal(hex(encodePolicyFrame(new NpScalar('<i8', 7))), prefix + '07' + fromNotation('c405"dtype" a3"<i8"'));
  assert.equal(hex(encodePolicyFrame(new NpScalar('<i8', 7n))), prefix + '07' + fromNotation('c405"dtype" a3"<i8"'));
  assert.equal(
    hex(encodePolicyFrame(new NpScalar('<f4', 2))),
    prefix + 'cb4000000000000000' + fromNotation('c405"dtype" a3"<f4"'),
  );
  assert.equal(hex(encodePolicyFrame(new NpScalar('|b1', true))), prefix + 'c3' + fromNotation('c405"dtype" a3"|b1"'));
  assert.equal(
    hex(encodePolicyFrame(new NpScalar('<i8', -(2n ** 62n)))),
    prefix + 'd3c000000000000000' + fromNotation('c405"dtype" a3"<i8"'),
  );
});

test('ndarray payload headers: bin8/16/32 by length, shape ints in their smallest form', () => {
  const f = encodePolicyFrame(NdArray.zeros('|u1', [224, 224, 3]));
  const n = 224 * 224 * 3;
  const expected =
    fromNotation('84 c40b"__ndarray__" c3 c404"data" c6') +
    n.toString(16).padStart(8, '0') +
    '00'.repeat(n) +
    fromNotation('c405"dtype" a3"|u1" c405"shape" 93 cce0 cce0 03');
  assert.equal(hex(f), expected);
  const mid = encodePolicyFrame(NdArray.zeros('<f8', [50, 6]));
  assert.equal(hex(mid.subarray(21, 24)), 'c50960');
});

test('plain values encode exactly like @msgpack/msgpack (an independent msgpack encoder)', () => {
  const plain: fc.Arbitrary<WireValue> = fc.letrec<{ v: WireValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.maxSafeInteger(),
      fc.double().filter((d) => !Object.is(d, -0)),
      fc.string({ unit: 'binary' }),
      fc.uint8Array({ maxLength: 300 }),
      fc.array(tie('v'), { maxLength: 20 }),
      fc.dictionary(
        fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'),
        tie('v'),
        { maxKeys: 20 },
      ),
    ),
  })).v;
  fc.assert(
    fc.property(plain, (v) => {
      assert.equal(hex(encodePolicyFrame(v)), hex(referenceEncode(v)));
    }),
    { numRuns: 300 },
  );
});

test('round trip of every dtype, including 0-d and empty arrays', () => {
  for (const dtype of DTYPES) {
    for (const shape of [[], [0, 6], [3], [2, 3, 4]]) {
      const size = shape.reduce((p, n) => p * n, 1);
      const data = Uint8Array.from(
        { length: size * itemSize(dtype) },
        (_, i) => (i * 37 + 11) & (dtype === '|b1' ? 1 : 0xff),
      );
      const a = new NdArray(dtype, shape, data);
      const back = decodePolicyFrame(encodePolicyFrame({ a }));
      assert.deepEqual(back, { a }, `${dtype} [${shape}]`);
    }
  }
});

test('round trip keeps f2 special values and i8 beyond 2^53', () => {
  const halves = Uint16Array.from([0x7c00, 0xfc00, 0x7e00, 0x8000, 0x0001, 0x7bff]);
  const h = decodePolicyFrame(encodePolicyFrame(NdArray.fromTyped(halves, [6], '<f2'))) as NdArray;
  const f = h.toFloat64();
  assert.deepEqual([f[0], f[1], f[3], f[4], f[5]], [Infinity, -Infinity, -0, 2 ** -24, 65504]);
  assert.ok(Number.isNaN(f[2]));
  const big = BigInt64Array.from([2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n]);
  const b = decodePolicyFrame(encodePolicyFrame(NdArray.fromTyped(big, [3]))) as NdArray;
  assert.deepEqual(Array.from(b.typed() as BigInt64Array), Array.from(big));
});

test('nested maps (ALOHA images) round trip and keep insertion order', () => {
  const img = (v: number): NdArray => NdArray.fromTyped(new Uint8Array(3 * 4 * 5).fill(v), [3, 4, 5]);
  const obs: WireValue = {
    state: NdArray.fromTyped(new Float32Array(14).fill(0.5), [14]),
    images: { cam_high: img(1), cam_low: img(2), cam_left_wrist: img(3), cam_right_wrist: img(4) },
    prompt: 'fold the towel',
  };
  const back = decodePolicyFrame(encodePolicyFrame(obs)) as Record<string, WireValue>;
  assert.deepEqual(back, obs);
  assert.deepEqual(Object.keys(back.images as object), ['cam_high', 'cam_low', 'cam_left_wrist', 'cam_right_wrist']);
});

test('PolicyFrameEncoder reuse: a big frame then a small one are both exact', () => {
  const enc = new PolicyFrameEncoder(64);
  const bigValue = { image: NdArray.zeros('|u1', [480, 640, 3]), prompt: 'x' };
  const big = enc.encode(bigValue);
  assert.equal(hex(big), hex(encodePolicyFrame(bigValue)));
  const smallValue = { state: NdArray.fromTyped(Float32Array.from([1, 2]), [2]) };
  const small = enc.encode(smallValue);
  assert.equal(hex(small), hex(encodePolicyFrame(smallValue)));
  assert.equal(small.length, encodePolicyFrame(smallValue).length);
  assert.deepEqual(decodePolicyFrame(small), smallValue);
  assert.equal(small.buffer, big.buffer, 'the buffer is reused, not reallocated');
});

test('unencodable values fail with the key path and the fix', () => {
  const fails = (v: unknown, path: string, msg: RegExp): void => {
    assert.throws(
      () => encodePolicyFrame(v as WireValue),
      (e: unknown) => e instanceof PolicyFrameError && e.path === path && msg.test(e.message),
    );
  };
  fails({ prompt: undefined }, 'prompt', /cannot send a undefined; omit the key or send null/);
  fails({ obs: { state: new Float32Array(6) } }, 'obs.state', /Float32Array.*NdArray\.fromTyped/);
  fails({ list: [1, new Map()] }, 'list[1]', /cannot send a Map/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  fails(
    cyclic,
    'self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self.self' +
      '.self.self.self.self.self.self.self.self.self.self.self',
    /nesting deeper than 32 levels/,
  );
  let deep: WireValue = NdArray.zeros('|u1', [1]);
  for (let i = 0; i < 31; i++) deep = [deep];
  assert.deepEqual(
    decodePolicyFrame(encodePolicyFrame(deep)),
    deep,
    '32 levels (31 arrays + the ndarray map) are fine',
  );
  fails([deep], '[0]'.repeat(32), /nesting deeper than 32 levels/);
  // The encoder is usable after a failure.
  const enc = new PolicyFrameEncoder();
  assert.throws(() => enc.encode({ a: [undefined as unknown as WireValue] }), PolicyFrameError);
  assert.equal(hex(enc.encode(1)), '01');
});

// --- property: decode(encode(v)) ≡ v -------------------------------------------------------------

const anyDType = fc.constantFrom(...DTYPES);
const ndarray: fc.Arbitrary<NdArray> = fc
  .tuple(anyDType, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
  .chain(([dtype, shape]) => {
    const n = shape.reduce((p, k) => p * k, 1) * itemSize(dtype);
    return fc.uint8Array({ minLength: n, maxLength: n }).map((d) => new NdArray(dtype, shape, d));
  });
const scalar: fc.Arbitrary<NpScalar> = anyDType.chain((dtype: DType): fc.Arbitrary<NpScalar> => {
  if (dtype === '|b1') return fc.boolean().map((b) => new NpScalar(dtype, b));
  if (dtype[1] === 'f') return fc.double().map((d) => new NpScalar(dtype, d));
  if (dtype === '<i8') {
    return fc
      .oneof(
        fc.maxSafeInteger(),
        fc
          .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
          .filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
      )
      .map((v) => new NpScalar(dtype, v));
  }
  const bits = itemSize(dtype) * 8;
  const min = dtype[1] === 'u' ? 0 : -(2 ** (bits - 1));
  const max = dtype[1] === 'u' ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
  return fc.integer({ min, max }).map((v) => new NpScalar(dtype, v));
});
const unsafeBigInt = fc
  .bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })
  .filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER));

const wire: fc.Arbitrary<WireValue> = fc.letrec<{ v: WireValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.double(),
    unsafeBigInt,
    fc.string({ unit: 'binary' }),
    fc.uint8Array({ maxLength: 64 }),
    ndarray,
    scalar,
    fc.double().map((d) => new Float64Value(d)),
    fc.array(tie('v'), { maxLength: 8 }),
    fc.dictionary(
      fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'),
      tie('v'),
      { maxKeys: 8 },
    ),
  ),
})).v;

/** What a value looks like after the trip: Float64Value is a plain number on the wire. */
function expected(v: WireValue): WireValue {
  if (v instanceof Float64Value) return v.value;
  if (Array.isArray(v)) return v.map(expected);
  // fast-check also builds null-prototype objects; they go out as maps and come back as plain objects.
  if (v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    const out: Record<string, WireValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = expected(x);
    return out;
  }
  return v;
}

test('property: decode(encode(v)) equals v for random wire values', () => {
  const enc = new PolicyFrameEncoder(32);
  fc.assert(
    fc.property(wire, (v) => {
      assert.deepStrictEqual(decodePolicyFrame(enc.encode(v)), expected(v));
      assert.deepStrictEqual(decodePolicyFrame(encodePolicyFrame(v)), expected(v));
    }),
    { numRuns: 500 },
  );
});
