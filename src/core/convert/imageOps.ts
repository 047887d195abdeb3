// Image preparation for policies: openpi's resize-with-pad, HWC↔CHW, u8↔float. Callers pass output buffers.
import { halfToNumber, numberToHalf } from '../ndarray';
import { BilinearResizer, type ResizeKernels } from './bilinearResample';
import type { RgbFrame } from './lerobotObservation';

/** Where resize-with-pad puts the resized picture inside the target (the rest is zero). */
export interface PadGeometry {
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  readonly left: number;
  readonly top: number;
}

/**
 * openpi's `resize_with_pad` geometry: scale by the larger of the two ratios (aspect kept, no crop), truncate
 * the resized size, centre it, truncating the pad. Same double arithmetic as the Python code, so same ints.
 */
export function padGeometry(srcWidth: number, srcHeight: number, width: number, height: number): PadGeometry {
  const ratio = Math.max(srcWidth / width, srcHeight / height);
  const resizedHeight = Math.trunc(srcHeight / ratio);
  const resizedWidth = Math.trunc(srcWidth / ratio);
  if (resizedWidth < 1 || resizedHeight < 1) {
    throw new RangeError(
      `a ${srcWidth}×${srcHeight} frame shrinks to ${resizedWidth}×${resizedHeight} inside ${width}×${height}; use a camera resolution with a sane aspect ratio`,
    );
  }
  return {
    resizedWidth,
    resizedHeight,
    left: Math.max(0, Math.trunc((width - resizedWidth) / 2)),
    top: Math.max(0, Math.trunc((height - resizedHeight) / 2)),
  };
}

/** A precomputed resize-with-pad from one frame size to one target size; reusable, allocation-free per call. */
export class ResizeWithPadPlan {
  readonly geometry: PadGeometry;
  private readonly resizer: BilinearResizer | undefined;

  constructor(
    readonly srcWidth: number,
    readonly srcHeight: number,
    readonly width: number,
    readonly height: number,
    kernels: ResizeKernels = 'auto',
  ) {
    // openpi returns a frame that already has the target size untouched (no resampling, no pad).
    const same = srcWidth === width && srcHeight === height;
    this.geometry = same
      ? { resizedWidth: width, resizedHeight: height, left: 0, top: 0 }
      : padGeometry(srcWidth, srcHeight, width, height);
    this.resizer = same
      ? undefined
      : new BilinearResizer(srcWidth, srcHeight, this.geometry.resizedWidth, this.geometry.resizedHeight, { kernels });
  }

  /** Writes the padded, resized frame (width × height × 3, HWC) into `out` and returns it. */
  run(src: Uint8Array, out: Uint8Array): Uint8Array {
    const need = this.width * this.height * 3;
    if (out.length !== need)
      throw new RangeError(
        `resize-with-pad output must be ${this.width}×${this.height}×3 = ${need} bytes, got ${out.length}`,
      );
    if (!this.resizer) {
      if (src.length !== need)
        throw new RangeError(
          `expected a ${this.width}×${this.height} RGB frame (${need} bytes), got ${src.length} bytes`,
        );
      out.set(src);
      return out;
    }
    const { resizedWidth: rw, resizedHeight: rh, left, top } = this.geometry;
    const stride = this.width * 3;
    // Zero only the padding; the picture overwrites the rest.
    out.fill(0, 0, top * stride);
    out.fill(0, (top + rh) * stride);
    if (rw !== this.width) {
      for (let y = top; y < top + rh; y++) {
        out.fill(0, y * stride, y * stride + left * 3);
        out.fill(0, y * stride + (left + rw) * 3, (y + 1) * stride);
      }
    }
    this.resizer.resizeInto(src, out, this.width, left, top);
    return out;
  }
}

/**
 * Resize plans by frame and target size, plus scratch buffers, for callers that convert frames repeatedly.
 * `kernels` picks the resampling implementation of every plan (see BilinearResizer).
 */
export class ImageScratch {
  private readonly plans = new Map<string, ResizeWithPadPlan>();
  private scratch = new Uint8Array(0);

  constructor(
    private readonly maxPlans = 8,
    private readonly kernels: ResizeKernels = 'auto',
  ) {}

  /** The cached plan for this size pair (built on first use; the oldest is dropped past `maxPlans`). */
  plan(srcWidth: number, srcHeight: number, width: number, height: number): ResizeWithPadPlan {
    const key = `${srcWidth}x${srcHeight}>${width}x${height}`;
    let p = this.plans.get(key);
    if (!p) {
      p = new ResizeWithPadPlan(srcWidth, srcHeight, width, height, this.kernels);
      if (this.plans.size >= this.maxPlans) this.plans.delete(this.plans.keys().next().value as string);
      this.plans.set(key, p);
    }
    return p;
  }

