// Fuzz: the openpi msgpack-numpy frame decoder (decodePolicyFrame). Typed error: PolicyFrameError only.
// Inputs: random bytes, random msgpack values, mutated valid frames, numpy maps with lying fields, declared sizes
// far beyond the input, and deep nesting. Decoded ndarrays must be self-consistent (bytes = prod(shape) × itemsize).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { DTYPES, Float64Value, NdArray, NpScalar, itemSize } from '../../src/core/ndarray';
import { PolicyFrameError, decodePolicyFrame, encodePolicyFrame, type WireValue } from '../../src/core/protocols';
import { decodeSinglePass } from '../../src/core/protocols/msgpackNumpy/policyFrameDecoder';
import { decodeReference } from '../../src/core/protocols/msgpackNumpy/referenceFrameDecoder';
import { concat, fuzzRuns, mutated, onlyTyped, runFuzz } from './fuzzHarness';

const RUNS = fuzzRuns(1500);

/** Decodes and checks what came out; only PolicyFrameError may escape. */
function decodeChecked(bytes: Uint8Array): void {
  onlyTyped(() => checkValue(decodePolicyFrame(bytes), 0), [PolicyFrameError]);
}

function checkValue(v: WireValue, depth: number): void {
  assert.ok(depth <= 40, 'nesting is capped');
  if (v instanceof NdArray) {
    assert.equal(v.data.length, v.shape.reduce((a, b) => a * b, 1) * itemSize(v.dtype));
    return;
  }
  if (
    v instanceof NpScalar ||
    v instanceof Float64Value ||
    v instanceof Uint8Array ||
    v === null ||
    typeof v !== 'object'
  )
    return;
  if (Array.isArray(v)) {
    for (const x of v) checkValue(x, depth + 1);
    return;
  }
  assert.equal(Object.getPrototypeOf(v), Object.prototype, 'maps decode to plain objects');
  for (const x of Object.values(v)) checkValue(x, depth + 1);
}

// --- Hand-written msgpack pieces: bin-keyed numpy maps (our encoder would never write the lies below). ---
const te = new TextEncoder();
const bin = (b: Uint8Array): Uint8Array => concat(Uint8Array.of(0xc4, b.length), b); // bin8; inputs stay < 256 bytes
const binKey = (s: string): Uint8Array => bin(te.encode(s));
const mapHeader = (n: number): Uint8Array => Uint8Array.of(0x80 | n);
const raw = (v: unknown): Uint8Array => encode(v, { useBigInt64: true });

/** A numpy map from chosen parts, each field possibly missing, mistyped, or lying about the data's size. */
const numpyMap = fc
  .record({
    marker: fc.constantFrom('__ndarray__', '__tensor__', '__npgeneric__', 'ndarray'),
    dtype: fc.oneof(fc.constantFrom(...DTYPES, '>f4', '=f8', '<u1', '<c8', 'O', ''), fc.string({ maxLength: 6 })),
    dtypeAsBin: fc.boolean(),
    shape: fc.oneof(
      fc.array(fc.integer({ min: -2, max: 12 }), { maxLength: 4 }),
      fc.array(fc.constantFrom(0, 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, -0, 0.5), { maxLength: 3 }),
      fc.constant('nope' as unknown as number[]),
    ),
    data: fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.constant(null),
      fc.integer(),
      fc.double(),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
    ),
    drop: fc.constantFrom('none', 'data', 'dtype', 'shape'),
  })
  .map((p) => {
    const fields: Uint8Array[] = [concat(binKey(p.marker), raw(true))];
    if (p.drop !== 'dtype') fields.push(concat(binKey('dtype'), p.dtypeAsBin ? bin(te.encode(p.dtype)) : raw(p.dtype)));
    if (p.drop !== 'shape') fields.push(concat(binKey('shape'), raw(p.shape)));
    if (p.drop !== 'data') {
      const d =
        p.data instanceof Uint8Array ? bin(p.data) : typeof p.data === 'bigint' ? encodeBig(p.data) : raw(p.data);
      fields.push(concat(binKey('data'), d));
    }
    return concat(mapHeader(fields.length), ...fields);
  });

