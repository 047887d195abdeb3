// Typed errors of the Feetech protocol layer; messages say what to change to fix the cause.

/** Base class so callers can catch every protocol-layer error at once. */
export class FeetechError extends Error {
  override name = 'FeetechError';
}

/** An instruction packet would exceed the 250-byte limit of the Feetech SDK and servo firmware. */
export class PacketTooLongError extends FeetechError {
  override name = 'PacketTooLongError';
  constructor(
    readonly instruction: string,
    readonly length: number,
    readonly max: number,
  ) {
    super(
      `${instruction} packet would be ${length} bytes but the Feetech bus allows at most ${max}; ` +
        `send fewer servos or fewer bytes per packet (split the group into several packets).`,
    );
  }
}

/** A servo id outside what the protocol can address. */
export class ServoIdError extends FeetechError {
  override name = 'ServoIdError';
  constructor(
    readonly id: number,
    readonly allowed: string,
  ) {
    super(`servo id ${id} is not valid here: use ${allowed}.`);
  }
}

/** A value that cannot be represented in a register (range, integer-ness, sign-magnitude width). */
export class RegisterValueError extends FeetechError {
  override name = 'RegisterValueError';
  constructor(
    readonly register: string,
    readonly value: number,
    message: string,
  ) {
    super(message);
  }
}

/** A register name that is not in the STS3215 control table. */
export class UnknownRegisterError extends FeetechError {
  override name = 'UnknownRegisterError';
  constructor(readonly register: string) {
    super(`"${register}" is not an STS3215 register; use a name from the control table such as "Present_Position".`);
  }
}
