// One transaction on the wire: send the request, gather the replies it expects within one window, ask again the
// servos whose reply came corrupt while the window lasts, try again after a missed window while retries last, and
// end with the caller's result or with the error that says who stayed silent. Apart from FeetechBus because the bus
// only queues and closes; this is what a transaction does. One ReplyWindow serves every call of its bus, reusing its
// state, listener and timers, so a steady SYNC_READ allocates nothing here.
import type { ByteTransport } from './byteTransport';
import { WRITTEN } from './byteTransport';
import { ServoCorruptReplyError, ServoNoReplyError } from './feetechBusErrors';
import type { FeetechBusStats } from './feetechBusStats';
import type { ReplyReader, WaitingTransaction } from './replyReader';

/** Where a transaction's replies go. Data is bytes[start, end), valid only during the call: copy what you keep. */
export interface ReplySink {
  /** The reply of `ids[index]`; called again for the same index on a later attempt after a missed window. */
  reply(index: number, error: number, bytes: Uint8Array, start: number, end: number): void;
  /** `collectAll` only: any reply, in arrival order. */
  collected?(id: number, error: number, bytes: Uint8Array, start: number, end: number): void;
  /** Every reply is in: called once, just before the transaction resolves. */
  complete?(): void;
}

/** What one transaction waits for. */
export interface Expectation {
  /** Ids that must answer, in request order; empty with `collectAll`. */
  readonly ids: readonly number[];
  /** Data bytes each reply must carry. */
  readonly dataLength: number;
  /** Reply window, ms. */
  readonly windowMs: number;
  /** Request for the ids still missing (resent after a corrupt reply); `ids` itself for the whole request. */
  readonly request: (missing: readonly number[]) => Uint8Array;
  /** Broadcast PING: gather every reply until the window closes. */
  readonly collectAll?: boolean;
  readonly operation: string;
  readonly address: number | undefined;
  /** Extra attempts after a missing or corrupt reply. */
  readonly retries: number;
  readonly sink: ReplySink;
}

/** What a window uses of its bus; made once by the bus. */
export interface WindowWire {
  readonly transport: ByteTransport;
  readonly reader: ReplyReader;
  /** The bus's live counters. */
  readonly stats: FeetechBusStats;
  /** Turns a write error into the error the call fails with (a lost port closes the bus). */
  readonly writeFailed: (err: Error) => Error;
  /** Why the bus ended, once it has: no attempt starts after that. */
  readonly closedBy: () => Error | undefined;
  /** The transaction has settled: the bus may start its next call (synchronously). */
  readonly release: () => void;
}

/** Resends after corrupt replies within one window; bounded so a noisy bus cannot loop. */
const MAX_RESENDS_PER_WINDOW = 3;

/** A missing or corrupt reply: worth another attempt. Anything else (a write error, a closed bus) is final. */
function retryable(err: Error): boolean {
  return err instanceof ServoNoReplyError || err instanceof ServoCorruptReplyError;
}

/** Runs one transaction at a time for a bus (the bus starts the next only after release()). */
export class ReplyWindow {
  private expect: Expectation | undefined;
  private result: unknown;
  private resolve: ((value: unknown) => void) | undefined;
  private reject: ((err: Error) => void) | undefined;
  /** Per index of `expect.ids`: its reply is in (got), it was asked in the latest request (asked). */
  private got = new Uint8Array(16);
  private asked = new Uint8Array(16);
  private gotCount = 0;
  private roundSize = 0;
  private roundReplies = 0;
  private roundCorrupt = 0;
  private corruptTotal = 0;
  private resends = 0;
  private attempt = 0;
  private listening = false;
  /** Counts attempts, so a deferred window check knows whether it is still the attempt it was made for. */
  private generation = 0;
  /** One timer per window length, refreshed by each attempt instead of a new setTimeout per call. */
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private armed: NodeJS.Timeout | undefined;
  private readonly listener: WaitingTransaction = {
    onReply: (id, error, bytes, start, end) => this.onReply(id, error, bytes, start, end),
    onChunk: (corrupt) => this.onChunk(corrupt),
    onClosed: (err) => this.end(err),
  };
  private readonly onSendFailed = (err: Error): void => {
    if (this.listening) this.end(this.wire.writeFailed(err));
  };
  private readonly onSent = (): void => {
    if (this.listening) this.arm();
  };

  constructor(private readonly wire: WindowWire) {}

  /**
   * Runs `expect` and settles through `resolve` (with `result`, once the sink has every reply) or `reject` (with
   * ServoNoReplyError / ServoCorruptReplyError when the last attempt's window closed first, or the write's or the
   * bus's error). The caller holds the bus: nothing else is on the wire until release().
   */
  start<T>(expect: Expectation, result: T, resolve: (value: T) => void, reject: (err: Error) => void): void {
    this.expect = expect;
    this.result = result;
    this.resolve = resolve as (value: unknown) => void;
    this.reject = reject;
    this.attempt = 0;
    if (this.got.length < expect.ids.length) {
      this.got = new Uint8Array(2 * expect.ids.length);
      this.asked = new Uint8Array(2 * expect.ids.length);
    }
    this.tryOnce();
  }

