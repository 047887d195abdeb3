// What an openpi policy frame can hold, as JS values.
import type { NdArray, NpScalar, Float64Value } from '../../ndarray/ndarray';

/** A value an openpi msgpack-numpy frame can carry: maps become plain objects with str keys, ndarray maps NdArray. */
export type WireValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | NdArray
  | NpScalar
  | Float64Value
  | WireValue[]
  | { [key: string]: WireValue };
