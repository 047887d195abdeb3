// Streaming parser for servo → host status packets (FF FF ID LEN ERR data CHK).
import { errorBitsOf, type ServoErrorBit } from './errorBits';
import { PacketFramer, type FrameVisitor, type ParserCounters } from './packetFramer';

/** One status packet from a servo. */
export interface StatusPacket {
  readonly id: number;
  /** Raw ERR byte. */
  readonly error: number;
  readonly errorBits: ServoErrorBit[];
  readonly params: Uint8Array;
}

/**
 * Turns a byte stream from the bus into status packets. Survives split and merged chunks, garbage,
 * bad checksums (dropped and counted) and headers the SDK would reject (ID > 0xFD, LEN > 250, ERR > 0x7F).
 */
export class StatusParser {
  private readonly framer = new PacketFramer(0xfd, 0x7f);

  /** Feeds received bytes; returns the status packets completed by them, in order. */
  push(chunk: Uint8Array): StatusPacket[] {
    return this.framer
      .push(chunk)
      .map((f) => ({ id: f.id, error: f.code, errorBits: errorBitsOf(f.code), params: f.params }));
  }

  /**
   * Feeds received bytes and hands each status packet they finish to `visit` as (id, ERR byte, bytes, start, end),
   * the data being bytes[start, end) and valid only during the call: the bus's allocation-free path.
   */
  scan(chunk: Uint8Array, visit: FrameVisitor): void {
    this.framer.scan(chunk, visit);
  }

  /** Checksum failures so far, without copying the counters. */
  get corruptCount(): number {
    return this.framer.corruptCount;
  }

  /** `{ corrupt, resyncBytes }` since construction or reset(). */
  get counters(): ParserCounters {
    return this.framer.counters;
  }

  /** Bytes held waiting for the rest of a packet (bounded by one maximal packet). */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  /** Drops stale partial input before a new transaction, keeping the counters. */
  discardBuffered(): void {
    this.framer.discardBuffered();
  }

  /** Drops buffered bytes and zeroes the counters. */
  reset(): void {
    this.framer.reset();
  }
}