  /** The bus closed: no timer of ours may fire or keep the process alive. */
  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private tryOnce(): void {
    const expect = this.expect!;
    const { reader } = this.wire;
    const closed = this.wire.closedBy();
    if (closed) {
      this.settle(closed);
      return;
    }
    if (reader.lateReplyPossible) {
      // After a missed window, a late reply must land (and be dropped) before this request is answered.
      reader.letLateRepliesPass().then(() => this.tryOnce());
      return;
    }
    let first: Uint8Array;
    try {
      first = expect.request(expect.ids); // may throw (bad id, too long): before anything is armed
    } catch (err) {
      this.settle(err as Error);
      return;
    }
    const n = expect.ids.length;
    this.got.fill(0, 0, n);
    this.asked.fill(1, 0, n);
    this.gotCount = 0;
    this.roundSize = n;
    this.roundReplies = 0;
    this.roundCorrupt = 0;
    this.corruptTotal = 0;
    this.resends = 0;
    this.listening = true;
    this.generation++;
    reader.listen(this.listener);
    reader.discardBuffered(); // a partial packet left from an earlier call must not join this one
    const sent = this.send(first);
    if (sent === WRITTEN) this.arm();
    else sent.then(this.onSent, this.onSendFailed);
  }

  private send(bytes: Uint8Array): Promise<void> {
    this.wire.stats.transactions++;
    this.wire.stats.bytesWritten += bytes.length;
    return this.wire.transport.write(bytes);
  }

  private onReply(id: number, error: number, bytes: Uint8Array, start: number, end: number): void {
    const expect = this.expect!;
    const { stats } = this.wire;
    if (error !== 0) stats.statusErrors++;
    if (expect.collectAll) {
      expect.sink.collected?.(id, error, bytes, start, end);
      return;
    }
    const index = expect.ids.indexOf(id);
    if (index < 0 || this.asked[index] === 0 || this.got[index] === 1 || end - start !== expect.dataLength) {
      stats.foreignPackets++; // the SDK skips packets from ids it did not ask
      return;
    }
    this.got[index] = 1;
    this.gotCount++;
    this.roundReplies++;
    expect.sink.reply(index, error, bytes, start, end);
  }

  private onChunk(corrupt: number): void {
    const expect = this.expect!;
    this.wire.stats.corrupt += corrupt;
    this.corruptTotal += corrupt;
    this.roundCorrupt += corrupt;
    if (expect.collectAll) return;
    if (this.gotCount === expect.ids.length) {
      this.end(undefined);
      return;
    }
    // Every reply of this round is in, some corrupt: ask the silent ones again while the window lasts.
    if (
      this.roundCorrupt > 0 &&
      this.roundReplies + this.roundCorrupt >= this.roundSize &&
      this.resends < MAX_RESENDS_PER_WINDOW
    ) {
      this.resends++;
      this.wire.stats.resends++;
      const left = this.missing();
      this.asked.fill(0, 0, expect.ids.length);
      for (const id of left) this.asked[expect.ids.indexOf(id)] = 1;
      this.roundSize = left.length;
      this.roundReplies = 0;
      this.roundCorrupt = 0;
      this.wire.reader.discardBuffered();
      this.send(expect.request(left)).catch(this.onSendFailed);
    }
  }

  private missing(): number[] {
    return this.expect!.ids.filter((_, i) => this.got[i] === 0);
  }

  private arm(): void {
    const ms = this.expect!.windowMs;
    let timer = this.timers.get(ms);
    if (timer) timer.refresh();
    else {
      const made = setTimeout(() => this.elapsed(made), ms);
      this.timers.set(ms, made);
      timer = made;
    }
    timer.ref(); // a call waiting for replies keeps the process alive; end() lets go
    this.armed = timer;
  }

  /**
   * A window timer fired. It belongs to the attempt that last armed it (each arming refreshes it). setImmediate runs
   * after the event loop's I/O phase: bytes that arrived while the loop was busy are parsed before we call the
   * window missed (timers run before I/O in each loop turn).
   */
  private elapsed(timer: NodeJS.Timeout): void {
    if (!this.listening || this.armed !== timer) return;
    const generation = this.generation;
    setImmediate(() => {
      if (this.listening && this.generation === generation) this.windowClosed();
    });
  }

  private windowClosed(): void {
    const expect = this.expect!;
    if (expect.collectAll) {
      this.end(undefined);
      return;
    }
    this.wire.stats.timeouts++;
    this.wire.reader.windowMissed();
    const left = this.missing();
    const port = this.wire.transport.description;
    this.end(
      this.corruptTotal > 0
        ? new ServoCorruptReplyError(left[0], expect.address, port, expect.operation, this.corruptTotal)
        : new ServoNoReplyError(left[0], expect.address, port, expect.operation, expect.windowMs, left),
    );
  }

  /** This attempt is over: try again after a missing or corrupt reply while retries last, else settle. */
  private end(err: Error | undefined): void {
    if (!this.listening) return;
    this.listening = false;
    this.generation++;
    this.armed?.unref();
    this.armed = undefined;
    this.wire.reader.stopListening();
    if (err && retryable(err) && this.attempt < this.expect!.retries && !this.wire.closedBy()) {
      this.attempt++;
      this.wire.stats.retries++;
      this.tryOnce();
      return;
    }
    if (!err) {
      try {
        this.expect!.sink.complete?.();
      } catch (failed) {
        err = failed as Error; // e.g. an onStatusError callback that threw: the call fails with it
      }
    }
    this.settle(err);
  }

  private settle(err: Error | undefined): void {
    const { resolve, reject, result } = this;
    this.expect = undefined;
    this.result = undefined;
    this.resolve = undefined;
    this.reject = undefined;
    this.wire.release();
    if (err) reject!(err);
    else resolve!(result);
  }
}
