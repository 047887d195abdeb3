// The reference decoder: defines what a frame means and which error a bad one gets. It reads the whole frame into
// plain JS values first (iteratively, so deep nesting cannot overflow the stack), then one bounded walk turns
// bin-keyed numpy maps into NdArray / NpScalar. decodePolicyFrame's single pass handles well-formed frames itself
// and comes here for anything else, so errors keep their precedence: a frame that is not msgpack (cut short,
// trailing bytes, bad keys) says so before any problem with its content, and content is checked in key order.
import { NdArray, NpScalar, NdArrayError, shapeProblem } from '../../ndarray/ndarray';
import { type DType, itemSize, isFloatDType, parseWireDType } from '../../ndarray/dtype';
import { PolicyFrameError, formatPath, MAX_FRAME_DEPTH } from './policyFrameError';
import type { WireValue } from './wireValue';
import { MsgpackFormatError, MsgpackKind, MsgpackReader, MsgpackTruncatedError, binText } from './msgpackReader';

const { NIL, BOOL, INT, INT64, FLOAT, STR, BIN, ARRAY, MAP, EXT } = MsgpackKind;

// Map keys become object property names, so bin keys and str keys must stay apart:
// bin keys get the prefix "\0b", str keys that start with "\0" get "\0s" (Python keeps bytes ≠ str too).
const BIN_PREFIX = '\u0000b';
const STR_PREFIX = '\u0000s';
const K_NDARRAY = BIN_PREFIX + '__ndarray__';
const K_NPGENERIC = BIN_PREFIX + '__npgeneric__';
const K_TENSOR = BIN_PREFIX + '__tensor__';
const K_DATA = BIN_PREFIX + 'data';
const K_DTYPE = BIN_PREFIX + 'dtype';
const K_SHAPE = BIN_PREFIX + 'shape';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class KeyTypeError extends Error {}

/** An extension value (never part of the protocol; the walk refuses it where it looks). */
class ExtValue {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

/** Decodes one frame with the reference semantics (slow; see decodePolicyFrame for the fast path). */
export function decodeReference(bytes: Uint8Array): WireValue {
  let raw: unknown;
  const reader = new MsgpackReader(bytes);
  try {
    raw = readRaw(reader);
  } catch (e) {
    throw new PolicyFrameError('', parseProblem(e, bytes.length));
  }
  if (reader.pos < reader.end) {
    const extra = reader.end - reader.pos;
    throw new PolicyFrameError(
      '',
      `trailing garbage: ${extra} byte(s) follow the end of the value in a ${reader.end}-byte frame`,
    );
  }
  return new Walk().value(raw, 0);
}

function parseProblem(e: unknown, length: number): string {
  if (e instanceof KeyTypeError) return e.message;
  if (e instanceof MsgpackTruncatedError) {
    return `truncated frame: its ${length} bytes end in the middle of a value (was the message cut short?)`;
  }
  if (e instanceof MsgpackFormatError) return `not valid msgpack (${e.message})`;
  throw e;
}

type Open =
  | { readonly items: unknown[]; left: number }
  | { readonly map: Record<string, unknown>; left: number; key: string | null }; // key: the pending key, if read

/** One msgpack value as plain JS: maps → objects with prefixed bin keys, bin → views of the frame, int64 → bigint. */
function readRaw(r: MsgpackReader): unknown {
  const stack: Open[] = [];
  for (;;) {
    let value: unknown;
    switch (r.next()) {
      case NIL:
        value = null;
        break;
      case BOOL:
        value = r.bool;
        break;
      case INT:
      case FLOAT:
        value = r.num;
        break;
      case INT64:
        value = r.big;
        break;
      case STR:
        value = r.str();
        break;
      case BIN:
        value = r.bytes.subarray(r.start, r.start + r.length);
        break;
      case EXT:
        value = extValue(r);
        break;
      case ARRAY:
        if (r.length > 0) {
          stack.push({ items: [], left: r.length });
          continue;
        }
        value = [];
        break;
      case MAP:
        if (r.length > 0) {
          stack.push({ map: {}, left: r.length, key: null });
          continue;
        }
        value = {};
        break;
    }
    // Hand the finished value to its container; containers that fill up are finished values in turn.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return value;
      if ('items' in top) {
        top.items.push(value);
        if (--top.left > 0) break;
        value = top.items;
      } else if (top.key === null) {
        top.key = mapKey(value);
        break;
      } else {
        top.map[top.key] = value;
        top.key = null;
        if (--top.left > 0) break;
        value = top.map;
      }
      stack.pop();
    }
  }
}

function mapKey(key: unknown): string {
  if (typeof key === 'string') {
    if (key === '__proto__') throw new MsgpackFormatError('The key __proto__ is not allowed');
    return key.startsWith('\u0000') ? STR_PREFIX + key : key;
  }
  if (key instanceof Uint8Array) return BIN_PREFIX + binText(key, 0, key.length);
  // msgpack-python's default strict_map_key accepts only str and bytes keys.
  throw new KeyTypeError(`a map key is a ${key === null ? 'nil' : typeof key}; only str and bin keys are allowed`);
}

function extValue(r: MsgpackReader): ExtValue {
  // The one predefined extension, timestamp (type -1), has 4-, 8- or 12-byte bodies.
  if (r.extType === -1 && r.length !== 4 && r.length !== 8 && r.length !== 12) {
    throw new MsgpackFormatError(`Unrecognized data size for timestamp (expected 4, 8, or 12): ${r.length}`);
  }
  return new ExtValue(r.extType, r.bytes.subarray(r.start, r.start + r.length));
}

class Walk {
  private readonly path: (string | number)[] = [];

  private fail(problem: string): never {
    throw new PolicyFrameError(formatPath(this.path), problem);
  }

  value(v: unknown, depth: number): WireValue {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        return v;
      case 'bigint':
        return safeNumber(v);
      case 'object':
        break;
      default:
        return this.fail(`unexpected ${typeof v} value`);
    }
    if (v === null) return null;
    if (v instanceof Uint8Array) return v.slice(); // a view of the input frame: copy
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
      this.fail(
        `bad ndarray: a ${dtype} array of shape [${dims.join(', ')}] needs ${expected} bytes of data, got ${data.length}`,
      );
    }
    return new NdArray(dtype, dims, data.slice());
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
    const s = raw instanceof Uint8Array ? binText(raw, 0, raw.length) : raw; // Python accepts the dtype as str or bytes
    if (typeof s !== 'string') this.fail(`bad ndarray: "dtype" must be a string like '<f4', got ${describe(raw)}`);
    const parsed = parseWireDType(s);
    if ('problem' in parsed) this.fail(parsed.problem);
    return parsed.dtype;
  }

  private field(map: Record<string, unknown>, name: string, key: string): unknown {
    if (!(key in map))
      this.fail(`bad ndarray: the map has no bin key "${name}" (numpy maps need bin keys data, dtype, shape)`);
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

function describe(v: unknown): string {
  if (v === null) return 'nil';
  if (v instanceof Uint8Array) return `bin of ${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${v.slice(0, 40)}"`;
  return typeof v === 'object' ? 'a map' : `${typeof v} ${String(v)}`;
}
