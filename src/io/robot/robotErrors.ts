// Errors of the SO-100 robot adapter; each says what was found and how to fix it.

export class RobotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bus does not hold the six STS3215 servos an SO-100 follower has, or they disagree. */
export class RobotHandshakeError extends RobotError {}

/** An action was refused by safety: nothing was written to the servos. */
export class UnsafeActionError extends RobotError {
  constructor(
    readonly motor: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
