// One transaction on the wire: send the request, gather the replies it expects within one window, ask again the
// servos whose reply came corrupt while the window lasts, and end with the packets or with the error that says who
// stayed silent. Apart from FeetechBus because the bus only queues, retries and closes; this is what one try does.
import type { StatusPacket } from '../../core/feetech';
import type { ByteTransport } from './byteTransport';
import { ServoCorruptReplyError, ServoNoReplyError } from './feetechBusErrors';
import type { FeetechBusStats } from './feetechBusStats';
import type { ReplyReader } from './replyReader';

/** What one transaction waits for. */
export interface Expectation {
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

/** What a window uses of its bus; the bus makes one at construction, so a transaction allocates no more for it. */
export interface WindowWire {
  readonly transport: ByteTransport;
  readonly reader: ReplyReader;
  /** The bus's live counters. */
  readonly stats: FeetechBusStats;
  /** Turns a write error into the error the call fails with (a lost port closes the bus). */
  readonly writeFailed: (err: Error) => Error;
}

/** Resends after corrupt replies within one window; bounded so a noisy bus cannot loop. */
const MAX_RESENDS_PER_WINDOW = 3;

/**
 * Sends `expect`'s request and resolves with its replies (in `expect.ids` order; in arrival order with
 * `collectAll`), or rejects with ServoNoReplyError / ServoCorruptReplyError when the window closes first.
 */
export function transact(wire: WindowWire, expect: Expectation): Promise<StatusPacket[]> {
  return new Promise<StatusPacket[]>((resolve, reject) => {
    const first = expect.request(expect.ids); // may throw (bad id, too long): before anything is armed
    const { reader, stats } = wire;
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
      reader.stopListening();
      if (err) reject(err);
      else resolve(expect.collectAll ? collected : expect.ids.map((id) => got.get(id)!));
    };
    const missing = () => expect.ids.filter((id) => !got.has(id));
    const send = (bytes: Uint8Array) => {
      stats.transactions++;
      stats.bytesWritten += bytes.length;
      return wire.transport.write(bytes);
    };

    reader.listen({
      onPackets: (packets, corrupt) => {
        stats.corrupt += corrupt;
        corruptTotal += corrupt;
        roundCorrupt += corrupt;
        for (const p of packets) {
          if (p.error !== 0) stats.statusErrors++;
          if (expect.collectAll) {
            collected.push(p);
            continue;
          }
          if (!round.includes(p.id) || got.has(p.id) || p.params.length !== expect.dataLength) {
            stats.foreignPackets++; // the SDK skips packets from ids it did not ask
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
          stats.resends++;
          round = left;
          roundReplies = 0;
          roundCorrupt = 0;
          reader.discardBuffered();
          send(expect.request(left)).catch((err: Error) => settle(wire.writeFailed(err)));
        }
      },
      onClosed: (err) => settle(err),
    });

    reader.discardBuffered(); // a partial packet left from an earlier call must not join this one
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
              stats.timeouts++;
              reader.windowMissed();
              const left = missing();
              const port = wire.transport.description;
              settle(
                corruptTotal > 0
                  ? new ServoCorruptReplyError(left[0], expect.address, port, expect.operation, corruptTotal)
                  : new ServoNoReplyError(left[0], expect.address, port, expect.operation, expect.windowMs, left),
              );
            }),
          expect.windowMs,
        );
      },
      (err: Error) => settle(wire.writeFailed(err)),
    );
  });
}
