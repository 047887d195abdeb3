// RGB u8 resize with the exact arithmetic of Pillow's Image.resize(..., BILINEAR), which openpi's client uses.
//
// Pillow does not sample 4 neighbours: it convolves with a triangle filter whose support grows with the
// downscale ratio (so 640→224 averages ~6 source pixels per tap: antialiasing), in two separable passes
// (horizontal first, rounded to u8 in between), with 22-bit fixed-point weights. Matching that keeps our
// inputs byte-identical to what the Python client would send the same policy.
//
// These JS passes are the reference. Where the engine has WebAssembly SIMD, the same arithmetic runs in
// simd/bilinearKernels.wat (~10× faster, same bytes); the JS passes remain the fallback.
import { WasmBilinearPasses } from './simd/bilinearWasmPasses';

const PRECISION_BITS = 22; // Pillow: 32 - 8 bits per sample - 2 guard bits
const HALF = 1 << (PRECISION_BITS - 1);
const SATURATED = 1 << (PRECISION_BITS + 8);

/** Taps of one axis: output index i reads `count[i]` inputs from `start[i]` with weights `weights[i*maxTaps …]`. */
export interface AxisTaps {
  readonly inSize: number;
  readonly outSize: number;
  readonly maxTaps: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Fixed-point weights (sum ≈ 2^22 per output index). */
  readonly weights: Int32Array;
}

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/** Pillow's BILINEAR coefficients for resizing one axis from `inSize` to `outSize` samples. */
export function bilinearAxisTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = filterScale; // the triangle's support is 1, widened by the downscale factor
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * maxTaps);
  const k = new Float64Array(maxTaps);
  const ss = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    let lo = Math.trunc(center - support + 0.5); // C's (int) cast
    if (lo < 0) lo = 0;
    let hi = Math.trunc(center + support + 0.5);
    if (hi > inSize) hi = inSize;
    const n = hi - lo;
    let sum = 0;
    for (let x = 0; x < n; x++) {
      k[x] = triangle((x + lo - center + 0.5) * ss);
      sum += k[x];
    }
    for (let x = 0; x < n; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      weights[i * maxTaps + x] =
        w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[i] = lo;
    count[i] = n;
  }
  return { inSize, outSize, maxTaps, start, count, weights };
}

function clip8(acc: number): number {
  if (acc >= SATURATED) return 255;
  if (acc <= 0) return 0;
  return acc >> PRECISION_BITS;
}

/**
 * Which implementation resamples: `js` (the reference), `wasm` (WebAssembly SIMD; the constructor throws where the
 * engine lacks it) or `auto` (wasm when the engine has it, else js). Both give the same bytes.
 */
export type ResizeKernels = 'auto' | 'js' | 'wasm';

/** Options of a BilinearResizer. */
export interface BilinearResizerOptions {
  readonly kernels?: ResizeKernels;
}

/**
 * Precomputed Pillow-BILINEAR resize of RGB u8 frames from one size to another, with its intermediate
 * buffers; `resizeInto` allocates nothing.
 */
export class BilinearResizer {
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  /** The implementation that resamples ('js' also for a same-size resize, which only copies). */
  readonly kernels: 'js' | 'wasm';
  private readonly horizontal: AxisTaps | undefined;
  private readonly vertical: AxisTaps | undefined;
  /** Horizontally resized rows (dstWidth × srcHeight × 3), when both JS passes run. */
  private readonly between: Uint8Array | undefined;
  private readonly wasm: WasmBilinearPasses | undefined = undefined;

  constructor(
    srcWidth: number,
    srcHeight: number,
    dstWidth: number,
    dstHeight: number,
    options: BilinearResizerOptions = {},
  ) {
    for (const [what, v] of [
      ['source width', srcWidth],
      ['source height', srcHeight],
      ['target width', dstWidth],
      ['target height', dstHeight],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`cannot resize an image: ${what} must be a whole number ≥ 1, got ${v}`);
    }
    this.srcWidth = srcWidth;
    this.srcHeight = srcHeight;
    this.dstWidth = dstWidth;
    this.dstHeight = dstHeight;
    this.horizontal = dstWidth !== srcWidth ? bilinearAxisTaps(srcWidth, dstWidth) : undefined;
    this.vertical = dstHeight !== srcHeight ? bilinearAxisTaps(srcHeight, dstHeight) : undefined;
    const wanted = options.kernels ?? 'auto';
    if (wanted !== 'js' && (this.horizontal || this.vertical)) {
      try {
        this.wasm = new WasmBilinearPasses(srcWidth, srcHeight, dstWidth, dstHeight, this.horizontal, this.vertical);
      } catch (err) {
        if (wanted === 'wasm') throw err; // 'auto' keeps the JS passes
      }
    }
    this.kernels = this.wasm ? 'wasm' : 'js';
    this.between =
      !this.wasm && this.horizontal && this.vertical ? new Uint8Array(dstWidth * srcHeight * 3) : undefined;
  }