  /** A reused byte buffer of at least `n` bytes; its contents are valid until the next call. */
  bytes(n: number): Uint8Array {
    if (this.scratch.length < n) this.scratch = new Uint8Array(n);
    return this.scratch.subarray(0, n);
  }
}

const sharedScratch = new ImageScratch();

/**
 * openpi's `resize_with_pad(image, height, width)` for one RGB frame: Pillow-BILINEAR resize keeping the
 * aspect ratio, centred on black. Writes into `out` (height × width × 3) when given, else a new buffer.
 */
export function resizeWithPad(
  src: RgbFrame,
  height: number,
  width: number,
  out?: Uint8Array,
  scratch: ImageScratch = sharedScratch,
): RgbFrame {
  const target = out ?? new Uint8Array(width * height * 3);
  scratch.plan(src.width, src.height, width, height).run(src.data, target);
  return { width, height, data: target };
}

/** (H, W, C) → (C, H, W), written into `out` (same length as `src`). */
export function hwcToChw<T extends Uint8Array | Uint16Array | Float32Array>(
  src: T,
  height: number,
  width: number,
  channels: number,
  out: T,
): T {
  checkPlanar(src.length, out.length, height, width, channels);
  const plane = height * width;
  for (let p = 0, i = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = src[i++];
  }
  return out;
}

/** (C, H, W) → (H, W, C), written into `out` (same length as `src`). */
export function chwToHwc<T extends Uint8Array | Uint16Array | Float32Array>(
  src: T,
  height: number,
  width: number,
  channels: number,
  out: T,
): T {
  checkPlanar(src.length, out.length, height, width, channels);
  const plane = height * width;
  for (let p = 0, o = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[o++] = src[c * plane + p];
  }
  return out;
}

function checkPlanar(srcLen: number, outLen: number, h: number, w: number, c: number): void {
  const n = h * w * c;
  if (srcLen !== n || outLen !== n)
    throw new RangeError(`a ${h}×${w}×${c} image has ${n} values; got input ${srcLen}, output ${outLen}`);
}

// k/255 for every byte, as numpy's float32 division gives it, and as IEEE halves.
const U8_TO_F32 = Float32Array.from({ length: 256 }, (_, k) => k / 255);
const U8_TO_F16 = Uint16Array.from({ length: 256 }, (_, k) => numberToHalf(k / 255));

/** Bytes → float32 in [0, 1] (k / 255), into `out`. */
export function u8ToFloat32(src: Uint8Array, out: Float32Array): Float32Array {
  checkSameLength(src.length, out.length);
  for (let i = 0; i < src.length; i++) out[i] = U8_TO_F32[src[i]];
  return out;
}

/** Bytes → float16 in [0, 1] (k / 255 rounded to the nearest half), as raw halves into `out`. */
export function u8ToFloat16(src: Uint8Array, out: Uint16Array): Uint16Array {
  checkSameLength(src.length, out.length);
  for (let i = 0; i < src.length; i++) out[i] = U8_TO_F16[src[i]];
  return out;
}

/**
 * How floats become bytes: `round` (nearest; u8 → float → u8 is lossless) or `truncate`, which is
 * openpi's `convert_to_uint8` (`(255 * clip(x, 0, 1)).astype(uint8)`).
 */
export type ByteRounding = 'round' | 'truncate';

/** Floats in [0, 1] → bytes, clipping out-of-range values and mapping NaN to 0, into `out`. */
export function floatToU8(
  src: Float32Array | Float64Array,
  out: Uint8Array,
  rounding: ByteRounding = 'round',
): Uint8Array {
  checkSameLength(src.length, out.length);
  const truncate = rounding === 'truncate';
  // numpy multiplies float32 images in float32: round the product the same way before truncating.
  const single = src instanceof Float32Array;
  for (let i = 0; i < src.length; i++) out[i] = unitToByte(src[i], truncate, single);
  return out;
}

/** Raw float16 halves in [0, 1] → bytes, like `floatToU8`. */
export function float16ToU8(src: Uint16Array, out: Uint8Array, rounding: ByteRounding = 'round'): Uint8Array {
  checkSameLength(src.length, out.length);
  const truncate = rounding === 'truncate';
  for (let i = 0; i < src.length; i++) out[i] = unitToByte(halfToNumber(src[i]), truncate, true);
  return out;
}

function unitToByte(v: number, truncate: boolean, single: boolean): number {
  if (!(v > 0)) return 0; // also NaN
  if (v >= 1) return 255;
  const scaled = 255 * v;
  if (!truncate) return Math.round(scaled);
  return Math.trunc(single ? Math.fround(scaled) : scaled);
}

function checkSameLength(a: number, b: number): void {
  if (a !== b) throw new RangeError(`output must have as many elements as the input (${a}), got ${b}`);
}
