// A policy input map as plain data that crosses a thread boundary (structured clone keeps no classes): NdArrays
// become tagged records whose byte buffers can be transferred instead of copied, and come back as NdArrays.
import { NdArray, type DType } from '../ndarray';
import { type WireValue } from '../protocols';

/** An NdArray as structured-clone data. */
interface PackedNdArray {
  readonly __ndarray: true;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export type PackedWireValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PackedNdArray
  | PackedWireValue[]
  | { [key: string]: PackedWireValue };

/** Packs `input`; `transfer` lists the buffers the receiver may take over (each NdArray owns its bytes). */
export function packPolicyInput(input: { readonly [key: string]: WireValue }): {
  packed: { [key: string]: PackedWireValue };
  transfer: ArrayBuffer[];
} {
  const transfer: ArrayBuffer[] = [];
  const pack = (v: WireValue, at: string): PackedWireValue => {
    if (v instanceof NdArray) {
      // A buffer is transferred only when the array spans it whole; otherwise the clone copies it.
      if (
        v.data.byteOffset === 0 &&
        v.data.byteLength === v.data.buffer.byteLength &&
        v.data.buffer instanceof ArrayBuffer &&
        !transfer.includes(v.data.buffer)
      )
        transfer.push(v.data.buffer);
      return { __ndarray: true, dtype: v.dtype, shape: v.shape, data: v.data };
    }
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map((x, i) => pack(x, `${at}[${i}]`));
    if (Object.getPrototypeOf(v) !== Object.prototype)
      throw new TypeError(`${at}: a ${v.constructor.name} cannot cross to another thread`);
    const out: { [key: string]: PackedWireValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = pack(x as WireValue, `${at}.${k}`);
    return out;
  };
  const packed: { [key: string]: PackedWireValue } = {};
  for (const [k, v] of Object.entries(input)) packed[k] = pack(v, k);
  return { packed, transfer };
}

/** The inverse of packPolicyInput. */
export function unpackPolicyInput(packed: { readonly [key: string]: PackedWireValue }): { [key: string]: WireValue } {
  const unpack = (v: PackedWireValue): WireValue => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map(unpack);
    if ((v as PackedNdArray).__ndarray === true) {
      const a = v as PackedNdArray;
      return new NdArray(a.dtype, a.shape, a.data);
    }
    const out: { [key: string]: WireValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = unpack(x);
    return out;
  };
  const out: { [key: string]: WireValue } = {};
  for (const [k, v] of Object.entries(packed)) out[k] = unpack(v);
  return out;
}
