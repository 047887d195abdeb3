// Splits a stream of binary PPM (P6) images into RGB frames: what ffmpeg writes for `-f image2pipe -c:v ppm`. Each
// image carries its own size in a short text header, so a video is read without asking its size first. Holds at most
// one chunk and one unfinished frame, so a reader that pulls chunks only when it wants a frame keeps memory bounded.
import type { RgbFrame } from '../convert/lerobotObservation';

/** A stream that is not binary 8-bit PPM; the message says what was found. */
export class PpmStreamError extends Error {
  override readonly name = 'PpmStreamError';
}

/** Longer than any header ffmpeg writes ("P6\n<w> <h>\n255\n"): more means the stream is not PPM. */
const MAX_HEADER = 256;
const EMPTY: Uint8Array = new Uint8Array(0);
/** 1 GiB of pixels: a larger size is a corrupt header, not a camera frame. */
const MAX_PIXEL_BYTES = 1 << 30;

export interface PpmHeader {
  readonly width: number;
  readonly height: number;
  /** Bytes of the header, up to the first pixel byte. */
  readonly length: number;
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;

/** The header at the start of `bytes`; undefined while it is not whole yet. */
export function parsePpmHeader(bytes: Uint8Array): PpmHeader | undefined {
  if (bytes.length >= 1 && bytes[0] !== 0x50) throw new PpmStreamError(notPpm(bytes));
  if (bytes.length >= 2 && bytes[1] !== 0x36) throw new PpmStreamError(notPpm(bytes));
  if (bytes.length <= 2) return undefined;
  const fields: number[] = [];
  let at = 2;
  while (fields.length < 3) {
    // Whitespace and comments ("#" to the end of the line) separate the fields.
    while (at < bytes.length && (isSpace(bytes[at]) || bytes[at] === 0x23)) {
      if (bytes[at] === 0x23) while (at < bytes.length && bytes[at] !== 0x0a) at++;
      else at++;
    }
    const start = at;
    while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) at++;
    if (at === bytes.length) return tooLong(bytes);
    if (at === start || !isSpace(bytes[at])) throw new PpmStreamError(notPpm(bytes));
    fields.push(Number(String.fromCharCode(...bytes.subarray(start, at))));
  }
  const [width, height, maxval] = fields;
  if (maxval !== 255) throw new PpmStreamError(`a PPM image of ${maxval + 1} levels per channel; only 8-bit is read`);
  if (width === 0 || height === 0 || width * height * 3 > MAX_PIXEL_BYTES)
    throw new PpmStreamError(`a PPM image of ${width}×${height} pixels`);
  return { width, height, length: at + 1 }; // one whitespace byte ends the header
}

function tooLong(bytes: Uint8Array): undefined {
  if (bytes.length > MAX_HEADER) throw new PpmStreamError(notPpm(bytes));
  return undefined;
}

function notPpm(bytes: Uint8Array): string {
  const start = String.fromCharCode(...bytes.subarray(0, 16)).replace(/[^\x20-\x7e]/g, '.');
  return `not a binary PPM image stream (it starts "${start}")`;
}

export class PpmFrameSplitter {
  private chunk: Uint8Array = EMPTY;
  private at = 0;
  private header: Uint8Array = EMPTY;
  private body: { width: number; height: number; data: Uint8Array; filled: number } | undefined;
  private scratch: Uint8Array = EMPTY;

  /** Whether the last chunk given is used up (the next `push` may come). */
  get drained(): boolean {
    return this.at >= this.chunk.length;
  }

  /** Whether bytes of an image not yet whole are held: a stream that ends now was cut mid-image. */
  get midImage(): boolean {
    return this.header.length > 0 || this.body !== undefined;
  }

  /** Gives the next bytes of the stream; only once the previous chunk is drained, so at most one is held. */
  push(chunk: Uint8Array): void {
    if (!this.drained) throw new Error('PpmFrameSplitter.push before the previous chunk was drained');
    this.chunk = chunk;
    this.at = 0;
  }

  /**
   * The next whole image, or undefined when more bytes are needed. With `keep` false the image is only skipped: its
   * pixels go to a buffer reused for every skipped image (valid until the next call), so skipping allocates nothing.
   */
  next(keep = true): RgbFrame | undefined {
    while (!this.drained) {
      if (!this.body) {
        const take = Math.min(this.chunk.length - this.at, MAX_HEADER + 1 - this.header.length);
        const bytes = concat(this.header, this.chunk.subarray(this.at, this.at + take));
        const header = parsePpmHeader(bytes);
        if (!header) {
          this.header = bytes;
          this.at += take;
          continue;
        }
        this.at += header.length - this.header.length;
        this.header = EMPTY;
        const size = header.width * header.height * 3;
        if (!keep && this.scratch.length !== size) this.scratch = new Uint8Array(size);
        this.body = { ...header, data: keep ? new Uint8Array(size) : this.scratch, filled: 0 };
      }
      const body = this.body;
      const n = Math.min(this.chunk.length - this.at, body.data.length - body.filled);
      body.data.set(this.chunk.subarray(this.at, this.at + n), body.filled);
      body.filled += n;
      this.at += n;
      if (body.filled === body.data.length) {
        this.body = undefined;
        // An image begun as skipped but asked for whole gets its own copy of the reused buffer.
        const data = keep && body.data === this.scratch ? body.data.slice() : body.data;
        return { width: body.width, height: body.height, data };
      }
    }
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
