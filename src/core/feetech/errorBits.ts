// The ERR byte of a status packet (same layout as the Status register 65): bit → name (reference §1).

export type ServoErrorBit = 'inputVoltage' | 'angleSensor' | 'overheat' | 'overCurrent' | 'overload';

/** Bit value of each named error condition. Bits 4, 6 and 7 are reserved. */
export const SERVO_ERROR_BIT_VALUES: Readonly<Record<ServoErrorBit, number>> = {
  inputVoltage: 0x01,
  angleSensor: 0x02,
  overheat: 0x04,
  overCurrent: 0x08,
  overload: 0x20,
};

const ORDER: readonly ServoErrorBit[] = ['inputVoltage', 'angleSensor', 'overheat', 'overCurrent', 'overload'];

const DESCRIPTIONS: Readonly<Record<ServoErrorBit, string>> = {
  inputVoltage: 'input voltage out of range (check the power supply)',
  angleSensor: 'angle sensor fault',
  overheat: 'overheated (let it cool, reduce load)',
  overCurrent: 'over-current',
  overload: 'overloaded (the joint is blocked or pushing too hard)',
};

/** Names of the bits set in an ERR byte, in bit order; reserved bits are not named. */
export function errorBitsOf(error: number): ServoErrorBit[] {
  return ORDER.filter((name) => (error & SERVO_ERROR_BIT_VALUES[name]) !== 0);
}

/** The ERR byte for a set of named bits. */
export function errorByteOf(bits: Iterable<ServoErrorBit>): number {
  let byte = 0;
  for (const bit of bits) byte |= SERVO_ERROR_BIT_VALUES[bit];
  return byte;
}

/** Human-readable summary of an ERR byte, e.g. for an error message naming the servo. */
export function describeErrorBits(error: number): string {
  const names = errorBitsOf(error).map((b) => DESCRIPTIONS[b]);
  const reserved = error & 0xd0;
  if (reserved) names.push(`reserved bits 0x${reserved.toString(16)}`);
  return names.length ? names.join('; ') : 'no error';
}
