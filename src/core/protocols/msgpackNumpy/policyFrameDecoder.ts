// Reads openpi / awesome-lerobot frames in one pass: msgpack straight to WireValue, bin-keyed numpy maps straight
// to NdArray / NpScalar, each bin payload copied once. The pass only accepts frames it can decode exactly as the
// reference decoder would; for anything else (any error, nesting at the limit, a numpy map whose marker is not its
// first key, a map mixing str and bin keys, extension types) it steps aside and the reference decides.
import { NdArray, NpScalar } from '../../ndarray/ndarray';
import { type DType, itemSize, isDType, isFloatDType, parseWireDType } from '../../ndarray/dtype';
import { MAX_FRAME_DEPTH } from './policyFrameError';
import type { WireValue } from './wireValue';
import { MsgpackKind, MsgpackReader } from './msgpackReader';
import { decodeReference } from './referenceFrameDecoder';

const { NIL, BOOL, INT, INT64, FLOAT, STR, BIN, ARRAY, MAP } = MsgpackKind;
const MAX_DEPTH = MAX_FRAME_DEPTH;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Decodes one frame: maps → plain objects, bin-keyed `__ndarray__` / `__tensor__` maps → NdArray, `__npgeneric__` → NpScalar. */
export function decodePolicyFrame(bytes: Uint8Array): WireValue {
  return decodeSinglePass(bytes) ?? decodeReference(bytes);
}

/** The single pass alone: the decoded frame, or undefined where it leaves the frame to the reference decoder. */
export function decodeSinglePass(bytes: Uint8Array): WireValue | undefined {
  const r = reader; // one reader for every frame: nothing the pass calls can start another decode
  r.reset(bytes);
  try {
    const v = value(r, 0);
    return r.pos === r.end ? v : undefined;
  } catch {
    return undefined; // stepped aside (Declined), or the reader met bad bytes: the reference reports them
  } finally {
    r.reset(NO_BYTES); // do not keep the frame alive
  }
}

const reader = new MsgpackReader();
const NO_BYTES = new Uint8Array(0);

class Declined extends Error {}
const DECLINED = new Declined('left to the reference decoder');

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const W_NDARRAY = ascii('__ndarray__');
const W_TENSOR = ascii('__tensor__');
const W_NPGENERIC = ascii('__npgeneric__');
const W_DATA = ascii('data');
const W_DTYPE = ascii('dtype');
const W_SHAPE = ascii('shape');
const W_PROTO = ascii('__proto__');

// What a bin key names in a numpy map; compared as bytes, no string is built.
const OTHER = 0;
const DATA = 1;
const DTYPE = 2;
const SHAPE = 3;
const ARRAY_MARKER = 4; // __ndarray__ (openpi) or __tensor__ (awesome-lerobot)
const SCALAR_MARKER = 5; // __npgeneric__
const BOM_KEY = 6; // starts with a UTF-8 BOM, which reading bin keys as text drops: "\uFEFFdata" reads as "data"

function value(r: MsgpackReader, depth: number): WireValue {
  switch (r.next()) {
    case NIL:
      return null;
    case BOOL:
      return r.bool;
    case INT:
    case FLOAT:
      return r.num;
    case INT64:
      return safeNumber(r.big);
    case STR:
      return r.str();
    case BIN:
      return r.copy(r.start, r.length);
    case ARRAY:
      return array(r, depth);
    case MAP:
      return map(r, depth);
    default:
      throw DECLINED; // extension types
  }
}

