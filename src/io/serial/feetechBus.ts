// Feetech STS bus driver: one transaction at a time over any ByteTransport, with LeRobot's timeouts.
import {
  BROADCAST_ID,
  decodeRegister,
  encodePing,
  encodeRead,
  encodeRegister,
  encodeSyncRead,
  encodeSyncWrite,
  encodeWrite,
  register,
  STS3215_MODEL_NUMBER,
  StatusParser,
  type RegisterName,
  type StatusPacket,
} from '../../core/feetech';
import type { ByteTransport } from './byteTransport';
import { SerialPortDisconnectedError } from './serialPortErrors';
import { BusClosedError, ServoCorruptReplyError, ServoHardwareError, ServoNoReplyError } from './feetechBusErrors';

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

function zeroStats(): FeetechBusStats {
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

/** What one transaction waits for. */
interface Expectation {
  /** Ids that must answer, in request order; empty with `collectAll`. */
  readonly ids: readonly number[];
  /** Data bytes each reply must carry. */
  readonly dataLength: number;
  /** Reply window, ms. */
  readonly windowMs: number;
  /** Request for the ids still missing (resent after a corrupt reply). */
  readonly request: (missing: readonly number[]) => Uint8Array;
  /** Broadcast PING: gather every reply until the window closes. */
  readonly collectAll?: boolean;
  readonly operation: string;
  readonly address: number | undefined;
}

interface ActiveTransaction {
  readonly onPackets: (packets: StatusPacket[], corrupt: number) => void;
  readonly onClosed: (err: Error) => void;
}

/** Resends after corrupt replies within one window; bounded so a noisy bus cannot loop. */
const MAX_RESENDS_PER_WINDOW = 3;
/** Status packet bytes without data: FF FF ID LEN ERR CHK. */
const STATUS_BYTES = 6;
/** Broadcast PING window of the SDK: 6·252 bytes' time + 3 ms per possible id + 16 ms (≈ 787 ms at 1 Mbaud). */
const MAX_ID = 252;

/**
 * The driver. Calls are queued and run one after another, never interleaved on the wire. Each waits for its
 * replies in one window of tx·n + tx·3 + 50 ms (n = expected reply bytes, tx = byte time), like LeRobot.
 */
export class FeetechBus implements AsyncDisposable {
  private readonly parser = new StatusParser();
  private readonly statsValue = zeroStats();
  private readonly byteMs: number;
  private readonly latencyMs: number;
  private readonly retries: number;
  private tail: Promise<unknown> = Promise.resolve();
  private active: ActiveTransaction | undefined;
  /** A reply missed its window: it may still come, and must not be taken as the answer to the next request. */
  private lateReplyPossible = false;
  private closedBy: BusClosedError | undefined;
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly transport: ByteTransport,
    private readonly options: FeetechBusOptions = {},
  ) {
    this.byteMs = 10_000 / (options.baudRate ?? 1_000_000);
    this.latencyMs = options.latencyMs ?? 50;
    this.retries = options.retries ?? 0;
    this.unsubscribe = [transport.onData((bytes) => this.received(bytes)), transport.onClose((err) => this.lost(err))];
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
    if (new Set(ids).size !== ids.length) throw new RangeError(`SYNC_READ ids must be distinct, got ${ids.join(', ')}`);
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
    const byId = new Map(packets.map((p) => [p.id, p]));
    for (const id of ids) {
      const p = byId.get(id)!;
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

  /** Queued: a request without reply (SYNC_WRITE, broadcast WRITE). */
  private sendOnly(bytes: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.statsValue.transactions++;
      this.statsValue.bytesWritten += bytes.length;
      await this.transport.write(bytes).catch((err: Error) => {
        throw this.writeFailed(err);
      });
    });
  }

  /** Queued: a transaction with replies, retried `retries` times after a missing or corrupt reply. */
  private call(options: CallOptions, expect: Expectation): Promise<StatusPacket[]> {
    const retries = options.retries ?? this.retries;
    return this.enqueue(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.letLateRepliesPass();
          return await this.transact(expect);
        } catch (err) {
          const retryable = err instanceof ServoNoReplyError || err instanceof ServoCorruptReplyError;
          if (!retryable || attempt >= retries || this.closedBy) throw err;
          this.statsValue.retries++;
        }
      }
    });
  }

  /**
   * After a missed window, wait one more latency window with nobody listening: a reply that was only late (a loaded
   * machine, a pty) lands then and is counted stale. STS replies carry no address, so a late READ reply would
   * otherwise be taken for the next READ of the same servo — a wrong value, not an error.
   */
  private async letLateRepliesPass(): Promise<void> {
    if (!this.lateReplyPossible) return;
    this.lateReplyPossible = false;
    await new Promise((r) => setTimeout(r, this.latencyMs));
    this.parser.discardBuffered();
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closedBy) throw this.closedBy;
      return job();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private transact(expect: Expectation): Promise<StatusPacket[]> {
    return new Promise<StatusPacket[]>((resolve, reject) => {
      const first = expect.request(expect.ids); // may throw (bad id, too long): before anything is armed
      const got = new Map<number, StatusPacket>();
      const collected: StatusPacket[] = [];
      let round = expect.ids.slice(); // ids asked for by the latest request
      let roundReplies = 0;
      let roundCorrupt = 0;
      let corruptTotal = 0;
      let resends = 0;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;

      const settle = (err: Error | undefined) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.active = undefined;
        if (err) reject(err);
        else resolve(expect.collectAll ? collected : expect.ids.map((id) => got.get(id)!));
      };
      const missing = () => expect.ids.filter((id) => !got.has(id));
      const send = (bytes: Uint8Array) => {
        this.statsValue.transactions++;
        this.statsValue.bytesWritten += bytes.length;
        return this.transport.write(bytes);
      };

      this.active = {
        onPackets: (packets, corrupt) => {
          this.statsValue.corrupt += corrupt;
          corruptTotal += corrupt;
          roundCorrupt += corrupt;
          for (const p of packets) {
            if (p.error !== 0) this.statsValue.statusErrors++;
            if (expect.collectAll) {
              collected.push(p);
              continue;
            }
            if (!round.includes(p.id) || got.has(p.id) || p.params.length !== expect.dataLength) {
              this.statsValue.foreignPackets++; // the SDK skips packets from ids it did not ask
              continue;
            }
            got.set(p.id, p);
            roundReplies++;
          }
          if (expect.collectAll) return;
          const left = missing();
          if (left.length === 0) {
            settle(undefined);
            return;
          }
          // Every reply of this round is in, some corrupt: ask the silent ones again while the window lasts.
          if (roundCorrupt > 0 && roundReplies + roundCorrupt >= round.length && resends < MAX_RESENDS_PER_WINDOW) {
            resends++;
            this.statsValue.resends++;
            round = left;
            roundReplies = 0;
            roundCorrupt = 0;
            this.parser.discardBuffered();
            send(expect.request(left)).catch((err: Error) => settle(this.writeFailed(err)));
          }
        },
        onClosed: (err) => settle(err),
      };

      this.parser.discardBuffered(); // a partial packet left from an earlier call must not join this one
      send(first).then(
        () => {
          if (settled) return;
          // setImmediate runs after the event loop's I/O phase: bytes that arrived while the loop was busy
          // are parsed before we call the window missed (timers run before I/O in each loop turn).
          timer = setTimeout(
            () =>
              setImmediate(() => {
                if (settled) return;
                if (expect.collectAll) {
                  settle(undefined);
                  return;
                }
                this.statsValue.timeouts++;
                this.lateReplyPossible = true;
                const left = missing();
                settle(
                  corruptTotal > 0
                    ? new ServoCorruptReplyError(left[0], expect.address, this.port, expect.operation, corruptTotal)
                    : new ServoNoReplyError(
                        left[0],
                        expect.address,
                        this.port,
                        expect.operation,
                        expect.windowMs,
                        left,
                      ),
                );
              }),
            expect.windowMs,
          );
        },
        (err: Error) => settle(this.writeFailed(err)),
      );
    });
  }

  private received(bytes: Uint8Array): void {
    this.statsValue.bytesRead += bytes.length;
    const active = this.active;
    if (!active) {
      this.statsValue.staleBytes += bytes.length; // a late reply: nobody is waiting for it
      return;
    }
    const before = this.parser.counters.corrupt;
    const packets = this.parser.push(bytes);
    active.onPackets(packets, this.parser.counters.corrupt - before);
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
    this.active?.onClosed(reason);
  }
}
