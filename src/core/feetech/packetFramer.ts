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

/** Byte-stream framer; keeps at most one partial packet (≤ 254 bytes) between pushes. */
export class PacketFramer {
  private pending = new Uint8Array(0);
  private readonly stats: ParserCounters = { corrupt: 0, resyncBytes: 0 };

  /** `maxId`: largest acceptable ID byte; `maxCode`: largest acceptable instruction/error byte. */
  constructor(
    private readonly maxId: number,
    private readonly maxCode: number,
  ) {}

  /** Feeds bytes; returns the complete, checksum-valid frames they finish, in stream order. */
  push(chunk: Uint8Array): RawFrame[] {
    const buf = this.pending.length ? joined(this.pending, chunk) : chunk;
    const n = buf.length;
    const frames: RawFrame[] = [];
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
      frames.push({ id, code, params: buf.slice(pos + HEADER_BYTES, pos + total - 1) });
      pos += total;
    }
    this.pending = buf.slice(pos);
    return frames;
  }

  /** Copy of the counters since construction or the last reset(). */
  get counters(): ParserCounters {
    return { ...this.stats };
  }

  /** Bytes held back waiting for the rest of a packet (never more than 254). */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Forgets buffered bytes (e.g. after a timeout) and zeroes the counters. */
  reset(): void {
    this.pending = new Uint8Array(0);
    this.stats.corrupt = 0;
    this.stats.resyncBytes = 0;
  }

  /** Drops buffered bytes only, keeping the counters (counted as resync bytes). */
  discardBuffered(): void {
    this.stats.resyncBytes += this.pending.length;
    this.pending = new Uint8Array(0);
  }
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
