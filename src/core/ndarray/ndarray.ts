// Typed n-d arrays as they travel in openpi frames: a dtype, a C-order shape and little-endian bytes.
import { type DType, DTYPES, intRange, isDType, isFloatDType, itemSize } from './dtype';
import { halfToNumber } from './float16';

/** A bad NdArray / NpScalar construction (wrong length, shape, dtype or value). */
export class NdArrayError extends Error {
  override readonly name = 'NdArrayError';
}

/** Any typed array `NdArray.fromTyped` accepts. */
export type TypedValues =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array;

// Typed arrays use the host's byte order; the wire is little-endian. Every platform VS Code runs on is.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('SO-100 Policy Lab needs a little-endian host: numpy arrays travel little-endian');
}

/** A C-order n-d array; `data` holds little-endian bytes and is never a view into a pooled/shared buffer. */
export class NdArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;

  /**
   * Takes ownership of a plain Uint8Array without copying (a Node Buffer, possibly pooled, is copied); validates
   * length = prod(shape) × itemsize. A frozen `shape` is kept as it is (it cannot change), any other is copied.
   */
  constructor(dtype: DType, shape: readonly number[], data: Uint8Array) {
    if (!isDType(dtype))
      throw new NdArrayError(`unsupported dtype '${String(dtype)}'; use one of ${DTYPES.join(', ')}`);
    if (!(data instanceof Uint8Array))
      throw new NdArrayError('NdArray data must be a Uint8Array of little-endian bytes');
    const problem = shapeProblem(shape);
    if (problem) throw new NdArrayError(problem);
    const expected = product(shape) * itemSize(dtype);
    if (data.length !== expected) {
      throw new NdArrayError(
        `a ${dtype} array of shape [${shape.join(', ')}] needs ${expected} bytes, got ${data.length}`,
      );
    }
    this.dtype = dtype;
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    // Buffers may be slices of Node's shared pool, which gets reused: keep a private copy.
    this.data = Object.getPrototypeOf(data) === Uint8Array.prototype ? data : copyOf(data);
  }

  /** Element count (1 for a 0-d array). */
  get size(): number {
    return product(this.shape);
  }

  /** Copies a typed array into a new NdArray; dtype is inferred (pass '|b1' for a bool Uint8Array, '<f2' for raw halves in a Uint16Array). */
  static fromTyped(values: TypedValues, shape: readonly number[], dtype?: DType): NdArray {
    const allowed = dtypesFor(values);
    const d = dtype ?? allowed[0];
    if (!allowed.includes(d)) {
      throw new NdArrayError(`a ${values.constructor.name} cannot hold dtype '${d}'; it holds ${allowed.join(' or ')}`);
    }
    const problem = shapeProblem(shape);
    if (problem) throw new NdArrayError(problem);
    if (product(shape) !== values.length) {
      throw new NdArrayError(
        `shape [${shape.join(', ')}] has ${product(shape)} elements but the ${values.constructor.name} has ${values.length}`,
      );
    }
    return new NdArray(d, shape, copyOf(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)));
  }

  /** A zero-filled array (false for '|b1'). */
  static zeros(dtype: DType, shape: readonly number[]): NdArray {
    const problem = shapeProblem(shape);
    if (problem) throw new NdArrayError(problem);
    return new NdArray(dtype, shape, new Uint8Array(product(shape) * itemSize(dtype)));
  }

  /** The elements as the matching typed array ('|b1' → Uint8Array, '<f2' → raw halves in a Uint16Array); shares memory with `data` when it is aligned, else a copy. */
  typed(): TypedValues {
    const size = itemSize(this.dtype);
    let bytes = this.data;
    if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
    const { buffer, byteOffset } = bytes;
    const n = this.size;
    switch (this.dtype) {
      case '|u1':
      case '|b1':
        return new Uint8Array(buffer, byteOffset, n);
      case '|i1':
        return new Int8Array(buffer, byteOffset, n);
      case '<u2':
      case '<f2':
        return new Uint16Array(buffer, byteOffset, n);
      case '<i2':
        return new Int16Array(buffer, byteOffset, n);
      case '<u4':
        return new Uint32Array(buffer, byteOffset, n);
      case '<i4':
        return new Int32Array(buffer, byteOffset, n);
      case '<i8':
        return new BigInt64Array(buffer, byteOffset, n);
      case '<f4':
        return new Float32Array(buffer, byteOffset, n);
      case '<f8':
        return new Float64Array(buffer, byteOffset, n);
    }
  }

  /** Every element as a number, in a new array (f2 decoded, b1 → 0/1, i8 → nearest Number). */
  toFloat64(): Float64Array {
    const t = this.typed();
    const out = new Float64Array(t.length);
    if (this.dtype === '<f2') {
      for (let i = 0; i < t.length; i++) out[i] = halfToNumber(t[i] as number);
    } else if (t instanceof BigInt64Array) {
      for (let i = 0; i < t.length; i++) out[i] = Number(t[i]);
    } else if (this.dtype === '|b1') {
      for (let i = 0; i < t.length; i++) out[i] = t[i] ? 1 : 0;
    } else {
      out.set(t);
    }
    return out;
  }

  /** Every element as float32, in a new array. */
  toFloat32(): Float32Array {
    if (this.dtype === '<f4') return Float32Array.from(this.typed() as Float32Array);
    return new Float32Array(this.toFloat64());
  }

  /** One element as a number; pass one index per dimension (none for a 0-d array). */
  get(...index: number[]): number {
    const shape = this.shape;
    if (index.length !== shape.length) {
      throw new NdArrayError(
        `index has ${index.length} dimension(s) but the array has ${shape.length} (shape [${shape.join(', ')}])`,
      );
    }
    let flat = 0;
    for (let k = 0; k < shape.length; k++) {
      const i = index[k];
      if (!Number.isInteger(i) || i < 0 || i >= shape[k]) {
        throw new NdArrayError(`index ${i} is out of range for dimension ${k} of size ${shape[k]}`);
      }
      flat = flat * shape[k] + i;
    }
    const view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    const at = flat * itemSize(this.dtype);
    switch (this.dtype) {
      case '|u1':
        return view.getUint8(at);
      case '|b1':
        return view.getUint8(at) ? 1 : 0;
      case '|i1':
        return view.getInt8(at);
      case '<u2':
        return view.getUint16(at, true);
      case '<i2':
        return view.getInt16(at, true);
      case '<u4':
        return view.getUint32(at, true);
      case '<i4':
        return view.getInt32(at, true);
      case '<i8':
        return Number(view.getBigInt64(at, true));
      case '<f2':
        return halfToNumber(view.getUint16(at, true));
      case '<f4':
        return view.getFloat32(at, true);
      case '<f8':
        return view.getFloat64(at, true);
    }
  }
}

