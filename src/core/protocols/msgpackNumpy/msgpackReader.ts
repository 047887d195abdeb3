// Reads msgpack one head at a time (format: https://github.com/msgpack/msgpack/blob/master/spec.md). It knows the
// byte layout only; the frame decoders walk the structure themselves, so they can build their values in one pass.

/**
 * What `MsgpackReader.next()` read. Callers copy these into module constants (`const { NIL } = MsgpackKind`): under
 * the per-file transform that tests and benchmarks run (tsx), every read of an imported binding is a getter call.
 */
export const MsgpackKind = Object.freeze({
  NIL: 0,
  BOOL: 1,
  /** A number that is exactly an integer: fixints, uint8–32, int8–32. */
  INT: 2,
  /** uint64 / int64, as a bigint in `big`. */
  INT64: 3,
  FLOAT: 4,
  STR: 5,
  BIN: 6,
  ARRAY: 7,
  MAP: 8,
  /** fixext / ext 8–32: the type in `extType`, the data at `start`, `length` bytes. */
  EXT: 9,
} as const);
const { NIL, BOOL, INT, INT64, FLOAT, STR, BIN, ARRAY, MAP, EXT } = MsgpackKind;

/** The bytes end in the middle of a value. */
export class MsgpackTruncatedError extends Error {}

/** Bytes that are not msgpack at all. */
export class MsgpackFormatError extends Error {}

// Scratch space for big-endian numbers: words or bytes go in reversed, the (little-endian) host reads them back.
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchU32 = new Uint32Array(scratch);
const scratchF32 = new Float32Array(scratch, 0, 1);
const scratchF64 = new Float64Array(scratch);
const scratchU64 = new BigUint64Array(scratch);
const scratchI64 = new BigInt64Array(scratch);

// The key cache: 128 sets of two slots, each up to KEY_BYTES bytes. Handing back the same string also spares V8
// looking a fresh string up in its string table each time it becomes a property name.
const KEY_SLOTS = 256;
const KEY_BYTES = 32;
const keyBytes = new Uint8Array(KEY_SLOTS * KEY_BYTES);
const keyLengths = new Uint8Array(KEY_SLOTS);
const keyTexts: string[] = new Array<string>(KEY_SLOTS).fill('');

const EMPTY = new Uint8Array(0);

/** A cursor over one frame; after `next()`, the fields below describe what was read. */
export class MsgpackReader {
  /** A plain Uint8Array over the frame (never a Buffer, whose `slice` would not copy). */
  bytes: Uint8Array = EMPTY;
  end = 0;
  pos = 0;
  /** INT and FLOAT values. */
  num = 0;
  /** INT64 values. */
  big = 0n;
  /** BOOL values. */
  bool = false;
  /** STR / BIN / EXT: where the payload starts; its byte length is `length`. */
  start = 0;
  /** STR / BIN / EXT: payload bytes; ARRAY: items; MAP: key–value pairs. */
  length = 0;
  extType = 0;

  constructor(frame: Uint8Array = EMPTY) {
    this.reset(frame);
  }

  /** Starts over on another frame (pass an empty array to let go of the last one). */
  reset(frame: Uint8Array): void {
    this.bytes =
      Object.getPrototypeOf(frame) === Uint8Array.prototype
        ? frame
        : new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    this.end = this.bytes.length;
    this.pos = 0;
  }

