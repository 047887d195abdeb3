// Reads a recorded camera frame back from PNG: the frames this project writes (filter 0) and the ones ffmpeg
// writes when a frame is taken out of an mp4 (any of the five row filters). 8-bit RGB or RGBA, not interlaced.
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import type { RgbFrame } from '../../core/convert';

const inflateAsync = promisify(inflate);
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A file that is not a PNG this reader handles; `source` names the file. */
export class PngFrameError extends Error {
  override readonly name = 'PngFrameError';
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** Decodes a PNG into an RGB frame (alpha dropped). */
export async function decodePngFrame(file: Uint8Array, source: string): Promise<RgbFrame> {
  if (file.length < 8 || SIGNATURE.some((b, i) => file[i] !== b)) throw new PngFrameError(source, 'not a PNG file');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= file.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const data = file.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new PngFrameError(source, `the ${type} chunk is cut short`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      channels = colour === 2 ? 3 : colour === 6 ? 4 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new PngFrameError(
          source,
          `only 8-bit RGB / RGBA PNGs without interlacing can be read (bit depth ${depth}, colour type ${colour}, interlace ${interlace})`,
        );
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new PngFrameError(source, 'no IHDR chunk');
  const raw = new Uint8Array(
    await inflateAsync(Buffer.concat(idat)).catch((err: Error) => {
      throw new PngFrameError(source, `bad image data (${err.message})`);
    }),
  );
  const stride = width * channels;
  if (raw.length < (stride + 1) * height)
    throw new PngFrameError(source, `image data holds ${raw.length} bytes, ${(stride + 1) * height} expected`);
  const rows = unfilter(raw, stride, height, channels, source);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < data.length; p += channels, q += 3) {
    data[q] = rows[p];
    data[q + 1] = rows[p + 1];
    data[q + 2] = rows[p + 2];
  }
  return { width, height, data };
}

/** PNG's per-row filters (none, sub, up, average, Paeth) undone, rows packed without their filter byte. */
function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number, source: string): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new PngFrameError(source, `row ${y} has unknown filter type ${filter}`);
      }
      out[row + x] = (raw[src + x] + predictor) & 0xff;
    }
  }
  return out;
}
