// Reading an array as a 3-channel picture, whatever its layout (HWC / CHW) and dtype (bytes or floats), for the
// inspector's thumbnails and checks. Never on the control loop's path; each function is one pass over the pixels.
import { type NdArray } from '../ndarray';
import type { RgbFrame } from './lerobotObservation';
import { THUMBNAIL_MAX_SIDE, type Thumbnail } from './inspectionReport';

/** A 3-channel image as stored (channel order untouched), its values laid out HWC in `hwc`. */
export interface ImageView {
  readonly width: number;
  readonly height: number;
  /** How the source array was laid out. */
  readonly order: 'HWC' | 'CHW';
  readonly float: boolean;
  /** Largest finite value of a float image (to tell [0, 1] from [0, 255]); 255 for integer images. */
  readonly max: number;
  /** width × height × 3 raw values, rows top to bottom. */
  readonly hwc: Uint8Array | Float64Array;
}

/** A camera frame (HWC bytes) as an ImageView; no copy. */
export function frameView(frame: RgbFrame): ImageView {
  const { width, height, data } = frame;
  // `max` only matters for floats (byteScale); bytes are read as they are.
  return { width, height, order: 'HWC', float: false, max: 255, hwc: data };
}

/**
 * The array as an image when it has three dims (or four with a leading batch of 1) and 3 channels first or
 * last; undefined otherwise. Channels last wins when both ends are 3.
 */
export function arrayImageView(a: NdArray): ImageView | undefined {
  let shape = [...a.shape];
  if (shape.length === 4 && shape[0] === 1) shape = shape.slice(1);
  if (shape.length !== 3 || a.dtype === '|b1' || a.size === 0) return undefined;
  const order = shape[2] === 3 ? 'HWC' : shape[0] === 3 ? 'CHW' : undefined;
  if (!order) return undefined;
  const [height, width] = order === 'HWC' ? [shape[0], shape[1]] : [shape[1], shape[2]];
  const float = a.dtype === '<f2' || a.dtype === '<f4' || a.dtype === '<f8';
  let hwc: Uint8Array | Float64Array;
  if (a.dtype === '|u1' && order === 'HWC') hwc = a.data;
  else {
    const values = a.toFloat64();
    if (order === 'HWC') hwc = values;
    else {
      const plane = width * height;
      hwc = new Float64Array(values.length);
      for (let p = 0, o = 0; p < plane; p++) {
        hwc[o++] = values[p];
        hwc[o++] = values[plane + p];
        hwc[o++] = values[2 * plane + p];
      }
    }
  }
  let max = 255;
  if (float) {
    max = 0;
    for (let i = 0; i < hwc.length; i++) {
      const v = hwc[i];
      if (v > max && v !== Infinity) max = v;
    }
  }
  return { width, height, order, float, max, hwc };
}

/** Factor that brings the view's values to 0–255: floats that stay within 1 are taken as [0, 1]. */
export function byteScale(view: ImageView): number {
  return view.float && view.max <= 1.0001 ? 255 : 1;
}

/** A rectangle of an image: the picture inside resize-with-pad's black borders. */
export interface ImageRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Mean of each channel over `cols` × `rows` blocks of `region` (row-major blocks, 3 values each, raw units).
 * One pass over the region's pixels; non-finite values count as 0.
 */
export function blockMeans(view: ImageView, region: ImageRegion, cols: number, rows: number): Float64Array {
  const sums = new Float64Array(cols * rows * 3);
  const counts = new Float64Array(cols * rows);
  const colBlock = new Int32Array(region.width);
  for (let x = 0; x < region.width; x++) colBlock[x] = Math.min(cols - 1, Math.floor((x * cols) / region.width));
  const { hwc, width } = view;
  const bytes = hwc instanceof Uint8Array;
  for (let y = 0; y < region.height; y++) {
    const rowBase = Math.min(rows - 1, Math.floor((y * rows) / region.height)) * cols;
    let i = ((region.top + y) * width + region.left) * 3;
    for (let x = 0; x < region.width; x++, i += 3) {
      const b = rowBase + colBlock[x];
      const r = hwc[i],
        g = hwc[i + 1],
        bl = hwc[i + 2];
      // Bytes are always finite; floats may hold NaN / Infinity, which would poison a whole block.
      if (bytes) {
        sums[b * 3] += r;
        sums[b * 3 + 1] += g;
        sums[b * 3 + 2] += bl;
      } else {
        sums[b * 3] += Number.isFinite(r) ? r : 0;
        sums[b * 3 + 1] += Number.isFinite(g) ? g : 0;
        sums[b * 3 + 2] += Number.isFinite(bl) ? bl : 0;
      }
      counts[b]++;
    }
  }
  for (let b = 0; b < counts.length; b++) {
    const n = counts[b] || 1;
    sums[b * 3] /= n;
    sums[b * 3 + 1] /= n;
    sums[b * 3 + 2] /= n;
  }
  return sums;
}

/** A box-filtered thumbnail no larger than `maxSide`, channels in the order stored (a BGR image stays BGR). */
export function thumbnailOf(view: ImageView, maxSide = THUMBNAIL_MAX_SIDE): Thumbnail {
  const s = Math.min(1, maxSide / Math.max(view.width, view.height));
  const width = Math.max(1, Math.round(view.width * s));
  const height = Math.max(1, Math.round(view.height * s));
  const means = blockMeans(view, fullRegion(view), width, height);
  const scale = byteScale(view);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, Math.round(means[i] * scale)));
  return { width, height, rgb };
}

/** Grey level (0–255) of `grid` × `grid` blocks of `region`, row by row: a fingerprint to match pictures. */
export function greySignature(view: ImageView, region: ImageRegion, grid = 8): Float64Array {
  const means = blockMeans(view, region, grid, grid);
  const scale = byteScale(view);
  const out = new Float64Array(grid * grid);
  for (let b = 0; b < out.length; b++) out[b] = ((means[b * 3] + means[b * 3 + 1] + means[b * 3 + 2]) / 3) * scale;
  return out;
}

/** Share of each channel in the region's total brightness (sums to 1; [1/3, 1/3, 1/3] for a black region). */
export function chromaticity(view: ImageView, region: ImageRegion): [number, number, number] {
  const m = blockMeans(view, region, 1, 1);
  const total = m[0] + m[1] + m[2];
  if (!(total > 0)) return [1 / 3, 1 / 3, 1 / 3];
  return [m[0] / total, m[1] / total, m[2] / total];
}

/** The whole image as a region. */
export function fullRegion(view: ImageView): ImageRegion {
  return { left: 0, top: 0, width: view.width, height: view.height };
}
