// Register value ⇄ little-endian bytes, applying sign-magnitude where the table says so.
import { register, type RegisterSpec } from './controlTable';
import { RegisterValueError } from './feetechErrors';
import { readUintLE, writeUintLE } from './packet';
import { decodeSignMagnitude, encodeSignMagnitude } from './signMagnitude';

/** Raw (unsigned) register word for a user value; throws RegisterValueError when it does not fit. */
export function toRawRegisterValue(spec: RegisterSpec, value: number): number {
  if (spec.signBit !== undefined) return encodeSignMagnitude(value, spec.signBit, spec.name);
  const max = 2 ** (8 * spec.size) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RegisterValueError(spec.name, value, `${spec.name} takes a whole number from 0 to ${max}, got ${value}.`);
  }
  return value;
}

/** User value of a raw register word (sign-magnitude decoded where applicable). */
export function fromRawRegisterValue(spec: RegisterSpec, raw: number): number {
  return spec.signBit !== undefined ? decodeSignMagnitude(raw, spec.signBit) : raw;
}

/** The bytes to WRITE for `value` into the named register. */
export function encodeRegister(name: string, value: number): Uint8Array {
  const spec = register(name);
  return writeUintLE(toRawRegisterValue(spec, value), spec.size);
}

/** The value of the named register from the data bytes of a READ reply (starting at `offset`). */
export function decodeRegister(name: string, data: Uint8Array, offset = 0): number {
  const spec = register(name);
  return fromRawRegisterValue(spec, readUintLE(data, offset, spec.size));
}
