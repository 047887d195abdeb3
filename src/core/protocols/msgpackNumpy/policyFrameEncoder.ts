// Writes openpi frames byte-exactly as Python's msgpack + openpi's msgpack_numpy would, straight into one
// reused growable buffer: headers by hand, array payloads with one `set` (DESIGN.md §6).
import { NdArray, NpScalar, Float64Value } from '../../ndarray/ndarray';
import { isFloatDType } from '../../ndarray/dtype';
import { PolicyFrameError, formatPath, MAX_FRAME_DEPTH } from './policyFrameError';
import type { WireValue } from './wireValue';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const binKey = (s: string): number[] => [0xc4, s.length, ...ascii(s)];

// Python packs numpy values as dicts with bytes keys, in this order (msgpack_numpy.pack_array).
const NDARRAY_HEAD = Uint8Array.from([0x84, ...binKey('__ndarray__'), 0xc3, ...binKey('data')]);
const NPGENERIC_HEAD = Uint8Array.from([0x83, ...binKey('__npgeneric__'), 0xc3, ...binKey('data')]);
const DTYPE_KEY = Uint8Array.from(binKey('dtype'));
const SHAPE_KEY = Uint8Array.from(binKey('shape'));

const TWO_32 = 2 ** 32;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

const utf8 = new TextEncoder();

/** Encodes frames for one connection into one buffer that it reuses and grows. */
export class PolicyFrameEncoder {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly path: (string | number)[] = [];

  constructor(initialCapacity = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Encodes `value`; the result is a view valid until the next encode() call. */
  encode(value: WireValue): Uint8Array {
    this.pos = 0;
    this.path.length = 0;
    this.write(value, 0);
    return this.buf.subarray(0, this.pos);
  }

  private fail(problem: string): never {
    throw new PolicyFrameError(formatPath(this.path), problem);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.writeStr(value);
      case 'number':
        return this.writeNumber(value);
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = value ? 0xc3 : 0xc2;
        return;
      case 'bigint':
        return this.writeBigInt(value);
      case 'object':
        break;
      default:
        return this.fail(`cannot send a ${typeof value}; omit the key or send null`);
    }
    if (value === null) {
      this.ensure(1);
      this.buf[this.pos++] = 0xc0;
      return;
    }
    if (value instanceof Uint8Array) return this.writeBin(value);
    if (value instanceof Float64Value) return this.writeFloat64(value.value);
    if (depth >= MAX_FRAME_DEPTH) this.fail(`nesting deeper than ${MAX_FRAME_DEPTH} levels (is the value cyclic?)`);
    if (value instanceof NdArray) return this.writeNdArray(value);
    if (value instanceof NpScalar) return this.writeNpScalar(value);
    if (Array.isArray(value)) return this.writeArray(value, depth);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return this.writeMap(value as Record<string, unknown>, depth);
    if (ArrayBuffer.isView(value))
      this.fail(`cannot send a ${value.constructor.name} directly; wrap it with NdArray.fromTyped(values, shape)`);
    return this.fail(
      `cannot send a ${(value as object).constructor?.name ?? 'object'}; use plain objects, arrays, NdArray or Uint8Array`,
    );
  }

  private writeArray(items: readonly unknown[], depth: number): void {
    this.writeContainerHeader(items.length, 0x90, 0xdc);
    for (let i = 0; i < items.length; i++) {
      this.path.push(i);
      this.write(items[i], depth + 1);
      this.path.pop();
    }
  }

  private writeMap(map: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(map);
    this.writeContainerHeader(keys.length, 0x80, 0xde);
    for (const key of keys) {
      this.path.push(key);
      this.writeStr(key);
      this.write(map[key], depth + 1);
      this.path.pop();
    }
  }

