// The parts of a PNG encoder that need no I/O: scanlines in, file bytes out. Compression is left to the caller
// (zlib's async deflate in io/), so encoding never blocks the thread that runs the control loop.
import type { RgbFrame } from '../convert/lerobotObservation';
import { crc32 } from './crc32';

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes of the filtered scanlines of an RGB image: one filter byte plus width × 3 bytes per row. */
export function pngScanlineBytes(width: number, height: number): number {
  return (1 + width * 3) * height;
}

/**
 * Writes the frame as PNG scanlines with filter type 0 (None) into `out` (allocated when omitted) and returns it.
 * Filter 0 keeps this a plain row copy; the better ratio of adaptive filters is not worth loop-side CPU.
 */
export function pngScanlines(frame: RgbFrame, out?: Uint8Array): Uint8Array {
  const { width, height, data } = frame;
  const rowBytes = width * 3;
  const size = pngScanlineBytes(width, height);
  if (data.length !== rowBytes * height)
    throw new RangeError(`an RGB frame of ${width}×${height} needs ${rowBytes * height} bytes, got ${data.length}`);
  const target = out ?? new Uint8Array(size);
  if (target.length < size)
    throw new RangeError(
      `scanline buffer of ${target.length} bytes is too small for ${width}×${height} (needs ${size})`,
    );
  for (let y = 0; y < height; y++) {
    const at = y * (rowBytes + 1);
    target[at] = 0;
    target.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), at + 1);
  }
  return target;
}

/** A complete 8-bit RGB PNG file (signature, IHDR, one IDAT, IEND) around zlib-compressed scanlines. */
export function pngFile(width: number, height: number, zlibScanlines: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG width and height must be positive integers, got ${width}×${height}`);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour (RGB)
  // ihdr[10..12] = 0: deflate compression, adaptive filtering method, no interlace.
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlibScanlines),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One PNG chunk: big-endian length, 4-letter type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new RangeError(`a PNG chunk type is 4 ASCII letters, got '${type}'`);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 0, 4, 8 + data.length));
  return out;
}