  /** Reads one head (and a scalar's value, or a string's / bin's / ext's extent); containers' items follow. */
  next(): number {
    const b = this.bytes;
    const p = this.pos;
    if (p >= this.end) throw new MsgpackTruncatedError();
    const head = b[p];
    if (head < 0x80) {
      this.num = head;
      this.pos = p + 1;
      return INT;
    }
    if (head >= 0xe0) {
      this.num = head - 0x100;
      this.pos = p + 1;
      return INT;
    }
    if (head < 0x90) {
      this.length = head & 0x0f;
      this.pos = p + 1;
      return MAP;
    }
    if (head < 0xa0) {
      this.length = head & 0x0f;
      this.pos = p + 1;
      return ARRAY;
    }
    if (head < 0xc0) return this.payload(STR, p + 1, head & 0x1f);
    switch (head) {
      case 0xc0:
        this.pos = p + 1;
        return NIL;
      case 0xc2:
        this.bool = false;
        this.pos = p + 1;
        return BOOL;
      case 0xc3:
        this.bool = true;
        this.pos = p + 1;
        return BOOL;
      case 0xc4:
        return this.payload(BIN, p + 2, this.u8(p + 1));
      case 0xc5:
        return this.payload(BIN, p + 3, this.u16(p + 1));
      case 0xc6:
        return this.payload(BIN, p + 5, this.u32(p + 1));
      case 0xc7:
        return this.ext(p + 2, this.u8(p + 1));
      case 0xc8:
        return this.ext(p + 3, this.u16(p + 1));
      case 0xc9:
        return this.ext(p + 5, this.u32(p + 1));
      case 0xca:
        this.num = this.f32(p + 1);
        this.pos = p + 5;
        return FLOAT;
      case 0xcb:
        this.num = this.f64(p + 1);
        this.pos = p + 9;
        return FLOAT;
      case 0xcc:
        this.num = this.u8(p + 1);
        this.pos = p + 2;
        return INT;
      case 0xcd:
        this.num = this.u16(p + 1);
        this.pos = p + 3;
        return INT;
      case 0xce:
        this.num = this.u32(p + 1);
        this.pos = p + 5;
        return INT;
      case 0xcf:
        this.big = this.int64(p + 1, false);
        this.pos = p + 9;
        return INT64;
      case 0xd0:
        this.num = (this.u8(p + 1) << 24) >> 24;
        this.pos = p + 2;
        return INT;
      case 0xd1:
        this.num = (this.u16(p + 1) << 16) >> 16;
        this.pos = p + 3;
        return INT;
      case 0xd2:
        this.num = this.u32(p + 1) | 0;
        this.pos = p + 5;
        return INT;
      case 0xd3:
        this.big = this.int64(p + 1, true);
        this.pos = p + 9;
        return INT64;
      case 0xd4:
        return this.ext(p + 1, 1);
      case 0xd5:
        return this.ext(p + 1, 2);
      case 0xd6:
        return this.ext(p + 1, 4);
      case 0xd7:
        return this.ext(p + 1, 8);
      case 0xd8:
        return this.ext(p + 1, 16);
      case 0xd9:
        return this.payload(STR, p + 2, this.u8(p + 1));
      case 0xda:
        return this.payload(STR, p + 3, this.u16(p + 1));
      case 0xdb:
        return this.payload(STR, p + 5, this.u32(p + 1));
      case 0xdc:
        this.length = this.u16(p + 1);
        this.pos = p + 3;
        return ARRAY;
      case 0xdd:
        this.length = this.u32(p + 1);
        this.pos = p + 5;
        return ARRAY;
      case 0xde:
        this.length = this.u16(p + 1);
        this.pos = p + 3;
        return MAP;
      case 0xdf:
        this.length = this.u32(p + 1);
        this.pos = p + 5;
        return MAP;
      default:
        throw new MsgpackFormatError(`Unrecognized type byte: 0x${head.toString(16)}`); // 0xc1, "never used"
    }
  }

  /** The str just read, as text. */
  str(): string {
    return strText(this.bytes, this.start, this.length);
  }