  private writeContainerHeader(n: number, fix: number, x16: number): void {
    this.ensure(5);
    if (n < 16) {
      this.buf[this.pos++] = fix | n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = x16;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = x16 + 1;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  private writeNumber(n: number): void {
    // Python floats are always float64; -0 must stay a float to keep its sign.
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) this.writeInt(n);
    else this.writeFloat64(n);
  }

  private writeFloat64(n: number): void {
    this.ensure(9);
    this.buf[this.pos] = 0xcb;
    this.view.setFloat64(this.pos + 1, n);
    this.pos += 9;
  }

  /** The smallest msgpack int form, as msgpack-python chooses it (unsigned forms for non-negative values). */
  private writeInt(n: number): void {
    this.ensure(9);
    const b = this.buf;
    const v = this.view;
    let p = this.pos;
    if (n >= 0) {
      if (n < 0x80) b[p++] = n;
      else if (n < 0x100) {
        b[p++] = 0xcc;
        b[p++] = n;
      } else if (n < 0x10000) {
        b[p++] = 0xcd;
        v.setUint16(p, n);
        p += 2;
      } else if (n < TWO_32) {
        b[p++] = 0xce;
        v.setUint32(p, n);
        p += 4;
      } else {
        b[p++] = 0xcf;
        v.setUint32(p, Math.floor(n / TWO_32));
        v.setUint32(p + 4, n >>> 0);
        p += 8;
      }
    } else {
      if (n >= -32) b[p++] = n & 0xff;
      else if (n >= -0x80) {
        b[p++] = 0xd0;
        v.setInt8(p, n);
        p += 1;
      } else if (n >= -0x8000) {
        b[p++] = 0xd1;
        v.setInt16(p, n);
        p += 2;
      } else if (n >= -0x80000000) {
        b[p++] = 0xd2;
        v.setInt32(p, n);
        p += 4;
      } else {
        b[p++] = 0xd3;
        v.setBigInt64(p, BigInt(n));
        p += 8;
      }
    }
    this.pos = p;
  }

  private writeBigInt(n: bigint): void {
    if (n < I64_MIN || n > U64_MAX) this.fail(`integer ${n} does not fit msgpack's 64 bits`);
    this.ensure(9);
    if (n < 0n) {
      this.buf[this.pos] = 0xd3;
      this.view.setBigInt64(this.pos + 1, n);
    } else {
      this.buf[this.pos] = 0xcf;
      this.view.setBigUint64(this.pos + 1, n);
    }
    this.pos += 9;
  }

  private writeStr(s: string): void {
    const n = s.length;
    this.ensure(5 + n * 3); // a UTF-16 unit never takes more than 3 UTF-8 bytes
    const guess = strHeaderSize(n); // right when the string is ASCII
    const start = this.pos + guess;
    let written = 0;
    if (n <= 64) {
      const b = this.buf;
      for (; written < n; written++) {
        const c = s.charCodeAt(written);
        if (c >= 0x80) break;
        b[start + written] = c;
      }
    }
    if (written < n) written = utf8.encodeInto(s, this.buf.subarray(start)).written;
    const header = strHeaderSize(written);
    if (header !== guess) this.buf.copyWithin(this.pos + header, start, start + written);
    this.writeLengthHeader(written, 0xa0, 32, 0xd9);
    this.pos += written;
  }

  private writeBin(bytes: Uint8Array): void {
    this.ensure(5 + bytes.length);
    this.writeLengthHeader(bytes.length, -1, 0, 0xc4);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** str (fixstr/str8/16/32) or bin (bin8/16/32) length header; capacity is already ensured. */
  private writeLengthHeader(n: number, fix: number, fixLimit: number, x8: number): void {
    const b = this.buf;
    if (n < fixLimit) {
      b[this.pos++] = fix | n;
    } else if (n < 0x100) {
      b[this.pos++] = x8;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = x8 + 1;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      b[this.pos++] = x8 + 2;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  private writeNdArray(a: NdArray): void {
    const shape = a.shape;
    this.ensure(NDARRAY_HEAD.length + 5 + a.data.length + 24 + 5 + shape.length * 9);
    this.buf.set(NDARRAY_HEAD, this.pos);
    this.pos += NDARRAY_HEAD.length;
    this.writeBin(a.data);
    this.buf.set(DTYPE_KEY, this.pos);
    this.pos += DTYPE_KEY.length;
    this.writeStr(a.dtype);
    this.buf.set(SHAPE_KEY, this.pos);
    this.pos += SHAPE_KEY.length;
    this.writeContainerHeader(shape.length, 0x90, 0xdc);
    for (const n of shape) this.writeInt(n);
  }

  private writeNpScalar(s: NpScalar): void {
    this.ensure(NPGENERIC_HEAD.length);
    this.buf.set(NPGENERIC_HEAD, this.pos);
    this.pos += NPGENERIC_HEAD.length;
    const v = s.value;
    // numpy's .item() gives a Python bool / float / int, packed as such.
    if (typeof v === 'boolean') this.write(v, 0);
    else if (isFloatDType(s.dtype)) this.writeFloat64(Number(v));
    else if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)))
      this.writeBigInt(v);
    else this.writeInt(Number(v));
    this.ensure(DTYPE_KEY.length);
    this.buf.set(DTYPE_KEY, this.pos);
    this.pos += DTYPE_KEY.length;
    this.writeStr(s.dtype);
  }
}

function strHeaderSize(byteLength: number): number {
  if (byteLength < 32) return 1;
  if (byteLength < 0x100) return 2;
  if (byteLength < 0x10000) return 3;
  return 5;
}