function array(r: MsgpackReader, depth: number): WireValue[] {
  if (depth >= MAX_DEPTH) throw DECLINED;
  const n = r.length;
  if (n > r.end - r.pos) throw DECLINED; // every item takes a byte at least: the frame is cut short
  const out: WireValue[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = value(r, depth + 1);
  return out;
}

function map(r: MsgpackReader, depth: number): WireValue {
  if (depth >= MAX_DEPTH) throw DECLINED;
  const n = r.length;
  if (n > r.end - r.pos) throw DECLINED;
  const out: { [key: string]: WireValue } = {};
  let keyKinds = 0; // 1: str keys seen, 2: bin keys seen
  for (let i = 0; i < n; i++) {
    const kind = r.next();
    let key: string;
    if (kind === STR) {
      key = r.key();
      keyKinds |= 1;
    } else if (kind === BIN) {
      if (i === 0) {
        const role = binKeyRole(r);
        if (role === ARRAY_MARKER || role === SCALAR_MARKER) return numpy(r, n, depth, role);
      }
      key = r.binStr();
      // A numpy map with its marker further down (or behind a BOM, which reading bin keys as text drops).
      if (key === '__ndarray__' || key === '__tensor__' || key === '__npgeneric__') throw DECLINED;
      keyKinds |= 2;
    } else {
      throw DECLINED;
    }
    // Mixed key kinds: which of two equal-reading keys wins follows the reference's order, not the frame's.
    if (keyKinds === 3 || key === '__proto__') throw DECLINED;
    out[key] = value(r, depth + 1);
  }
  return out;
}

function binKeyRole(r: MsgpackReader): number {
  const { bytes: b, start, length } = r;
  if (b[start] === 0xef && length >= 3 && b[start + 1] === 0xbb && b[start + 2] === 0xbf) return BOM_KEY;
  switch (length) {
    case 4:
      return r.equals(start, length, W_DATA) ? DATA : OTHER;
    case 5:
      return r.equals(start, length, W_DTYPE) ? DTYPE : r.equals(start, length, W_SHAPE) ? SHAPE : OTHER;
    case 10:
      return r.equals(start, length, W_TENSOR) ? ARRAY_MARKER : OTHER;
    case 11:
      return r.equals(start, length, W_NDARRAY) ? ARRAY_MARKER : OTHER;
    case 13:
      return r.equals(start, length, W_NPGENERIC) ? SCALAR_MARKER : OTHER;
    default:
      return OTHER;
  }
}

/** A numpy map whose first key (just read) is its marker: keeps data / dtype / shape, parses and drops the rest. */
function numpy(r: MsgpackReader, n: number, depth: number, marker: number): NdArray | NpScalar {
  let isArray = marker === ARRAY_MARKER;
  let dtype: string | undefined;
  let shape: readonly number[] | undefined;
  let dataKind = -1;
  let dataStart = 0;
  let dataLength = 0;
  let dataNum = 0;
  let dataBig = 0n;
  let dataBool = false;
  value(r, depth + 1); // the marker's value (true)
  for (let i = 1; i < n; i++) {
    const kind = r.next();
    if (kind === BIN) {
      const role = binKeyRole(r);
      if (role === DATA) {
        dataKind = r.next();
        if (dataKind === BIN) {
          dataStart = r.start;
          dataLength = r.length;
        } else if (dataKind === INT || dataKind === FLOAT) dataNum = r.num;
        else if (dataKind === INT64) dataBig = r.big;
        else if (dataKind === BOOL) dataBool = r.bool;
        else throw DECLINED;
        continue;
      }
      if (role === DTYPE) {
        const k = r.next();
        if (k === STR)
          dtype = r.key(); // short and the same every time: the key cache has it
        else if (k === BIN)
          dtype = r.binStr(); // Python accepts the dtype as str or bytes
        else throw DECLINED;
        continue;
      }
      if (role === SHAPE) {
        shape = dims(r);
        continue;
      }
      if (role === ARRAY_MARKER) isArray = true;
      else if (role === BOM_KEY) throw DECLINED;
    } else if (kind === STR) {
      if (r.equals(r.start, r.length, W_PROTO)) throw DECLINED;
    } else {
      throw DECLINED;
    }
    value(r, depth + 1); // a value nobody reads (a marker's true, a tensor's device)
  }
  if (dtype === undefined) throw DECLINED;
  let dt: DType;
  if (isDType(dtype)) {
    dt = dtype;
  } else {
    const parsed = parseWireDType(dtype); // '=f8', '<u1'
    if ('problem' in parsed) throw DECLINED;
    dt = parsed.dtype;
  }
  if (isArray) {
    if (shape === undefined || dataKind !== BIN) throw DECLINED;
    let expected = itemSize(dt);
    for (let i = 0; i < shape.length; i++) expected *= shape[i];
    if (expected !== dataLength) throw DECLINED;
    return new NdArray(dt, shape, r.copy(dataStart, dataLength));
  }
  let scalar: number | bigint | boolean;
  if (dataKind === INT || dataKind === FLOAT) scalar = dataNum;
  else if (dataKind === INT64) scalar = isFloatDType(dt) ? Number(dataBig) : safeNumber(dataBig);
  else if (dataKind === BOOL) scalar = dataBool;
  else throw DECLINED;
  return new NpScalar(dt, scalar); // a value that does not fit its dtype throws: the reference explains
}

/** int64 / uint64 values stay bigint only where a number would lose precision. */
function safeNumber(v: bigint): number | bigint {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** A shape: an array of non-negative integers (floats like 2.0 count, as in the reference), frozen and shared. */
function dims(r: MsgpackReader): readonly number[] {
  if (r.next() !== ARRAY) throw DECLINED;
  const n = r.length;
  if (n > MAX_DIMS) throw DECLINED;
  const d = scratchDims;
  for (let i = 0; i < n; i++) {
    const kind = r.next();
    if (kind === INT) {
      if (r.num < 0) throw DECLINED;
      d[i] = r.num;
    } else if (kind === FLOAT) {
      const x = r.num;
      if (!Number.isSafeInteger(x) || x < 0 || Object.is(x, -0)) throw DECLINED; // -0 would not match a cached 0
      d[i] = x;
    } else if (kind === INT64) {
      const x = r.big;
      if (x < 0n || x > MAX_SAFE) throw DECLINED;
      d[i] = Number(x);
    } else {
      throw DECLINED;
    }
  }
  // Replies repeat their shapes: NdArrays of equal shape share one frozen array (NdArray keeps frozen shapes as
  // they are), which spares a copy and a freeze per array.
  search: for (const s of shapes) {
    if (s.length !== n) continue;
    for (let i = 0; i < n; i++) if (s[i] !== d[i]) continue search;
    return s;
  }
  const shape = Object.freeze(Array.from(d.subarray(0, n)));
  shapes[nextShape] = shape;
  nextShape = (nextShape + 1) % SHAPES;
  return shape;
}

const MAX_DIMS = 32; // numpy's limit until 2.0; the reference decoder takes longer shapes
const scratchDims = new Float64Array(MAX_DIMS);
const SHAPES = 8;
const shapes: (readonly number[])[] = [];
let nextShape = 0;
