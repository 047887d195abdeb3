// Decoding frames built by hand here (never by our encoder), and every rejection with its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode as strKeyEncode } from '@msgpack/msgpack';
import { NdArray, NpScalar, PolicyFrameError, decodePolicyFrame } from '../../src/core/ndarray';

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
const float64 = (x: number): Part => { const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(x, 1); return b; };
/** A numpy map as Python writes it: bin keys in the order __ndarray__, data, dtype, shape. */
const ndMap = (dtype: Part, data: Uint8Array, shape: Part, marker = '__ndarray__'): Part =>
  [0x84, binKey(marker), 0xc3, binKey('data'), data.length < 256 ? [0xc4, data.length] : [0xc5, data.length >> 8, data.length & 0xff],
    data, binKey('dtype'), dtype, binKey('shape'), shape];
const le = (values: number[], kind: 'f4' | 'f8'): Uint8Array => {
  const size = kind === 'f4' ? 4 : 8;
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => (kind === 'f4' ? b.writeFloatLE(v, i * size) : b.writeDoubleLE(v, i * size)));
  return new Uint8Array(b);
};

function rejects(frame: Uint8Array, path: string, message: RegExp): void {
  assert.throws(() => decodePolicyFrame(frame), (e: unknown) => {
    assert.ok(e instanceof PolicyFrameError, `expected PolicyFrameError, got ${String(e)}`);
    assert.equal(e.path, path);
    assert.match(e.message, message);
    return true;
  });
}

test('decodes the openpi reply shape {actions: <f8 (50,6)>, server_timing: {infer_ms: 12.5}}', () => {
  const values = Array.from({ length: 300 }, (_, i) => i / 7 - 20);
  const frame = bytes(0x82, fixstr('actions'), ndMap(fixstr('<f8'), le(values, 'f8'), [0x92, 50, 6]),
    fixstr('server_timing'), 0x81, fixstr('infer_ms'), float64(12.5));
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

  const tensor = bytes(0x85, binKey('__tensor__'), 0xc3, binKey('data'), 0xc4, 4, le([3], 'f4'), binKey('dtype'),
    fixstr('<f4'), binKey('shape'), 0x92, 1, 1, binKey('device'), 0xc4, 3, 'cpu');
  const t = decodePolicyFrame(bytes(0x82, fixstr('type'), fixstr('action_response'), fixstr('action'), tensor)) as
    { type: string; action: NdArray };
  assert.equal(t.type, 'action_response');
  assert.ok(t.action instanceof NdArray);
  assert.deepEqual(t.action.shape, [1, 1]);
  assert.equal(t.action.get(0, 0), 3);

  const npInt = bytes(0x83, binKey('__npgeneric__'), 0xc3, binKey('data'), 0x07, binKey('dtype'), fixstr('<i8'));
  assert.deepEqual(decodePolicyFrame(npInt), new NpScalar('<i8', 7));
  const npFloat = bytes(0x83, binKey('__npgeneric__'), 0xc3, binKey('data'), float64(0.25), binKey('dtype'), fixstr('<f4'));
  assert.deepEqual(decodePolicyFrame(npFloat), new NpScalar('<f4', 0.25));
  const npBig = bytes(0x83, binKey('__npgeneric__'), 0xc3, binKey('data'), 0xcf, 0x40, 0, 0, 0, 0, 0, 0, 1,
    binKey('dtype'), fixstr('<i8'));
  assert.deepEqual(decodePolicyFrame(npBig), new NpScalar('<i8', 2n ** 62n + 1n));
});

test('a map with a str key "__ndarray__" stays a plain object, as in Python', () => {
  const value = { __ndarray__: true, data: new Uint8Array([0, 0, 128, 63]), dtype: '<f4', shape: [1] };
  const decoded = decodePolicyFrame(strKeyEncode({ x: value })) as { x: Record<string, unknown> };
  assert.ok(!(decoded.x instanceof NdArray));
  assert.deepEqual(decoded.x, value);
  // Str keys that look like our internal bin-key marker are still ordinary keys.
  assert.deepEqual(decodePolicyFrame(strKeyEncode({ '\u0000b__ndarray__': 1, '\u0000s': 2 })), { '\u0000b__ndarray__': 1, '\u0000s': 2 });
});

test('int64 / uint64 decode to numbers when safe, to bigint beyond 2^53', () => {
  assert.equal(decodePolicyFrame(bytes(0xcf, 0, 0, 0, 0, 0, 0, 0, 5)), 5);
  assert.equal(decodePolicyFrame(bytes(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb)), -5);
  assert.equal(decodePolicyFrame(bytes(0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0)), 2n ** 53n);
  assert.equal(decodePolicyFrame(bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), 2n ** 64n - 1n);
});

test('decoded data does not alias the input buffer', () => {
  // A Buffer view inside a larger (pooled-like) ArrayBuffer at an odd offset, as ws hands them out.
  const inner = bytes(0x82, fixstr('actions'), ndMap(fixstr('<f4'), le([1, 2, 3], 'f4'), [0x91, 3]),
    fixstr('raw'), 0xc4, 2, 9, 8);
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
    const frame = bytes(0x81, fixstr('images'), 0x81, fixstr('cam_high'), ndMap(fixstr(dtype), new Uint8Array(16), [0x91, 1]));
    rejects(frame, 'images.cam_high', new RegExp(`unsupported dtype '${dtype.replace('|', '\\|')}'; supported dtypes are .*<f4.*\\|b1`));
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
  rejects(bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, 0xff])), 'a', /shape \[-1\] must hold non-negative integers/);
  rejects(bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, float64(1.5)])), 'a', /shape \[1\.5\]/);
  rejects(bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), fixstr('1'))), 'a', /shape must be an array/);
  rejects(bytes(0x81, fixstr('a'), ndMap(fixstr('|u1'), new Uint8Array(1), [0x91, 0xa1, '1'])), 'a', /non-negative integers/);
  const noShape = bytes(0x81, fixstr('a'), 0x83, binKey('__ndarray__'), 0xc3, binKey('data'), 0xc4, 0, binKey('dtype'), fixstr('<f4'));
  rejects(noShape, 'a', /no bin key "shape"/);
  const dataAsStr = bytes(0x91, 0x84, binKey('__ndarray__'), 0xc3, binKey('data'), fixstr('ab'), binKey('dtype'), fixstr('|u1'),
    binKey('shape'), 0x91, 2);
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