/** A numpy scalar (`__npgeneric__`). */
export class NpScalar {
  readonly dtype: DType;
  readonly value: number | bigint | boolean;

  /** Validates that `value` fits `dtype`: a boolean for '|b1', a number for floats, an in-range integer (number or bigint) otherwise. */
  constructor(dtype: DType, value: number | bigint | boolean) {
    if (!isDType(dtype))
      throw new NdArrayError(`unsupported dtype '${String(dtype)}'; use one of ${DTYPES.join(', ')}`);
    const problem = scalarProblem(dtype, value);
    if (problem) throw new NdArrayError(problem);
    this.dtype = dtype;
    this.value = value;
  }
}

/** Forces a JS number to be sent as msgpack float64 even when it is integral (Python floats always are). */
export class Float64Value {
  readonly value: number;
  constructor(value: number) {
    if (typeof value !== 'number') throw new NdArrayError(`Float64Value needs a number, got ${typeof value}`);
    this.value = value;
  }
}

function scalarProblem(dtype: DType, value: unknown): string | undefined {
  if (dtype === '|b1')
    return typeof value === 'boolean' ? undefined : `a '|b1' scalar needs a boolean, got ${typeof value}`;
  if (isFloatDType(dtype))
    return typeof value === 'number' ? undefined : `a '${dtype}' scalar needs a number, got ${typeof value}`;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    return `a '${dtype}' scalar needs an integer (use a bigint beyond 2^53), got ${value}`;
  }
  if (typeof value !== 'number' && typeof value !== 'bigint')
    return `a '${dtype}' scalar needs an integer, got ${typeof value}`;
  const { min, max } = intRange(dtype);
  const v = BigInt(value);
  return v < min || v > max ? `${value} does not fit dtype '${dtype}' (${min}..${max})` : undefined;
}

/** Why `shape` is not a valid array shape, or undefined when it is. */
export function shapeProblem(shape: unknown): string | undefined {
  if (!Array.isArray(shape)) return 'shape must be an array of non-negative integers';
  for (let i = 0; i < shape.length; i++) {
    // indexed: a hole reads as undefined, as it did with for-of
    const n: unknown = shape[i];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      return `shape [${shape.map(String).join(', ')}] must hold non-negative integers only`;
    }
  }
  return undefined;
}

function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function product(shape: readonly number[]): number {
  let p = 1;
  for (let i = 0; i < shape.length; i++) p *= shape[i];
  return p;
}

function dtypesFor(values: TypedValues): DType[] {
  if (values instanceof Float32Array) return ['<f4'];
  if (values instanceof Float64Array) return ['<f8'];
  if (values instanceof Uint8Array) return ['|u1', '|b1'];
  if (values instanceof Int8Array) return ['|i1'];
  if (values instanceof Uint16Array) return ['<u2', '<f2'];
  if (values instanceof Int16Array) return ['<i2'];
  if (values instanceof Uint32Array) return ['<u4'];
  if (values instanceof Int32Array) return ['<i4'];
  if (values instanceof BigInt64Array) return ['<i8'];
  throw new NdArrayError('fromTyped needs a Float32/Float64/Uint8/Int8/Uint16/Int16/Uint32/Int32/BigInt64 array');
}
