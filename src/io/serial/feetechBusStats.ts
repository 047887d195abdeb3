// The Feetech bus's counters, in a file of their own because readers of them (health displays, arm warnings,
// benchmarks) need the type without the driver, and the bus's parts (reply reader, reply window) all add to one set.

/** Counters for benchmarks and health displays. */
export interface FeetechBusStats {
  /** Requests put on the wire (each resend and retry counts). */
  transactions: number;
  /** Windows that ended without every expected reply. */
  timeouts: number;
  /** Status packets that failed their checksum. */
  corrupt: number;
  /** Requests sent again within the same window after a corrupt reply. */
  resends: number;
  /** Whole-call retries (options.retries). */
  retries: number;
  /** Replies with error bits set. */
  statusErrors: number;
  /** Valid packets from ids not asked for (skipped, as the Feetech SDK does). */
  foreignPackets: number;
  /** Bytes that arrived while no transaction was waiting (late replies), dropped. */
  staleBytes: number;
  bytesWritten: number;
  bytesRead: number;
}

/** Every counter at 0: a new bus's, and resetStats's (assigned onto the live object, which the bus's parts hold). */
export function zeroStats(): FeetechBusStats {
  return {
    transactions: 0,
    timeouts: 0,
    corrupt: 0,
    resends: 0,
    retries: 0,
    statusErrors: 0,
    foreignPackets: 0,
    staleBytes: 0,
    bytesWritten: 0,
    bytesRead: 0,
  };
}