function encodeBig(v: bigint): Uint8Array {
  const b = new Uint8Array(9);
  const dv = new DataView(b.buffer);
  if (v < 0n) {
    b[0] = 0xd3;
    dv.setBigInt64(1, BigInt.asIntN(64, v));
  } else {
    b[0] = 0xcf;
    dv.setBigUint64(1, BigInt.asUintN(64, v));
  }
  return b;
}

/** Container and string headers that declare far more than follows (32-bit lengths up to 4 GiB). */
const hugeDeclared = fc
  .tuple(fc.constantFrom(0xc6, 0xdb, 0xdd, 0xdf, 0xc9), fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000000, 1000))
  .chain(([tag, n]) =>
    fc.uint8Array({ maxLength: 32 }).map((tail) => {
      const head = new Uint8Array(5);
      head[0] = tag;
      new DataView(head.buffer).setUint32(1, n);
      return concat(head, tail);
    }),
  );

/** Nesting 1–5000 deep: fixarrays, array16, fixmaps with str keys, or bin-keyed maps. */
const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('fixarray', 'array16', 'fixmap', 'binmap'), fc.boolean())
  .map(([depth, kind, closed]) => {
    const unit =
      kind === 'fixarray'
        ? Uint8Array.of(0x91)
        : kind === 'array16'
          ? Uint8Array.of(0xdc, 0, 1)
          : kind === 'fixmap'
            ? Uint8Array.of(0x81, 0xa1, 0x6b)
            : concat(Uint8Array.of(0x81), binKey('k'));
    const body = new Uint8Array(unit.length * depth);
    for (let i = 0; i < depth; i++) body.set(unit, i * unit.length);
    return closed ? concat(body, Uint8Array.of(0xc0)) : body;
  });

/** Plain msgpack values, str and bin keys, ints up to 64 bits, floats, extensions. */
const randomValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 24 }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const randomMsgpack = randomValue.map((v) => {
  try {
    return encode(v, { useBigInt64: true });
  } catch {
    return new Uint8Array();
  }
});

const corpus: Uint8Array[] = [
  encodePolicyFrame({
    'observation/state': NdArray.fromTyped(new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, 0.6]), [6]),
    'observation/image': NdArray.zeros('|u1', [4, 4, 3]),
    prompt: 'pick up the red cube',
  }),
  encodePolicyFrame({
    actions: NdArray.fromTyped(
      new Float64Array(12).map((_, i) => i / 7),
      [2, 6],
    ),
    server_timing: { infer_ms: new Float64Value(12.5), prev_total_ms: new Float64Value(30) },
    policy_timing: { infer_ms: new Float64Value(11) },
  }),
  encodePolicyFrame({
    type: 'select_action',
    observation: { state: NdArray.fromTyped(new Int32Array([1, 2]), [2]), task: ['x'] },
  }),
  encodePolicyFrame({
    step: new NpScalar('<i8', 5n),
    flag: new NpScalar('|b1', true),
    half: NdArray.zeros('<f2', [3]),
    n: [1, [2, [3]]],
  }),
];

test('fuzz: random bytes, random msgpack and mutated frames decode or throw PolicyFrameError', () => {
  const input = fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
    { weight: 1, arbitrary: randomMsgpack },
    { weight: 3, arbitrary: mutated(corpus) },
  );
  runFuzz('msgpack-numpy: random/mutated frames', fc.property(input, decodeChecked), RUNS);
});

test('fuzz: numpy maps with lying or missing fields, huge declared sizes and deep nesting throw PolicyFrameError', () => {
  const wrapped = numpyMap.chain((m) =>
    fc.constantFrom(m, concat(Uint8Array.of(0x81, 0xa7), te.encode('actions'), m), concat(Uint8Array.of(0x92), m, m)),
  );
  const input = fc.oneof(
    wrapped,
    hugeDeclared,
    deepNesting,
    mutated([...corpus, ...[0, 1].map(() => new Uint8Array())].filter((b) => b.length)),
  );
  runFuzz('msgpack-numpy: hostile structure', fc.property(input, decodeChecked), Math.max(200, Math.floor(RUNS / 2)));
});

