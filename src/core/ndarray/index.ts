// Public API of the typed n-d arrays (their msgpack-numpy wire codec is in core/protocols).
export { type DType, DTYPES, isDType, itemSize } from './dtype';
export { halfToNumber, numberToHalf } from './float16';
export { NdArray, NpScalar, Float64Value, NdArrayError, type TypedValues } from './ndarray';
