// Feetech STS bus driver: one transaction at a time over any ByteTransport, with LeRobot's timeouts. Here: the
// public calls, their queue and the bus's end. A transaction on the wire (resends, retries) is replyWindow.ts,
// parsing what arrives (and the late-reply guard) replyReader.ts, the calls prepared once for every control tick
// preparedSync.ts, the counters feetechBusStats.ts.
import {
  BROADCAST_ID,
  decodeRegister,
  errorBitsOf,
  encodePing,
  encodeRead,
  encodeRegister,
  encodeSyncRead,
  encodeSyncWrite,
  encodeWrite,
  register,
  STS3215_MODEL_NUMBER,
  type RegisterName,
  type StatusPacket,
} from '../../core/feetech';
import { WRITTEN, type ByteTransport } from './byteTransport';
import { SerialPortDisconnectedError } from './serialPortErrors';
import { BusClosedError, ServoHardwareError } from './feetechBusErrors';
import { zeroStats, type FeetechBusStats } from './feetechBusStats';
import { ReplyReader } from './replyReader';
import { checkDistinctIds, PreparedSyncRead, PreparedSyncWrite } from './preparedSync';
import { ReplyWindow, type Expectation, type ReplySink } from './replyWindow';

export interface FeetechBusOptions {
  /** Bus baud rate, for the wire-time part of the timeouts; default 1 000 000. */
  readonly baudRate?: number;
  /** Fixed part of every reply window, ms; default 50 (LeRobot's patched setPacketTimeout). */
  readonly latencyMs?: number;
  /** Extra attempts after a missing or corrupt reply; default 0 like LeRobot (its follower reads use 2). */
  readonly retries?: number;
  /** Close the transport when the bus is closed; default true. */
  readonly ownsTransport?: boolean;
  /** Called for error bits in SYNC_READ replies, which (like LeRobot) do not fail the read. */
  readonly onStatusError?: (id: number, errorByte: number) => void;
}

/** Per-call overrides. */
export interface CallOptions {
  readonly retries?: number;
}

/** A decoded SYNC_READ with the status error bytes of the replies that had any. */
export interface SyncReadResult {
  /** id → decoded value, in request order. */
  readonly values: Map<number, number>;
  /** id → ERR byte, only for replies whose ERR byte was not 0. */
  readonly errors: Map<number, number>;
}

/** Status packet bytes without data: FF FF ID LEN ERR CHK. */
const STATUS_BYTES = 6;
/** Broadcast PING window of the SDK: 6·252 bytes' time + 3 ms per possible id + 16 ms (≈ 787 ms at 1 Mbaud). */
const MAX_ID = 252;

/**
 * The driver. Calls are queued and run one after another, never interleaved on the wire. Each waits for its
 * replies in one window of tx·n + tx·3 + 50 ms (n = expected reply bytes, tx = byte time), like LeRobot.
 */
