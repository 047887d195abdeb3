// Feetech STS sign-magnitude: value = (sign << bit) | |v|. Not two's complement (reference §1).
import { RegisterValueError } from './feetechErrors';

/** Largest magnitude that fits below the sign bit. */
export function maxMagnitude(signBit: number): number {
  return 2 ** signBit - 1;
}

/**
 * Encodes a signed integer with the sign in `signBit`; throws RegisterValueError naming `register`
 * when the value is not an integer or its magnitude does not fit below the sign bit.
 */
export function encodeSignMagnitude(value: number, signBit: number, register = 'value'): number {
  if (!Number.isInteger(value)) {
    throw new RegisterValueError(
      register,
      value,
      `${register} must be a whole number of steps, got ${value}; round it first.`,
    );
  }
  const max = maxMagnitude(signBit);
  const magnitude = Math.abs(value);
  if (magnitude > max) {
    const hint =
      register === 'Homing_Offset'
        ? ' The joint was probably far from the middle of its travel when homing; move it to mid-range and calibrate again (see LeRobot issue 3193).'
        : '';
    throw new RegisterValueError(
      register,
      value,
      `${register} ${value} does not fit: with the sign in bit ${signBit} the magnitude must be at most ${max}.${hint}`,
    );
  }
  // -0 and 0 both encode as 0: a set sign bit with zero magnitude is never produced.
  return value < 0 ? (1 << signBit) | magnitude : magnitude;
}

/** Decodes a raw register value whose sign sits in `signBit`; bits above the sign bit are ignored. */
export function decodeSignMagnitude(raw: number, signBit: number): number {
  const magnitude = raw & maxMagnitude(signBit);
  return (raw >> signBit) & 1 && magnitude !== 0 ? -magnitude : magnitude;
}
