// Reads openpi / awesome-lerobot frames: @msgpack/msgpack parses (iteratively, so deep nesting cannot
// overflow the stack), then one bounded walk turns bin-keyed numpy maps into NdArray / NpScalar.
import { Decoder } from '@msgpack/msgpack';
import { NdArray, NpScalar, NdArrayError, shapeProblem } from './ndarray';
import { type DType, itemSize, isFloatDType, parseWireDType } from './dtype';
import { PolicyFrameError, formatPath, MAX_FRAME_DEPTH } from './policyFrameError';
import type { WireValue } from './wireValue';

// Map keys come out of the decoder as object property names, so bin keys and str keys must stay apart:
// bin keys get the prefix "\0b", str keys that start with "\0" get "\0s" (Python keeps bytes ≠ str too).
const BIN = '\u0000b';
const STR = '\u0000s';
const K_NDARRAY = BIN + '__ndarray__';
const K_NPGENERIC = BIN + '__npgeneric__';
const K_TENSOR = BIN + '__tensor__';
const K_DATA = BIN + 'data';
const K_DTYPE = BIN + 'dtype';
const K_SHAPE = BIN + 'shape';

const utf8 = new TextDecoder('utf-8', { fatal: false });

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class KeyTypeError extends Error {}

function convertKey(key: unknown): string {
  if (typeof key === 'string') return key.startsWith('\u0000') ? STR + key : key;
  if (key instanceof Uint8Array) return BIN + bytesToString(key);
  // msgpack-python's default strict_map_key accepts only str and bytes keys.
  throw new KeyTypeError(`a map key is a ${key === null ? 'nil' : typeof key}; only str and bin keys are allowed`);
}

function bytesToString(b: Uint8Array): string {
  if (b.length <= 32) {
    let s = '';
    for (let i = 0; i < b.length; i++) {
      if (b[i] >= 0x80) return utf8.decode(b);
      s += String.fromCharCode(b[i]);
    }
    return s;
  }
  return utf8.decode(b);
}

const decoder = new Decoder({ useBigInt64: true, mapKeyConverter: convertKey });

/** Decodes one frame: maps → plain objects, bin-keyed `__ndarray__` / `__tensor__` maps → NdArray, `__npgeneric__` → NpScalar. */
export function decodePolicyFrame(bytes: Uint8Array): WireValue {
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (e) {
    throw new PolicyFrameError('', parseProblem(e, bytes.length));
  }
  return new Walk().value(raw, 0);
}

function parseProblem(e: unknown, length: number): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof KeyTypeError) return message;
  const extra = /^Extra (\d+) of (\d+) byte/.exec(message);
  if (extra) return `trailing garbage: ${extra[1]} byte(s) follow the end of the value in a ${extra[2]}-byte frame`;
  if (e instanceof RangeError) {
    // The decoder signals "ran out of bytes" with RangeErrors (its own or DataView's).
    return `truncated frame: its ${length} bytes end in the middle of a value (was the message cut short?)`;
  }
  return `not valid msgpack (${message})`;
}

class Walk {
  private readonly path: (string | number)[] = [];

  private fail(problem: string): never {
    throw new PolicyFrameError(formatPath(this.path), problem);
  }

  value(v: unknown, depth: number): WireValue {
    switch (typeof v) {
      case 'string': case 'number': case 'boolean': return v;
      case 'bigint': return safeNumber(v);
      case 'object': break;
      default: return this.fail(`unexpected ${typeof v} value`);
    }
    if (v === null) return null;
    if (v instanceof Uint8Array) return copyBytes(v); // the decoder hands out views of the input frame
    // Containers: refuse hostile nesting before recursing, so recursion depth stays bounded.
    if (depth >= MAX_FRAME_DEPTH) this.fail(`nesting deeper than ${MAX_FRAME_DEPTH} levels`);
    if (Array.isArray(v)) {
      const out: WireValue[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        out[i] = this.value(v[i], depth + 1);
        this.path.pop();
      }
      return out;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) {
      return this.fail('msgpack extension types (ext / timestamp) are not part of the openpi protocol');
    }
    const map = v as Record<string, unknown>;
    if (K_NDARRAY in map || K_TENSOR in map) return this.ndarray(map);
    if (K_NPGENERIC in map) return this.npScalar(map);
    const out: { [key: string]: WireValue } = {};
    for (const rawKey of Object.keys(map)) {
      const key = plainKey(rawKey);
      this.path.push(key);
      if (key === '__proto__') this.fail('the key "__proto__" is not allowed');
      out[key] = this.value(map[rawKey], depth + 1);
      this.path.pop();
    }
    return out;
  }

  private ndarray(map: Record<string, unknown>): NdArray {
    const dtype = this.dtype(map);
    let shape = this.field(map, 'shape', K_SHAPE);
    if (Array.isArray(shape)) shape = shape.map((n: unknown) => (typeof n === 'bigint' ? safeNumber(n) : n));
    const problem = shapeProblem(shape);
    if (problem) this.fail(`bad ndarray: ${problem}`);
    const dims = shape as number[];
    const data = this.field(map, 'data', K_DATA);
    if (!(data instanceof Uint8Array)) this.fail(`bad ndarray: "data" must be bin, got ${describe(data)}`);
    let expected = itemSize(dtype);
    for (const n of dims) expected *= n;
    if (data.length !== expected) {
      this.fail(`bad ndarray: a ${dtype} array of shape [${dims.join(', ')}] needs ${expected} bytes of data, got ${data.length}`);
    }
    return new NdArray(dtype, dims, copyBytes(data));
  }

  private npScalar(map: Record<string, unknown>): NpScalar {
    const dtype = this.dtype(map);
    let data = this.field(map, 'data', K_DATA);
    if (typeof data === 'bigint') data = isFloatDType(dtype) ? Number(data) : safeNumber(data);
    if (typeof data !== 'number' && typeof data !== 'bigint' && typeof data !== 'boolean') {
      this.fail(`bad numpy scalar: "data" must be a number or bool, got ${describe(data)}`);
    }
    try {
      return new NpScalar(dtype, data);
    } catch (e) {
      if (e instanceof NdArrayError) this.fail(`bad numpy scalar: ${e.message}`);
      throw e;
    }
  }

  private dtype(map: Record<string, unknown>): DType {
    const raw = this.field(map, 'dtype', K_DTYPE);
    const s = raw instanceof Uint8Array ? bytesToString(raw) : raw; // Python accepts the dtype as str or bytes
    if (typeof s !== 'string') this.fail(`bad ndarray: "dtype" must be a string like '<f4', got ${describe(raw)}`);
    const parsed = parseWireDType(s);
    if ('problem' in parsed) this.fail(parsed.problem);
    return parsed.dtype;
  }

  private field(map: Record<string, unknown>, name: string, key: string): unknown {
    if (!(key in map)) this.fail(`bad ndarray: the map has no bin key "${name}" (numpy maps need bin keys data, dtype, shape)`);
    return map[key];
  }
}

function plainKey(rawKey: string): string {
  if (!rawKey.startsWith('\u0000')) return rawKey;
  return rawKey.slice(2); // either BIN or STR prefix: a plain map's bin keys read as text, like str keys
}

/** int64 / uint64 values decode as bigint; they stay bigint only where a number would lose precision. */
function safeNumber(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

function copyBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'nil';
  if (v instanceof Uint8Array) return `bin of ${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${v.slice(0, 40)}"`;
  return typeof v === 'object' ? 'a map' : `${typeof v} ${String(v)}`;
}
