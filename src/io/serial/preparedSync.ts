// SYNC_READ and SYNC_WRITE prepared once for one register and a fixed list of servos, then run every control tick
// without allocating: the request is encoded once, replies are decoded into arrays the reading owns, and a write
// re-encodes its values in place. The robot's observe/act use these; FeetechBus's Map-returning calls serve the rest.
import {
  encodeSyncRead,
  encodeSyncWrite,
  fromRawRegisterValue,
  PARAMS_START,
  putUintLE,
  readUintLE,
  resealPacket,
  syncWriteBlockAt,
  toRawRegisterValue,
  type RegisterSpec,
} from '../../core/feetech';
import { WRITTEN } from './byteTransport';
import type { Expectation, ReplySink } from './replyWindow';

/** Runs one transaction on the bus, resolving with `result` once every reply is in. */
export type RunTransaction = <T>(expect: Expectation, result: T) => Promise<T>;

/** What a prepared SYNC_READ resolves with: the same object every time, overwritten by the next read(). */
export interface SyncReading {
  /** The servos read, in request order. */
  readonly ids: readonly number[];
  /** Decoded values (sign-magnitude applied), index-aligned with `ids`. */
  readonly values: Float64Array;
  /** Each reply's ERR byte, index-aligned with `ids`; 0 when the servo reported nothing. */
  readonly errors: Uint8Array;
}

/** Throws when an id repeats: a SYNC_READ names each servo once. */
export function checkDistinctIds(ids: readonly number[]): void {
  for (let i = 1; i < ids.length; i++)
    if (ids.lastIndexOf(ids[i], i - 1) !== -1)
      throw new RangeError(`SYNC_READ ids must be distinct, got ${ids.join(', ')}`);
}

/** A SYNC_READ of one register from fixed servos; read() one at a time (each overwrites the same SyncReading). */
export class PreparedSyncRead implements ReplySink {
  private readonly reading: SyncReading;
  private readonly expect: Expectation;

  constructor(
    private readonly spec: RegisterSpec,
    ids: readonly number[],
    windowMs: number,
    retries: number,
    private readonly run: RunTransaction,
    private readonly onStatusError: ((id: number, errorByte: number) => void) | undefined,
  ) {
    checkDistinctIds(ids);
    const all = [...ids];
    const request = encodeSyncRead(spec.address, spec.size, all); // checks the ids once, here
    this.reading = { ids: all, values: new Float64Array(all.length), errors: new Uint8Array(all.length) };
    this.expect = {
      ids: all,
      dataLength: spec.size,
      windowMs,
      request: (missing) => (missing === all ? request : encodeSyncRead(spec.address, spec.size, missing)),
      operation: 'SYNC_READ',
      address: spec.address,
      retries,
      sink: this,
    };
  }

  /** One SYNC_READ; resolves with this reader's SyncReading, valid until the next read(). */
  read(): Promise<SyncReading> {
    return this.run(this.expect, this.reading);
  }

  reply(index: number, error: number, bytes: Uint8Array, start: number): void {
    this.reading.values[index] = fromRawRegisterValue(this.spec, readUintLE(bytes, start, this.spec.size));
    this.reading.errors[index] = error;
  }

  complete(): void {
    const { errors, ids } = this.reading;
    if (this.onStatusError)
      for (let i = 0; i < ids.length; i++) if (errors[i] !== 0) this.onStatusError(ids[i], errors[i]);
  }
}

/** A SYNC_WRITE of one register to fixed servos, encoded into one packet that each write() rewrites. */
export class PreparedSyncWrite {
  private readonly packet: Uint8Array;
  private readonly raw: Float64Array;

  constructor(
    private readonly spec: RegisterSpec,
    readonly ids: readonly number[],
    private readonly send: (bytes: Uint8Array) => Promise<void>,
  ) {
    checkDistinctIds(ids);
    this.packet = encodeSyncWrite(
      spec.address,
      spec.size,
      ids.map((id) => ({ id, data: new Uint8Array(spec.size) })),
    );
    this.raw = new Float64Array(ids.length);
  }

  /**
   * Writes `values` (index-aligned with `ids`, encoded per register). Rejects with RegisterValueError and sends
   * nothing when any value does not fit.
   */
  write(values: ArrayLike<number>): Promise<void> {
    const { ids, raw, spec, packet } = this;
    if (values.length !== ids.length)
      return Promise.reject(
        new RangeError(
          `SYNC_WRITE of ${spec.name} needs ${ids.length} values (servos ${ids.join(', ')}), got ${values.length}`,
        ),
      );
    if (ids.length === 0) return WRITTEN;
    try {
      for (let i = 0; i < ids.length; i++) raw[i] = toRawRegisterValue(spec, values[i]);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const size = spec.size;
    for (let i = 0; i < ids.length; i++)
      putUintLE(packet, PARAMS_START + syncWriteBlockAt(i, spec.size) + 1, raw[i], size);
    resealPacket(packet);
    return this.send(packet);
  }
}
