// Decoding frames built by hand here (rarely by our encoder), and every rejection with its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decode as referenceDecode, encode as strKeyEncode } from '@msgpack/msgpack';
import { NdArray, NpScalar } from '../../src/core/ndarray';
import { PolicyFrameError, decodePolicyFrame, encodePolicyFrame } from '../../src/core/protocols';
import { decodeSinglePass } from '../../src/core/protocols/msgpackNumpy/policyFrameDecoder';
import { decodeReference } from '../../src/core/protocols/msgpackNumpy/referenceFrameDecoder';

type Part = number | string | Uint8Array | Part[];

/** Concatenates raw bytes: numbers are bytes, strings are their UTF-8 bytes (headers are written by the caller). */
function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  const add = (p: Part): void => {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'utf8'));
    else if (p instanceof Uint8Array) out.push(...p);
    else p.forEach(add);
  };
  parts.forEach(add);
  return Uint8Array.from(out);
}
const binKey = (k: string): Part => [0xc4, k.length, k];
const fixstr = (s: string): Part => [0xa0 | Buffer.byteLength(s), s];
const float64 = (x: number): Part => {
  const b = Buffer.alloc(9);
  b[0] = 0xcb;
  b.writeDoubleBE(x, 1);
  return b;
};
/** A numpy map as Python writes it: bin keys in the order __ndarray__, data, dtype, shape. */
const ndMap = (dtype: Part, data: Uint8Array, shape: Part, marker = '__ndarray__'): Part => [
  0x84,
  binKey(marker),
  0xc3,
  binKey('data'),
  data.length < 256 ? [0xc4, data.length] : [0xc5, data.length >> 8, data.length & 0xff],
  data,
  binKey('dtype'),
  dtype,
  binKey('shape'),
  shape,
];
const le = (values: number[], kind: 'f4' | 'f8'): Uint8Array => {
  const size = kind === 'f4' ? 4 : 8;
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => (kind === 'f4' ? b.writeFloatLE(v, i * size) : b.writeDoubleLE(v, i * size)));
  return new Uint8Array(b);
};

