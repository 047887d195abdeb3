// Public API of the typed n-d arrays and the openpi msgpack-numpy codec.
export { type DType, DTYPES, isDType, itemSize } from './dtype';
export { halfToNumber, numberToHalf } from './float16';
export { NdArray, NpScalar, Float64Value, NdArrayError, type TypedValues } from './ndarray';
export {
  type WireValue,
  PolicyFrameEncoder,
  encodePolicyFrame,
  decodePolicyFrame,
  PolicyFrameError,
  MAX_FRAME_DEPTH,
} from './msgpackNumpy';
