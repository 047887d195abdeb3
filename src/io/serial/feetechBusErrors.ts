// Errors of the Feetech bus driver; each names the port and servo and says what to check.
import { errorBitsOf, FeetechError, registerCovering, type ServoErrorBit } from '../../core/feetech';

/** What each status error bit means for the user and what to do about it. */
export const SERVO_ERROR_ADVICE: Readonly<Record<ServoErrorBit, string>> = {
  inputVoltage:
    "input voltage out of range: check that the arm's power supply is plugged in and is the right one for " +
    'your servos (5–7.4 V for the standard STS3215, 12 V for the 12 V version), and that it does not sag under load',
  angleSensor: "angle sensor fault: power-cycle the arm; if it persists the servo's magnetic encoder may be damaged",
  overheat:
    'overheated: switch torque off and let it cool for a few minutes; reduce the load or how long the joint ' +
    'holds against gravity or an obstacle',
  overCurrent:
    'over-current: the motor drew too much current; check for a collision or a jammed joint and lower ' +
    'Torque_Limit or the speed',
  overload:
    'overload: the joint is blocked or pushing too hard; check for a collision or an object in the way, ' +
    'reduce the load and let it cool; the servo may drop torque until you write Torque_Enable again or power-cycle',
};

function registerLabel(address: number | undefined): string {
  if (address === undefined) return '';
  const spec = registerCovering(address);
  return spec && spec.address === address ? ` of ${spec.name} (address ${address})` : ` at address ${address}`;
}

/** A servo answered with error bits set in its status packet. */
export class ServoHardwareError extends FeetechError {
  override name = 'ServoHardwareError';
  readonly bits: ServoErrorBit[];
  constructor(
    readonly id: number,
    readonly errorByte: number,
    readonly port: string,
    readonly operation: string,
    /** What the caller did about it (e.g. "no goal was sent"), appended to the message. */
    consequence?: string,
  ) {
    const bits = errorBitsOf(errorByte);
    const reserved = errorByte & 0xd0;
    const parts = bits.map((b) => SERVO_ERROR_ADVICE[b]);
    if (reserved) parts.push(`unknown error bits 0x${reserved.toString(16)}`);
    super(
      `servo ${id} on ${port} reported an error during ${operation} (status 0x${errorByte.toString(16).padStart(2, '0')}): ${parts.join('; ')}.` +
        (consequence ? ` ${consequence}` : ''),
    );
    this.bits = bits;
  }
}

/** No valid status packet from a servo within the transaction's time window. */
export class ServoNoReplyError extends FeetechError {
  override name = 'ServoNoReplyError';
  constructor(
    readonly id: number,
    /** Register address asked for; undefined for PING. */
    readonly address: number | undefined,
    readonly port: string,
    readonly operation: string,
    readonly timeoutMs: number,
    /** Every id that stayed silent (SYNC_READ can lose several); `id` is the first. */
    readonly missingIds: readonly number[] = [id],
  ) {
    const who = missingIds.length > 1 ? `servos ${missingIds.join(', ')}` : `servo ${id}`;
    super(
      `${who} on ${port} did not answer ${operation}${registerLabel(address)} within ${timeoutMs.toFixed(1)} ms. ` +
        `Likely causes: the arm's power supply is off or unplugged (USB powers only the adapter board); ` +
        `no servo has id ${id} (ids are set once with LeRobot's setup-motors); the servo runs at another baud rate ` +
        `than the bus (the SO-100 uses 1 000 000); a loose or broken 3-pin cable between the servos; ` +
        `or the wrong port (this one may be another device).`,
    );
  }
}

/** Replies arrived but failed their checksum within the window, even after re-asking. */
export class ServoCorruptReplyError extends FeetechError {
  override name = 'ServoCorruptReplyError';
  constructor(
    readonly id: number,
    readonly address: number | undefined,
    readonly port: string,
    readonly operation: string,
    /** Checksum failures seen during the call. */
    readonly corruptPackets: number,
  ) {
    super(
      `servo ${id} on ${port}: ${corruptPackets} corrupt status packet(s) during ${operation}${registerLabel(address)}. ` +
        `Likely causes: two servos share id ${id} (their replies collide; give each a unique id), a loose ` +
        `cable or electrical noise on the bus, a servo at another baud rate, or an adapter that echoes what it sends.`,
    );
  }
}

/** The bus was closed, or its port was lost, while a call was queued or running. */
export class BusClosedError extends FeetechError {
  override name = 'BusClosedError';
  constructor(
    readonly port: string,
    cause?: Error,
  ) {
    super(cause ? `the bus on ${port} is closed: ${cause.message}` : `the bus on ${port} is closed; connect again.`, {
      cause,
    });
  }
}
