// Faults the simulated bus can inject, switchable at run time by mutating the object.
import type { ServoErrorBit } from '../feetech/errorBits';

export interface BusFaults {
  /** Ids whose replies are dropped; those servos still act on what they receive. */
  dropRepliesFrom: number[];
  /** Fraction (0–1) of replies sent with a wrong checksum, chosen by the bus's seeded PRNG. */
  corruptChecksumFraction: number;
  /** Added to the delay of every reply, in µs. */
  extraDelayUs: number;
  /** Error bits a servo reports in its status packets and its Status register, by id. */
  errorBits: Record<number, ServoErrorBit[]>;
  /** Cable unplugged: no servo receives anything and nothing answers. */
  disconnected: boolean;
}

/** A fault-free configuration. */
export function noFaults(): BusFaults {
  return { dropRepliesFrom: [], corruptChecksumFraction: 0, extraDelayUs: 0, errorBits: {}, disconnected: false };
}
