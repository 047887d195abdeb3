// numpy dtype strings (`arr.dtype.str`) that the openpi wire format can carry and we can hold.

/** The numpy dtypes an NdArray supports, spelled as numpy's `dtype.str` (little-endian or byte-sized). */
export type DType = '|u1' | '|i1' | '<u2' | '<i2' | '<u4' | '<i4' | '<i8' | '<f2' | '<f4' | '<f8' | '|b1';

const ITEM_SIZES: Readonly<Record<DType, number>> = {
  '|u1': 1,
  '|i1': 1,
  '<u2': 2,
  '<i2': 2,
  '<u4': 4,
  '<i4': 4,
  '<i8': 8,
  '<f2': 2,
  '<f4': 4,
  '<f8': 8,
  '|b1': 1,
};

/** Every supported dtype, in a stable order (for messages and tests). */
export const DTYPES: readonly DType[] = Object.freeze(Object.keys(ITEM_SIZES) as DType[]);

/** True when `s` is one of the supported dtype strings exactly. */
export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(ITEM_SIZES, s);
}

/** Bytes per element of `d`. */
export function itemSize(d: DType): number {
  return ITEM_SIZES[d];
}

/** True for the floating-point dtypes (scalars of these travel as msgpack float64). */
export function isFloatDType(d: DType): boolean {
  return d === '<f2' || d === '<f4' || d === '<f8';
}

/** True for the integer dtypes. */
export function isIntDType(d: DType): boolean {
  return d !== '|b1' && !isFloatDType(d);
}

/** Inclusive value range of an integer dtype, as bigints. */
export function intRange(d: DType): { min: bigint; max: bigint } {
  const bits = BigInt(itemSize(d) * 8);
  if (d[1] === 'u') return { min: 0n, max: (1n << bits) - 1n };
  return { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n };
}

/**
 * Resolves a dtype string from the wire, or explains why it cannot be used. numpy writes byte-sized
 * types with '|', but '<u1' / '=u1' mean the same thing, so those are accepted too.
 */
export function parseWireDType(s: string): { dtype: DType } | { problem: string } {
  if (isDType(s)) return { dtype: s };
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(s);
  if (m) {
    const [, order, kind, size] = m;
    const byteSized: string = `|${kind}${size}`;
    if (size === '1' && isDType(byteSized)) return { dtype: byteSized };
    const little: string = `<${kind}${size}`;
    if (isDType(little)) {
      if (order === '>') {
        return { problem: `dtype '${s}' is big-endian; the server must send little-endian arrays ('${little}')` };
      }
      if (order === '=') return { dtype: little }; // native order: every platform openpi runs on is little-endian
    }
  }
  return { problem: `unsupported dtype '${s}'; supported dtypes are ${DTYPES.join(', ')}` };
}