export class FeetechBus implements AsyncDisposable {
  private readonly statsValue = zeroStats();
  private readonly reader: ReplyReader;
  private readonly window: ReplyWindow;
  private readonly byteMs: number;
  private readonly latencyMs: number;
  private readonly retries: number;
  /** A call holds the wire; later ones wait in `waiting` (their starters), in call order. */
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private closedBy: BusClosedError | undefined;
  /** Where the Promise executor leaves its resolving functions: one executor for every call, no closure per call. */
  private captured: { resolve: (value: never) => void; reject: (err: Error) => void } = {
    resolve: () => undefined,
    reject: () => undefined,
  };
  private readonly capture = (resolve: (value: never) => void, reject: (err: Error) => void): void => {
    this.captured.resolve = resolve;
    this.captured.reject = reject;
  };
  private readonly runTransaction = <T>(expect: Expectation, result: T): Promise<T> => this.transaction(expect, result);
  private readonly sendBytes = (bytes: Uint8Array): Promise<void> => this.sendOnly(bytes);
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly transport: ByteTransport,
    private readonly options: FeetechBusOptions = {},
  ) {
    this.byteMs = 10_000 / (options.baudRate ?? 1_000_000);
    this.latencyMs = options.latencyMs ?? 50;
    this.retries = options.retries ?? 0;
    this.reader = new ReplyReader(this.statsValue, this.latencyMs);
    this.window = new ReplyWindow({
      transport,
      reader: this.reader,
      stats: this.statsValue,
      writeFailed: (err) => this.writeFailed(err),
      closedBy: () => this.closedBy,
      release: () => this.release(),
    });
    this.unsubscribe = [
      transport.onData((bytes) => this.reader.received(bytes)),
      transport.onClose((err) => this.lost(err)),
    ];
  }

  /** Port or simulator description used in messages. */
  get port(): string {
    return this.transport.description;
  }

  /** A copy of the counters. */
  get stats(): FeetechBusStats {
    return { ...this.statsValue };
  }

  resetStats(): void {
    Object.assign(this.statsValue, zeroStats());
  }

  /** Whether calls can still run. */
  get isOpen(): boolean {
    return this.closedBy === undefined;
  }

  /** Reply window for `replyBytes` expected bytes: tx·n + tx·3 + latency, in ms. */
  windowMs(replyBytes: number): number {
    return this.byteMs * replyBytes + this.byteMs * 3 + this.latencyMs;
  }

  /** PING one servo; rejects with ServoNoReplyError, or ServoHardwareError when it reports error bits. */
  async ping(id: number, options: CallOptions = {}): Promise<void> {
    const packets = await this.call(options, {
      ids: [id],
      dataLength: 0,
      windowMs: this.windowMs(STATUS_BYTES),
      request: () => encodePing(id),
      operation: 'PING',
      address: undefined,
    });
    this.checkError(packets[0], 'PING');
  }

  /** READ a named register (decoded, sign-magnitude applied) or `length` raw bytes at `address`. */
  read(id: number, register: RegisterName, options?: CallOptions): Promise<number>;
  read(id: number, address: number, length: number, options?: CallOptions): Promise<Uint8Array>;
  async read(
    id: number,
    what: RegisterName | number,
    lengthOrOptions?: number | CallOptions,
    maybeOptions?: CallOptions,
  ): Promise<number | Uint8Array> {
    if (typeof what === 'string') {
      const spec = register(what);
      const data = await this.readBytes(
        id,
        spec.address,
        spec.size,
        (lengthOrOptions as CallOptions | undefined) ?? {},
        `READ`,
      );
      return decodeRegister(spec.name, data);
    }
    return this.readBytes(id, what, lengthOrOptions as number, maybeOptions ?? {}, 'READ');
  }

  /** Model_Number (3–4); 777 for the SO-100's STS3215. */
  readModel(id: number, options?: CallOptions): Promise<number> {
    return this.read(id, 'Model_Number', options);
  }

  /** Whether a servo answers as an STS3215 (PING then model, as LeRobot's handshake does). */
  async isSts3215(id: number, options?: CallOptions): Promise<boolean> {
    await this.ping(id, options);
    return (await this.readModel(id, options)) === STS3215_MODEL_NUMBER;
  }

  /** WRITE a named register, encoded (sign-magnitude, little-endian); waits for the status reply. */
  async write(id: number, name: RegisterName, value: number, options?: CallOptions): Promise<void> {
    const spec = register(name);
    return this.writeBytes(id, spec.address, encodeRegister(spec.name, value), options);
  }

  /** WRITE raw bytes; to the broadcast id it returns once sent, since nothing answers. */
  async writeBytes(id: number, address: number, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    const request = () => encodeWrite(id, address, data);
    if (id === BROADCAST_ID) {
      await this.sendOnly(request());
      return;
    }
    const packets = await this.call(options, {
      ids: [id],
      dataLength: 0,
      windowMs: this.windowMs(STATUS_BYTES),
      request,
      operation: 'WRITE',
      address,
    });
    this.checkError(packets[0], 'WRITE');
  }

  /**
   * SYNC_READ a named register from several servos with one request; every reply must arrive within one
   * window. Returns id → decoded value. Error bits in replies are reported through onStatusError only
   * (syncReadWithStatus returns them).
   */
  async syncRead(name: RegisterName, ids: readonly number[], options?: CallOptions): Promise<Map<number, number>> {
    const spec = register(name);
    const raw = await this.syncReadBytes(spec.address, spec.size, ids, options);
    const out = new Map<number, number>();
    for (const [id, data] of raw) out.set(id, decodeRegister(spec.name, data));
    return out;
  }

  /**
   * SYNC_READ a named register and also return each reply's ERR byte (id → byte, only the non-zero ones), for
   * callers that decide themselves which error bits stop them (So100Robot.observe).
   */
  async syncReadWithStatus(name: RegisterName, ids: readonly number[], options?: CallOptions): Promise<SyncReadResult> {
    const spec = register(name);
    const { data, errors } = await this.syncReadPackets(spec.address, spec.size, ids, options);
    const values = new Map<number, number>();
    for (const [id, bytes] of data) values.set(id, decodeRegister(spec.name, bytes));
    return { values, errors };
  }

  /** SYNC_READ raw bytes; id → data, in request order. */
  async syncReadBytes(
    address: number,
    length: number,
    ids: readonly number[],
    options: CallOptions = {},
  ): Promise<Map<number, Uint8Array>> {
    return (await this.syncReadPackets(address, length, ids, options)).data;
  }

  /** SYNC_WRITE a named register to several servos (encoded per register); no servo answers. */
  async syncWrite(
    name: RegisterName,
    values: ReadonlyMap<number, number> | Iterable<readonly [number, number]>,
  ): Promise<void> {
    const spec = register(name);
    const entries = [...values].map(([id, value]) => ({ id, data: encodeRegister(spec.name, value) }));
    if (entries.length === 0) return;
    await this.sendOnly(encodeSyncWrite(spec.address, spec.size, entries));
  }

  /**
   * A SYNC_READ of `name` from `ids` prepared for every control tick: each read() sends the same request and
   * decodes the replies into one SyncReading (values and ERR bytes by index), allocating nothing on the way.
   * Error bits go to onStatusError as with syncRead. Throws RangeError for repeated ids.
   */
  syncReader(name: RegisterName, ids: readonly number[], options: CallOptions = {}): PreparedSyncRead {
    const spec = register(name);
    return new PreparedSyncRead(
      spec,
      ids,
      this.windowMs((STATUS_BYTES + spec.size) * ids.length),
      options.retries ?? this.retries,
      this.runTransaction,
      this.options.onStatusError,
    );
  }

  /** A SYNC_WRITE of `name` to `ids` prepared for every control tick: write(values) rewrites one packet in place. */
  syncWriter(name: RegisterName, ids: readonly number[]): PreparedSyncWrite {
    return new PreparedSyncWrite(register(name), ids, this.sendBytes);
  }

  /**
   * Broadcast PING: every servo answers; collects replies until the window closes (default the SDK's ≈ 787 ms
   * at 1 Mbaud). Returns the ids in answer order — an id twice means two servos share it.
   */
  async broadcastPing(options: { windowMs?: number } = {}): Promise<number[]> {
    const windowMs = options.windowMs ?? this.byteMs * STATUS_BYTES * MAX_ID + 3 * MAX_ID + 16;
    const packets = await this.call(
      { retries: 0 },
      {
        ids: [],
        dataLength: 0,
        windowMs,
        request: () => encodePing(BROADCAST_ID),
        collectAll: true,
        operation: 'broadcast PING',
        address: undefined,
      },
    );
    return packets.map((p) => p.id);
  }

  /** Rejects queued and running calls, detaches from the transport and (by default) closes it. */
  async close(): Promise<void> {
    if (!this.closedBy) this.shutDown(new BusClosedError(this.port));
    if (this.options.ownsTransport ?? true) await this.transport.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ----- internals -----

  private async syncReadPackets(
    address: number,
    length: number,
    ids: readonly number[],
    options: CallOptions = {},
  ): Promise<{ data: Map<number, Uint8Array>; errors: Map<number, number> }> {
    checkDistinctIds(ids);
    const data = new Map<number, Uint8Array>();
    const errors = new Map<number, number>();
    if (ids.length === 0) return { data, errors };
    const packets = await this.call(options, {
      ids,
      dataLength: length,
      windowMs: this.windowMs((STATUS_BYTES + length) * ids.length),
      request: (missing) => encodeSyncRead(address, length, missing),
      operation: 'SYNC_READ',
      address,
    });
    // The replies come in `ids` order.
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const p = packets[i];
      if (p.error !== 0) {
        errors.set(id, p.error);
        this.options.onStatusError?.(id, p.error);
      }
      data.set(id, p.params);
    }
    return { data, errors };
  }

  private async readBytes(
    id: number,
    address: number,
    length: number,
    options: CallOptions,
    operation: string,
  ): Promise<Uint8Array> {
    const packets = await this.call(options, {
      ids: [id],
      dataLength: length,
      windowMs: this.windowMs(STATUS_BYTES + length),
      request: () => encodeRead(id, address, length),
      operation,
      address,
    });
    this.checkError(packets[0], operation);
    return packets[0].params;
  }

  private checkError(packet: StatusPacket, operation: string): void {
    if (packet.error !== 0) throw new ServoHardwareError(packet.id, packet.error, this.port, operation);
  }

  /** A transaction whose replies become StatusPackets (in `ids` order; in arrival order with collectAll). */
  private call(options: CallOptions, expect: Omit<Expectation, 'retries' | 'sink'>): Promise<StatusPacket[]> {
    const packets: StatusPacket[] = [];
    const packet = (id: number, error: number, bytes: Uint8Array, start: number, end: number): StatusPacket => ({
      id,
      error,
      errorBits: errorBitsOf(error),
      params: bytes.slice(start, end),
    });
    const sink: ReplySink = {
      reply: (index, error, bytes, start, end) => {
        packets[index] = packet(expect.ids[index], error, bytes, start, end);
      },
      collected: (id, error, bytes, start, end) => {
        packets.push(packet(id, error, bytes, start, end));
      },
    };
    return this.transaction({ ...expect, retries: options.retries ?? this.retries, sink }, packets);
  }

  /** Queued: a transaction with replies, retried by the window after a missing or corrupt reply. */
  private transaction<T>(expect: Expectation, result: T): Promise<T> {
    const promise = new Promise<T>(this.capture);
    const { resolve, reject } = this.captured as { resolve: (value: T) => void; reject: (err: Error) => void };
    if (!this.busy) {
      this.busy = true;
      this.window.start(expect, result, resolve, reject);
    } else this.waiting.push(() => this.window.start(expect, result, resolve, reject));
    return promise;
  }

  /**
   * Queued: a request without reply (SYNC_WRITE, broadcast WRITE). When the transport takes the bytes at once (the
   * steady path) it returns the transport's settled WRITTEN and allocates nothing.
   */
  private sendOnly(bytes: Uint8Array): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return this.sendHoldingBus(bytes);
    }
    const copy = bytes.slice(); // the caller may reuse its buffer (a prepared SYNC_WRITE) before this one goes out
    return new Promise<void>((resolve, reject) =>
      this.waiting.push(() => this.sendHoldingBus(copy).then(resolve, reject)),
    );
  }

  /** Writes while holding the bus, and lets go once the transport has the bytes. */
  private sendHoldingBus(bytes: Uint8Array): Promise<void> {
    if (this.closedBy) {
      this.release();
      return Promise.reject(this.closedBy);
    }
    this.statsValue.transactions++;
    this.statsValue.bytesWritten += bytes.length;
    const sent = this.transport.write(bytes);
    if (sent === WRITTEN) {
      this.release();
      return WRITTEN;
    }
    return sent.then(
      () => this.release(),
      (err: Error) => {
        this.release();
        throw this.writeFailed(err);
      },
    );
  }

  /** The call holding the bus is done: start the next waiting one, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /** A lost port fails this and every later call with BusClosedError; other write errors fail this call. */
  private writeFailed(err: Error): Error {
    if (!this.closedBy && err instanceof SerialPortDisconnectedError) this.shutDown(new BusClosedError(this.port, err));
    return this.closedBy ?? err;
  }

  private lost(err: Error | undefined): void {
    if (this.closedBy) return;
    this.shutDown(new BusClosedError(this.port, err ?? new Error('the port was closed')));
  }

  private shutDown(reason: BusClosedError): void {
    this.closedBy = reason;
    for (const off of this.unsubscribe) off();
    this.reader.closed(reason);
    this.window.dispose();
  }
}