  /**
   * Resizes `src` (srcWidth × srcHeight × 3) into `out`, placing the result at pixel (left, top) of an image
   * `outWidth` pixels wide; pixels outside that rectangle are left untouched.
   */
  resizeInto(src: Uint8Array, out: Uint8Array, outWidth = this.dstWidth, left = 0, top = 0): void {
    if (src.length !== this.srcWidth * this.srcHeight * 3) {
      throw new RangeError(
        `resize expects a ${this.srcWidth}×${this.srcHeight} RGB frame (${this.srcWidth * this.srcHeight * 3} bytes), got ${src.length} bytes`,
      );
    }
    if (left < 0 || top < 0 || left + this.dstWidth > outWidth || (top + this.dstHeight) * outWidth * 3 > out.length) {
      throw new RangeError(
        `a ${this.dstWidth}×${this.dstHeight} image at (${left}, ${top}) does not fit an output ${outWidth} pixels wide of ${out.length} bytes`,
      );
    }
    const outStride = outWidth * 3;
    const outBase = top * outStride + left * 3;
    if (this.wasm) {
      this.wasm.resizeInto(src, out, outStride, outBase);
    } else if (this.horizontal && this.vertical && this.between) {
      horizontalPass(this.horizontal, src, this.srcHeight, this.between, this.dstWidth * 3, 0);
      verticalPass(this.vertical, this.between, this.dstWidth * 3, out, outStride, outBase);
    } else if (this.horizontal) {
      horizontalPass(this.horizontal, src, this.srcHeight, out, outStride, outBase);
    } else if (this.vertical) {
      verticalPass(this.vertical, src, this.srcWidth * 3, out, outStride, outBase);
    } else {
      const row = this.srcWidth * 3;
      for (let y = 0; y < this.srcHeight; y++) out.set(src.subarray(y * row, (y + 1) * row), outBase + y * outStride);
    }
  }
}

function horizontalPass(
  t: AxisTaps,
  src: Uint8Array,
  rows: number,
  out: Uint8Array,
  outStride: number,
  outBase: number,
): void {
  const { outSize, maxTaps, start, count, weights } = t;
  const inStride = t.inSize * 3;
  for (let y = 0; y < rows; y++) {
    const rowIn = y * inStride;
    let o = outBase + y * outStride;
    for (let i = 0; i < outSize; i++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      let p = rowIn + start[i] * 3;
      const wBase = i * maxTaps;
      const n = count[i];
      // Math.imul and |0 keep the sums int32 (they never exceed 2^30): a plain `*` makes V8 fall back to doubles.
      for (let x = 0; x < n; x++, p += 3) {
        const w = weights[wBase + x];
        r = (r + Math.imul(src[p], w)) | 0;
        g = (g + Math.imul(src[p + 1], w)) | 0;
        b = (b + Math.imul(src[p + 2], w)) | 0;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
}

function verticalPass(
  t: AxisTaps,
  src: Uint8Array,
  rowBytes: number,
  out: Uint8Array,
  outStride: number,
  outBase: number,
): void {
  const { outSize, maxTaps, start, count, weights } = t;
  for (let yy = 0; yy < outSize; yy++) {
    const wBase = yy * maxTaps;
    const n = count[yy];
    const first = start[yy] * rowBytes;
    const o = outBase + yy * outStride;
    for (let j = 0; j < rowBytes; j++) {
      let acc = HALF;
      for (let y = 0, p = first + j; y < n; y++, p += rowBytes) acc = (acc + Math.imul(src[p], weights[wBase + y])) | 0;
      out[o + j] = clip8(acc);
    }
  }
}