/** Valid numpy maps in every msgpack spelling: bin8/16/32 data, dtype as str or bin, dims as any int or float form, marker first or last. */
const spelledNumpyMap = fc
  .record({
    dtype: fc.constantFrom(...DTYPES, '=f8', '<u1'),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    binForm: fc.constantFrom(0xc4, 0xc5, 0xc6),
    dtypeAsBin: fc.boolean(),
    dimForm: fc.constantFrom(0, 0xcc, 0xcd, 0xcf, 0xcb),
    tensor: fc.boolean(),
    markerLast: fc.boolean(),
    wrap: fc.boolean(),
  })
  .map((p) => {
    const size =
      p.shape.reduce((a, b) => a * b, 1) * itemSize(p.dtype === '=f8' ? '<f8' : p.dtype === '<u1' ? '|u1' : p.dtype);
    const lengthBytes = { 0xc4: 1, 0xc5: 2, 0xc6: 4 }[p.binForm]!;
    const binOf = (b: Uint8Array): Uint8Array => {
      const head = new Uint8Array(1 + lengthBytes);
      head[0] = p.binForm;
      for (let i = 0; i < lengthBytes; i++) head[lengthBytes - i] = (b.length >> (8 * i)) & 0xff;
      return concat(head, b);
    };
    const dim = (d: number): Uint8Array => {
      if (p.dimForm === 0) return Uint8Array.of(d);
      const out = new Uint8Array(9);
      out[0] = p.dimForm;
      if (p.dimForm === 0xcb) new DataView(out.buffer).setFloat64(1, d);
      else out[{ 0xcc: 1, 0xcd: 2, 0xcf: 8 }[p.dimForm]!] = d;
      return out.subarray(0, 1 + { 0xcc: 1, 0xcd: 2, 0xcf: 8, 0xcb: 8 }[p.dimForm]!);
    };
    const fields = [
      concat(binKey(p.tensor ? '__tensor__' : '__ndarray__'), raw(true)),
      concat(binKey('data'), binOf(Uint8Array.from({ length: size }, (_, i) => i))),
      concat(binKey('dtype'), p.dtypeAsBin ? bin(te.encode(p.dtype)) : raw(p.dtype)),
      concat(binKey('shape'), Uint8Array.of(0x90 | p.shape.length), ...p.shape.map(dim)),
    ];
    if (p.tensor) fields.push(concat(binKey('device'), bin(te.encode('cpu'))));
    if (p.markerLast) fields.push(fields.shift()!);
    const map = concat(mapHeader(fields.length), ...fields);
    return p.wrap
      ? concat(Uint8Array.of(0x82, 0xa7), te.encode('actions'), map, Uint8Array.of(0xa4), te.encode('step'), raw(3))
      : map;
  });

test('fuzz: wherever the single pass decodes a frame, the reference decoder decodes the same value', () => {
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 128 }),
    randomMsgpack,
    mutated(corpus),
    numpyMap,
    spelledNumpyMap,
    fc.array(spelledNumpyMap, { minLength: 1, maxLength: 3 }).chain((maps) => mutated(maps)),
    deepNesting,
  );
  let taken = 0;
  runFuzz(
    'msgpack-numpy: single pass = reference',
    fc.property(input, (bytes) => {
      const fast = decodeSinglePass(bytes);
      if (fast === undefined) return;
      taken++;
      assert.deepStrictEqual(fast, decodeReference(bytes));
    }),
    RUNS,
  );
  assert.ok(taken > RUNS / 10, `the single pass decoded only ${taken} of ${RUNS} inputs`);
});

test('the checks can fail: a lying ndarray is refused, not returned', () => {
  const lying = concat(
    mapHeader(4),
    binKey('__ndarray__'),
    raw(true),
    binKey('dtype'),
    raw('<f4'),
    binKey('shape'),
    raw([2 ** 32]),
    binKey('data'),
    bin(new Uint8Array(4)),
  );
  assert.throws(() => decodePolicyFrame(lying), PolicyFrameError);
  assert.throws(
    () =>
      onlyTyped(() => {
        throw new TypeError('from deep inside');
      }, [PolicyFrameError]),
    TypeError,
  );
});
