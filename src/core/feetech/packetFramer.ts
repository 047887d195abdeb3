// Streaming framer shared by the status and instruction parsers: finds FF FF headers in arbitrary
// chunks, checks the header fields and the checksum, and resyncs one byte at a time like the SDK.
import { checksum } from './packet';

/** Largest LEN the SDK accepts before resyncing (RXPACKET_MAX_LEN). */
const MAX_LEN = 250;
const HEADER_BYTES = 5; // FF FF ID LEN INSTR/ERR

/** Parser health counters: checksum failures, and bytes thrown away that were not part of a good packet. */
export interface ParserCounters {
  corrupt: number;
  resyncBytes: number;
}

/** One checked frame: the id, the instruction or error byte, and the parameters. */
export interface RawFrame {
  readonly id: number;
  readonly code: number;
  readonly params: Uint8Array;
}

/**
 * Called for each checked frame during scan(): `bytes[start, end)` are its parameters. The view is only valid during
 * the call (it may be the caller's chunk or the framer's own buffer): copy what you keep.
 */
export type FrameVisitor = (id: number, code: number, bytes: Uint8Array, start: number, end: number) => void;

/** Longest packet: FF FF ID LEN plus LEN ≤ 250 bytes. A partial one is all the framer keeps between chunks. */
const MAX_PACKET_BYTES = MAX_LEN + 4;

/** Byte-stream framer; keeps at most one partial packet (≤ 254 bytes) between pushes, in buffers it reuses. */
export class PacketFramer {
  /** The partial packet kept from the last chunk: pending[0, pendingLength). */
  private readonly pending = new Uint8Array(MAX_PACKET_BYTES);
  private pendingLength = 0;
  /** The partial packet followed by the next chunk, when there was one; grows to the longest chunk seen. */
  private joinBuffer = new Uint8Array(2 * MAX_PACKET_BYTES);
  private readonly stats: ParserCounters = { corrupt: 0, resyncBytes: 0 };

  /** `maxId`: largest acceptable ID byte; `maxCode`: largest acceptable instruction/error byte. */
  constructor(
    private readonly maxId: number,
    private readonly maxCode: number,
  ) {}

  /** Feeds bytes; returns the complete, checksum-valid frames they finish, in stream order. */
  push(chunk: Uint8Array): RawFrame[] {
    const frames: RawFrame[] = [];
    this.scan(chunk, (id, code, bytes, start, end) => frames.push({ id, code, params: bytes.slice(start, end) }));
    return frames;
  }

  /**
   * Feeds bytes and hands each frame they finish to `visit`, in stream order, allocating nothing once the join
   * buffer has grown to the chunk size: the bus's steady path parses every reply this way.
   */
  scan(chunk: Uint8Array, visit: FrameVisitor): void {
    let buf = chunk;
    let n = chunk.length;
    if (this.pendingLength > 0) {
      n = this.pendingLength + chunk.length;
      if (this.joinBuffer.length < n) this.joinBuffer = new Uint8Array(2 * n);
      buf = this.joinBuffer;
      for (let k = 0; k < this.pendingLength; k++) buf[k] = this.pending[k]; // a loop: subarray() would allocate
      buf.set(chunk, this.pendingLength);
    }
    let pos = 0;
    for (;;) {
      let i = pos;
      while (i + 1 < n && !(buf[i] === 0xff && buf[i + 1] === 0xff)) i++;
      if (i + 1 >= n) {
        // No full header left: keep a trailing FF, it may be the first header byte of the next chunk.
        const keepFrom = n > pos && buf[n - 1] === 0xff ? n - 1 : n;
        this.stats.resyncBytes += keepFrom - pos;
        pos = keepFrom;
        break;
      }
      this.stats.resyncBytes += i - pos;
      pos = i;
      if (n - pos < HEADER_BYTES) break;
      const id = buf[pos + 2];
      const len = buf[pos + 3];
      const code = buf[pos + 4];
      if (id > this.maxId || len < 2 || len > MAX_LEN || code > this.maxCode) {
        pos += 1; // not a header after all: drop one byte and look again
        this.stats.resyncBytes += 1;
        continue;
      }
      const total = len + 4;
      if (n - pos < total) break;
      if (checksum(buf, pos + 2, pos + total - 1) !== buf[pos + total - 1]) {
        // Resync after the first header byte: a good packet may start inside the bad one.
        this.stats.corrupt += 1;
        this.stats.resyncBytes += 1;
        pos += 1;
        continue;
      }
      visit(id, code, buf, pos + HEADER_BYTES, pos + total - 1);
      pos += total;
    }
    // What is left is one partial packet at most (the loop stops only at an incomplete header or packet).
    this.pendingLength = n - pos;
    for (let k = 0; k < this.pendingLength; k++) this.pending[k] = buf[pos + k];
  }

  /** Checksum failures since construction or reset(), without copying the counters. */
  get corruptCount(): number {
    return this.stats.corrupt;
  }

  /** Copy of the counters since construction or the last reset(). */
  get counters(): ParserCounters {
    return { ...this.stats };
  }

  /** Bytes held back waiting for the rest of a packet (never more than 254). */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Forgets buffered bytes (e.g. after a timeout) and zeroes the counters. */
  reset(): void {
    this.pendingLength = 0;
    this.stats.corrupt = 0;
    this.stats.resyncBytes = 0;
  }

  /** Drops buffered bytes only, keeping the counters (counted as resync bytes). */
  discardBuffered(): void {
    this.stats.resyncBytes += this.pendingLength;
    this.pendingLength = 0;
  }
}