function rejects(frame: Uint8Array, path: string, message: RegExp): void {
  assert.throws(
    () => decodePolicyFrame(frame),
    (e: unknown) => {
      assert.ok(e instanceof PolicyFrameError, `expected PolicyFrameError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('decodes the openpi reply shape {actions: <f8 (50,6)>, server_timing: {infer_ms: 12.5}}', () => {
  const values = Array.from({ length: 300 }, (_, i) => i / 7 - 20);
  const frame = bytes(
    0x82,
    fixstr('actions'),
    ndMap(fixstr('<f8'), le(values, 'f8'), [0x92, 50, 6]),
    fixstr('server_timing'),
    0x81,
    fixstr('infer_ms'),
    float64(12.5),
  );
  const reply = decodePolicyFrame(frame) as { actions: NdArray; server_timing: { infer_ms: number } };
  assert.ok(reply.actions instanceof NdArray);
  assert.equal(reply.actions.dtype, '<f8');
  assert.deepEqual(reply.actions.shape, [50, 6]);
  assert.deepEqual(Array.from(reply.actions.toFloat64()), values);
  assert.equal(reply.actions.get(49, 5), values[299]);
  assert.deepEqual(reply.server_timing, { infer_ms: 12.5 });
});

test('decodes dtype given as bin, awesome-lerobot __tensor__ maps, and numpy scalars', () => {
  const asBin = decodePolicyFrame(bytes(ndMap([0xc4, 3, '<f4'], le([1.5, -2], 'f4'), [0x91, 2]))) as NdArray;
  assert.deepEqual(Array.from(asBin.toFloat64()), [1.5, -2]);

  const tensor = bytes(
    0x85,
    binKey('__tensor__'),
    0xc3,
    binKey('data'),
    0xc4,
    4,
    le([3], 'f4'),
    binKey('dtype'),
    fixstr('<f4'),
    binKey('shape'),
    0x92,
    1,
    1,
    binKey('device'),
    0xc4,
    3,
    'cpu',
  );
  const t = decodePolicyFrame(bytes(0x82, fixstr('type'), fixstr('action_response'), fixstr('action'), tensor)) as {
    type: string;
    action: NdArray;
  };
  assert.equal(t.type, 'action_response');
  assert.ok(t.action instanceof NdArray);
  assert.deepEqual(t.action.shape, [1, 1]);
  assert.equal(t.action.get(0, 0), 3);

  const npInt = bytes(0x83, binKey('__npgeneric__'), 0xc3, binKey('data'), 0x07, binKey('dtype'), fixstr('<i8'));
  assert.deepEqual(decodePolicyFrame(npInt), new NpScalar('<i8', 7));
  const npFloat = bytes(
    0x83,
    binKey('__npgeneric__'),
    0xc3,
    binKey('data'),
    float64(0.25),
    binKey('dtype'),
    fixstr('<f4'),
  );
  assert.deepEqual(decodePolicyFrame(npFloat), new NpScalar('<f4', 0.25));
  const npBig = bytes(
    0x83,
    binKey('__npgeneric__'),
    0xc3,
    binKey('data'),
    0xcf,
    0x40,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    binKey('dtype'),
    fixstr('<i8'),
  );
  assert.deepEqual(decodePolicyFrame(npBig), new NpScalar('<i8', 2n ** 62n + 1n));
});

test('a map with a str key "__ndarray__" stays a plain object, as in Python', () => {
  const value = { __ndarray__: true, data: new Uint8Array([0, 0, 128, 63]), dtype: '<f4', shape: [1] };
  const decoded = decodePolicyFrame(strKeyEncode({ x: value })) as { x: Record<string, unknown> };
  assert.ok(!(decoded.x instanceof NdArray));
  assert.deepEqual(decoded.x, value);
  // Str keys that look like our internal bin-key marker are still ordinary keys.
  assert.deepEqual(decodePolicyFrame(strKeyEncode({ '\u0000b__ndarray__': 1, '\u0000s': 2 })), {
    '\u0000b__ndarray__': 1,
    '\u0000s': 2,
  });
});

test('int64 / uint64 decode to numbers when safe, to bigint beyond 2^53', () => {
  assert.equal(decodePolicyFrame(bytes(0xcf, 0, 0, 0, 0, 0, 0, 0, 5)), 5);
  assert.equal(decodePolicyFrame(bytes(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb)), -5);
  assert.equal(decodePolicyFrame(bytes(0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0)), 2n ** 53n);
  assert.equal(decodePolicyFrame(bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), 2n ** 64n - 1n);
});

test('decoded data does not alias the input buffer', () => {
  // A Buffer view inside a larger (pooled-like) ArrayBuffer at an odd offset, as ws hands them out.
  const inner = bytes(
    0x82,
    fixstr('actions'),
    ndMap(fixstr('<f4'), le([1, 2, 3], 'f4'), [0x91, 3]),
    fixstr('raw'),
    0xc4,
    2,
    9,
    8,
  );
  const pool = Buffer.alloc(inner.length + 13);
  pool.set(inner, 5);
  const input = pool.subarray(5, 5 + inner.length);
  const out = decodePolicyFrame(input) as { actions: NdArray; raw: Uint8Array };
  pool.fill(0xee);
  assert.deepEqual(Array.from(out.actions.toFloat32()), [1, 2, 3]);
  assert.deepEqual(Array.from(out.raw), [9, 8]);
  assert.notEqual(out.actions.data.buffer, pool.buffer);
  assert.equal(out.actions.data.byteOffset, 0);
  assert.equal(Object.getPrototypeOf(out.raw), Uint8Array.prototype, 'a plain Uint8Array, not a pooled Buffer');
});

test('rejects unsupported dtypes, naming the key and the supported ones', () => {
  for (const dtype of ['<U4', '<c8', '|V2', '|O', 'float32']) {
    const frame = bytes(
      0x81,
      fixstr('images'),
      0x81,
      fixstr('cam_high'),
      ndMap(fixstr(dtype), new Uint8Array(16), [0x91, 1]),
    );
    rejects(
      frame,
      'images.cam_high',
      new RegExp(`unsupported dtype '${dtype.replace('|', '\\|')}'; supported dtypes are .*<f4.*\\|b1`),
    );
  }
});

test('rejects big-endian dtypes, telling the server to send little-endian', () => {
  const frame = bytes(0x81, fixstr('actions'), ndMap(fixstr('>f4'), new Uint8Array(8), [0x91, 2]));
  rejects(frame, 'actions', /dtype '>f4' is big-endian; the server must send little-endian arrays \('<f4'\)/);
});

test('rejects data length ≠ prod(shape) × itemsize with expected vs actual bytes', () => {
  const frame = bytes(0x81, fixstr('actions'), ndMap(fixstr('<f8'), new Uint8Array(40), [0x92, 2, 3]));
  rejects(frame, 'actions', /<f8 array of shape \[2, 3\] needs 48 bytes of data, got 40/);
});

test('rejects negative, non-integer and non-array shapes, and missing fields', () => {
  rejects(
    bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, 0xff])),
    'a',
    /shape \[-1\] must hold non-negative integers/,
  );
  rejects(
    bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, float64(1.5)])),
    'a',
    /shape \[1\.5\]/,
  );
  rejects(
    bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), fixstr('1'))),
    'a',
    /shape must be an array/,
  );
  rejects(
    bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, 0xa1, '1'])),
    'a',
    /non-negative integers/,
  );
  const noShape = bytes(
    0x81,
    fixstr('a'),
    0x83,
    binKey('__ndarray__'),
    0xc3,
    binKey('data'),
    0xc4,
    0,
    binKey('dtype'),
    fixstr('<f4'),
  );
  rejects(noShape, 'a', /no bin key "shape"/);
  const dataAsStr = bytes(
    0x91,
    0x84,
    binKey('__ndarray__'),
    0xc3,
    binKey('data'),
    fixstr('ab'),
    binKey('dtype'),
    fixstr('|u1'),
    binKey('shape'),
    0x91,
    2,
  );
  rejects(dataAsStr, '[0]', /"data" must be bin, got the string "ab"/);
});

test('nesting: 32 levels decode, 33 are refused, 100 000 cannot overflow the stack', () => {
  const nested = (levels: number): Uint8Array => bytes(new Array(levels).fill(0x91), 0x01);
  let v = decodePolicyFrame(nested(32));
  for (let i = 0; i < 32; i++) v = (v as unknown[])[0] as typeof v;
  assert.equal(v, 1);
  rejects(nested(33), '[0]'.repeat(32), /nesting deeper than 32 levels/);
  rejects(nested(100_000), '[0]'.repeat(32), /nesting deeper than 32 levels/);
  const maps = bytes(new Array(100_000).fill([0x81, 0xa1, 'k']), 0xc0);
  rejects(maps, Array(32).fill('k').join('.'), /nesting deeper than 32 levels/);
});

test('rejects truncated frames and trailing garbage', () => {
  const good = bytes(0x81, fixstr('actions'), ndMap(fixstr('<f4'), le([1, 2], 'f4'), [0x91, 2]));
  assert.ok(decodePolicyFrame(good));
  for (const cut of [0, 1, 5, 20, good.length - 1]) {
    rejects(good.subarray(0, cut), '', new RegExp(`truncated frame: its ${cut} bytes end in the middle of a value`));
  }
  rejects(bytes(good, 0x00, 0xc0), '', /trailing garbage: 2 byte\(s\) follow the end of the value/);
});

test('rejects keys that are neither str nor bin, extension types, and __proto__', () => {
  rejects(bytes(0x81, 0x01, 0x02), '', /only str and bin keys are allowed/);
  rejects(bytes(0x81, fixstr('t'), 0xd6, 0xff, 0, 0, 0, 1), 't', /extension types/);
  rejects(bytes(0x81, fixstr('t'), 0xd4, 0x05, 0x00), 't', /extension types/);
  rejects(bytes(0x81, 0xc4, 9, '__proto__', 0xc0), '__proto__', /"__proto__" is not allowed/);
  rejects(bytes(0xc1), '', /not valid msgpack/);
});

test('bin keys of an ordinary map read as text keys', () => {
  assert.deepEqual(decodePolicyFrame(bytes(0x81, binKey('state'), 0x05)), { state: 5 });
});

// --- the single pass and the reference decoder ------------------------------------------------------------

/** Decodes with both paths: the single pass must take `frame` and agree with the reference decoder. */
function bothWays(frame: Uint8Array): unknown {
  const fast = decodeSinglePass(frame);
  assert.notEqual(fast, undefined, `the single pass declined ${Buffer.from(frame).toString('hex')}`);
  assert.deepStrictEqual(fast, decodeReference(frame));
  return fast;
}
const be = (n: number | bigint, size: number): number[] => {
  const b = Buffer.alloc(size);
  if (size === 8) b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)));
  else b.writeUIntBE(Number(n), 0, size);
  return [...b];
};

test('every msgpack format decodes, in the single pass as in the reference', () => {
  const cases: [Part, unknown][] = [
    [0x00, 0],
    [0x7f, 127],
    [0xe0, -32],
    [0xff, -1],
    [0xc0, null],
    [0xc2, false],
    [0xc3, true],
    [[0xcc, 0xff], 255],
    [[0xcd, 0x12, 0x34], 0x1234],
    [[0xce, ...be(0xffffffff, 4)], 0xffffffff],
    [[0xcf, ...be(2n ** 53n - 1n, 8)], 2 ** 53 - 1],
    [[0xd0, 0x80], -128],
    [[0xd1, 0x80, 0x00], -32768],
    [[0xd2, 0x80, 0, 0, 0], -(2 ** 31)],
    [[0xd3, ...be(-(2n ** 63n), 8)], -(2n ** 63n)],
    [[0xca, 0x3f, 0xc0, 0, 0], 1.5],
    [float64(-0.1), -0.1],
    [float64(-0), -0],
    [fixstr(''), ''],
    [fixstr('π₀ chunk'), 'π₀ chunk'],
    [[0xd9, 3, 'abc'], 'abc'],
    [[0xda, 0, 2, 'hi'], 'hi'],
    [[0xdb, 0, 0, 0, 40, 'x'.repeat(40)], 'x'.repeat(40)],
    [[0xd9, 50, 'é'.repeat(25)], 'é'.repeat(25)],
    [[0xc4, 2, 1, 2], new Uint8Array([1, 2])],
    [[0xc5, 0, 1, 7], new Uint8Array([7])],
    [[0xc6, 0, 0, 0, 0], new Uint8Array(0)],
    [
      [0x92, 1, 0x90],
      [1, []],
    ],
    [
      [0xdc, 0, 2, 1, 2],
      [1, 2],
    ],
    [[0xdd, 0, 0, 0, 1, 0xc0], [null]],
    [[0x80], {}],
    [[0xde, 0, 1, fixstr('a'), 1], { a: 1 }],
    [[0xdf, 0, 0, 0, 1, fixstr('b'), 0x90], { b: [] }],
    [[0x81, binKey('state'), 5], { state: 5 }],
  ];
  for (const [part, expected] of cases) assert.deepStrictEqual(bothWays(bytes(part)), expected, JSON.stringify(part));
});

test('extension types are refused, timestamps of the wrong size as bad msgpack', () => {
  for (const ext of [
    [0xd4, 1, 0],
    [0xd5, 1, 0, 0],
    [0xd6, 0xff, 0, 0, 0, 1],
    [0xd7, 0xff, ...new Array(8).fill(0)],
    [0xd8, 3, ...new Array(16).fill(0)],
    [0xc7, 3, 7, 1, 2, 3],
    [0xc8, 0, 1, 7, 1],
    [0xc9, 0, 0, 0, 0, 7],
  ]) {
    rejects(
      bytes(0x81, fixstr('t'), ext),
      't',
      /msgpack extension types \(ext \/ timestamp\) are not part of the openpi protocol/,
    );
  }
  rejects(
    bytes(0x81, fixstr('t'), 0xc7, 3, 0xff, 1, 2, 3),
    '',
    /not valid msgpack \(Unrecognized data size for timestamp \(expected 4, 8, or 12\): 3\)/,
  );
  rejects(bytes(0x92, 0x01, 0xc1), '', /^policy frame: not valid msgpack \(Unrecognized type byte: 0xc1\)$/);
  rejects(bytes(0x81, fixstr('__proto__'), 0xc0), '', /not valid msgpack \(The key __proto__ is not allowed\)/);
});

test('a frame that is not msgpack says so before any problem with its content', () => {
  const badArray = ndMap(fixstr('<U4'), new Uint8Array(16), [0x91, 1]);
  const frame = bytes(0x82, fixstr('a'), badArray, fixstr('b'), 0x05);
  rejects(frame, 'a', /unsupported dtype '<U4'/);
  rejects(frame.subarray(0, frame.length - 1), '', /truncated frame/);
  rejects(bytes(frame, 0xc0), '', /trailing garbage: 1 byte\(s\)/);
  rejects(bytes(0x82, fixstr('a'), badArray, 0x01, 0x05), '', /a map key is a number/);
  rejects(bytes(0x82, fixstr('a'), badArray, fixstr('b'), 0xc1), '', /not valid msgpack/);
});

test('content is checked as the reference decoder reads it: a repeated key keeps its last value, numpy maps read only their fields', () => {
  const badArray = ndMap(fixstr('<U4'), new Uint8Array(16), [0x91, 1]);
  assert.deepEqual(decodePolicyFrame(bytes(0x82, fixstr('a'), badArray, fixstr('a'), 0x01)), { a: 1 });
  // A tensor's extra fields are parsed but not read: an extension type there is no error.
  const tensor = bytes(
    0x85,
    binKey('__tensor__'),
    0xc3,
    binKey('data'),
    0xc4,
    4,
    le([3], 'f4'),
    binKey('dtype'),
    fixstr('<f4'),
    binKey('shape'),
    0x91,
    1,
    binKey('device'),
    0xd4,
    1,
    0,
  );
  assert.deepEqual(Array.from((decodePolicyFrame(tensor) as NdArray).toFloat32()), [3]);
  // The marker need not come first, and a bin key with a BOM reads as the key without it (as bin keys always have).
  const markerLast = bytes(
    0x84,
    binKey('dtype'),
    fixstr('|u1'),
    binKey('shape'),
    0x91,
    2,
    binKey('data'),
    0xc4,
    2,
    7,
    8,
    binKey('__ndarray__'),
    0xc3,
  );
  assert.deepEqual(Array.from((decodePolicyFrame(markerLast) as NdArray).data), [7, 8]);
  const bomData = bytes(
    0x84,
    binKey('__ndarray__'),
    0xc3,
    [0xc4, 7, 0xef, 0xbb, 0xbf, 'data'],
    0xc4,
    1,
    9,
    binKey('dtype'),
    fixstr('|u1'),
    binKey('shape'),
    0x91,
    1,
  );
  assert.deepEqual(Array.from((decodePolicyFrame(bomData) as NdArray).data), [9]);
});

test('the frames policy servers send take the single pass', () => {
  const f8 = Array.from({ length: 300 }, (_, i) => i / 7);
  const frames = [
    bytes(0x80), // openpi metadata of most configs
    bytes(0x81, fixstr('reset_pose'), 0x96, 0, float64(-1.5), float64(1.5), 0, 0, 0),
    bytes(
      0x83,
      fixstr('actions'),
      ndMap(fixstr('<f8'), le(f8, 'f8'), [0x92, 50, 6]),
      fixstr('policy_timing'),
      0x81,
      fixstr('infer_ms'),
      float64(12.5),
      fixstr('server_timing'),
      0x82,
      fixstr('infer_ms'),
      float64(14.25),
      fixstr('prev_total_ms'),
      float64(30.5),
    ),
    bytes(
      0x82,
      fixstr('type'),
      fixstr('action_response'),
      fixstr('action'),
      0x85,
      binKey('__tensor__'),
      0xc3,
      binKey('data'),
      0xc4,
      24,
      le([1, 2, 3, 4, 5, 6], 'f4'),
      binKey('dtype'),
      fixstr('<f4'),
      binKey('shape'),
      0x92,
      1,
      6,
      binKey('device'),
      0xc4,
      3,
      'cpu',
    ),
    bytes(0x83, binKey('__npgeneric__'), 0xc3, binKey('data'), 0x07, binKey('dtype'), fixstr('<i8')),
    encodePolicyFrame({
      'observation/state': NdArray.fromTyped(new Float32Array(8), [8]),
      images: { cam_high: NdArray.zeros('|u1', [3, 4, 4]), cam_low: NdArray.zeros('|u1', [3, 4, 4]) },
      prompt: 'fold the towel',
      task: ['pick'],
    }),
  ];
  for (const frame of frames) bothWays(frame);
});

test('keys and shapes decoded from caches are the right ones', () => {
  // Many distinct keys (more than the key cache holds), some long or not ASCII, decoded twice over.
  const keys = Array.from({ length: 600 }, (_, i) =>
    i % 3 === 0 ? `k${i}` : i % 3 === 1 ? `clé-${i}-π` : `a_long_key_number_${i}_${'x'.repeat(i % 20)}`,
  );
  const value = Object.fromEntries(keys.map((k, i) => [k, i]));
  const frame = strKeyEncode(value);
  for (let round = 0; round < 2; round++) assert.deepStrictEqual(bothWays(frame), value);
  // Equal shapes share one frozen array; different ones do not mix.
  const a = decodePolicyFrame(
    bytes(
      0x92,
      ndMap(fixstr('|u1'), new Uint8Array(6), [0x92, 2, 3]),
      ndMap(fixstr('|u1'), new Uint8Array(6), [0x92, 3, 2]),
    ),
  ) as NdArray[];
  const b = decodePolicyFrame(bytes(ndMap(fixstr('|u1'), new Uint8Array(6), [0x92, 2, 3]))) as NdArray;
  assert.deepEqual(
    [a[0].shape, a[1].shape, b.shape],
    [
      [2, 3],
      [3, 2],
      [2, 3],
    ],
  );
  assert.equal(a[0].shape, b.shape);
  assert.ok(Object.isFrozen(b.shape));
});

test('str payloads are UTF-8: a BOM stays, malformed bytes become U+FFFD (bin keys read as text drop a BOM, as before)', () => {
  const bom = [0xef, 0xbb, 0xbf];
  assert.equal(bothWays(bytes(0xa4, bom, 'a')), '\uFEFFa');
  assert.equal(bothWays(bytes(0xd9, 203, bom, 'a'.repeat(200))), '\uFEFF' + 'a'.repeat(200));
  assert.equal(bothWays(bytes(0xa3, 0x61, 0xff, 0x62)), 'a\uFFFDb');
  assert.deepEqual(bothWays(bytes(0x81, [0xc4, 4, bom, 'k'], 1)), { k: 1 });
});

test('plain msgpack decodes as @msgpack/msgpack decodes it (an independent decoder)', () => {
  const plain = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
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
  const safe = (v: unknown): unknown => {
    if (typeof v === 'bigint')
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (v instanceof Uint8Array) return Uint8Array.from(v);
    if (Array.isArray(v)) return v.map(safe);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, safe(x)]));
    return v;
  };
  fc.assert(
    fc.property(plain, (v) => {
      const frame = strKeyEncode(v, { useBigInt64: true });
      assert.deepStrictEqual(bothWays(frame), safe(referenceDecode(frame, { useBigInt64: true })));
    }),
    { numRuns: 300 },
  );
});