  /** The str just read, as text, for a map key or a dtype: short ones come from a cache (frames repeat them). */
  key(): string {
    const { bytes: b, start, length } = this;
    if (length === 0 || length > KEY_BYTES) return this.str();
    const end = start + length;
    // The length and three of the bytes pick a set of two slots; the bytes are then compared in full.
    const h = Math.imul(length ^ (b[start] << 8) ^ (b[start + (length >> 1)] << 16) ^ (b[end - 1] << 24), 0x9e3779b1);
    const first = (h >>> 25) << 1;
    for (let slot = first; slot < first + 2; slot++) {
      if (keyLengths[slot] !== length) continue;
      const at = slot * KEY_BYTES;
      let i = 0;
      while (i < length && keyBytes[at + i] === b[start + i]) i++;
      if (i === length) return keyTexts[slot];
    }
    // A miss: the set's first entry moves to its second slot, the new one takes the first.
    const at = first * KEY_BYTES;
    keyBytes.copyWithin(at + KEY_BYTES, at, at + KEY_BYTES);
    keyLengths[first + 1] = keyLengths[first];
    keyTexts[first + 1] = keyTexts[first];
    const text = this.str();
    keyBytes.set(b.subarray(start, end), at);
    keyLengths[first] = length;
    keyTexts[first] = text;
    return text;
  }

  /** The bin just read, as text (a bin map key, a dtype sent as bytes). */
  binStr(): string {
    return binText(this.bytes, this.start, this.length);
  }

  /** A fresh copy of `length` bytes at `start` (values must not alias the frame, which is the socket's). */
  copy(start: number, length: number): Uint8Array {
    return this.bytes.slice(start, start + length);
  }

  /** True when the `length` bytes at `start` are exactly `word`. */
  equals(start: number, length: number, word: Uint8Array): boolean {
    if (length !== word.length) return false;
    const b = this.bytes;
    for (let i = 0; i < length; i++) if (b[start + i] !== word[i]) return false;
    return true;
  }

  private payload(kind: number, start: number, length: number): number {
    if (length > this.end - start) throw new MsgpackTruncatedError();
    this.start = start;
    this.length = length;
    this.pos = start + length;
    return kind;
  }

  private ext(typeAt: number, length: number): number {
    this.extType = (this.u8(typeAt) << 24) >> 24;
    return this.payload(EXT, typeAt + 1, length);
  }

  private need(p: number, n: number): void {
    if (p + n > this.end) throw new MsgpackTruncatedError();
  }

  private u8(p: number): number {
    this.need(p, 1);
    return this.bytes[p];
  }

  private u16(p: number): number {
    this.need(p, 2);
    const b = this.bytes;
    return (b[p] << 8) | b[p + 1];
  }

  private u32(p: number): number {
    this.need(p, 4);
    const b = this.bytes;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  private f32(p: number): number {
    scratchU32[0] = this.u32(p);
    return scratchF32[0];
  }

  private f64(p: number): number {
    this.need(p, 8);
    const b = this.bytes;
    scratchU32[1] = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    scratchU32[0] = (b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7];
    return scratchF64[0];
  }

  private int64(p: number, signed: boolean): bigint {
    this.reversed(p, 8);
    return signed ? scratchI64[0] : scratchU64[0];
  }

  private reversed(p: number, n: number): void {
    this.need(p, n);
    const b = this.bytes;
    for (let i = 0; i < n; i++) scratchBytes[i] = b[p + n - 1 - i];
  }
}

// str payloads are UTF-8 text: malformed bytes become U+FFFD and a leading BOM stays (Python keeps it too).
const strDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
// bin keys and dtypes read as text, as they always have been (a leading BOM is dropped).
const binDecoder = new TextDecoder('utf-8');

/** A str payload as text. */
export function strText(b: Uint8Array, start: number, length: number): string {
  return length <= 32 ? asciiOr(b, start, length, strDecoder) : strDecoder.decode(b.subarray(start, start + length));
}

/** A bin payload read as text (a bin map key, a dtype sent as bytes). */
export function binText(b: Uint8Array, start: number, length: number): string {
  return length <= 32 ? asciiOr(b, start, length, binDecoder) : binDecoder.decode(b.subarray(start, start + length));
}

// Short ASCII strings are cheaper to build by hand than to send through a TextDecoder.
function asciiOr(b: Uint8Array, start: number, length: number, decoder: typeof strDecoder): string {
  let s = '';
  for (let i = start, end = start + length; i < end; i++) {
    const c = b[i];
    if (c >= 0x80) return decoder.decode(b.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}
