// openpi's msgpack-numpy frame codec (packages/openpi-client/.../msgpack_numpy.py), byte-exact with Python.
import { PolicyFrameEncoder } from './policyFrameEncoder';
import type { WireValue } from './wireValue';

export type { WireValue } from './wireValue';
export { PolicyFrameEncoder } from './policyFrameEncoder';
export { decodePolicyFrame } from './policyFrameDecoder';
export { PolicyFrameError, MAX_FRAME_DEPTH } from './policyFrameError';

/** Encodes one frame into a fresh copy (use a PolicyFrameEncoder per connection on hot paths). */
export function encodePolicyFrame(value: WireValue): Uint8Array {
  return new PolicyFrameEncoder(1024).encode(value).slice();
}
