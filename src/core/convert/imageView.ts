// Reading an array as a 3-channel picture, whatever its layout (HWC / CHW) and dtype (bytes or floats), for the
// inspector's thumbnails and checks. Never on the control loop's path: it reads values one by one.
import { type NdArray } from '../ndarray';
import type { RgbFrame } from './lerobotObservation';
import { THUMBNAIL_MAX_SIDE, type Thumbnail } from './inspectionReport';

/** A 3-channel image: `at(x, y, c)` is the raw value of channel c (0, 1, 2 as stored) at column x, row y. */
export interface ImageView {
  readonly width: number;
  readonly height: number;
  readonly order: 'HWC' | 'CHW';
  readonly float: boolean;
  /** Largest finite value (to tell floats in [0, 1] from floats in [0, 255]). */
  readonly max: number;
  at(x: number, y: number, c: number): number;
}

/** A camera frame (HWC bytes) as an ImageView. */
export function frameView(frame: RgbFrame): ImageView {
  const { width, height, data } = frame;
  let max = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  return { width, height, order: 'HWC', float: false, max, at: (x, y, c) => data[(y * width + x) * 3 + c] };
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
  const values = a.toFloat64();
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  const plane = width * height;
  const at = order === 'HWC'
    ? (x: number, y: number, c: number) => values[(y * width + x) * 3 + c]
    : (x: number, y: number, c: number) => values[c * plane + y * width + x];
  const float = a.dtype === '<f2' || a.dtype === '<f4' || a.dtype === '<f8';
  return { width, height, order, float, max, at };
}

/** Factor that brings the view's values to 0–255: floats that stay within 1 are taken as [0, 1]. */
export function byteScale(view: ImageView): number {
  return view.float && view.max <= 1.0001 ? 255 : 1;
}

/** A box-filtered thumbnail no larger than `maxSide`, channels in the order stored (a BGR image stays BGR). */
export function thumbnailOf(view: ImageView, maxSide = THUMBNAIL_MAX_SIDE): Thumbnail {
  const s = Math.min(1, maxSide / Math.max(view.width, view.height));
  const width = Math.max(1, Math.round(view.width * s));
  const height = Math.max(1, Math.round(view.height * s));
  const scale = byteScale(view);
  const rgb = new Uint8Array(width * height * 3);
  for (let ty = 0; ty < height; ty++) {
    const y0 = Math.floor((ty * view.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * view.height) / height));
    for (let tx = 0; tx < width; tx++) {
      const x0 = Math.floor((tx * view.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * view.width) / width));
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += view.at(x, y, c);
        const v = (sum / ((y1 - y0) * (x1 - x0))) * scale;
        rgb[(ty * width + tx) * 3 + c] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
      }
    }
  }
  return { width, height, rgb };
}

/** A rectangle of an image: the picture inside resize-with-pad's black borders. */
export interface ImageRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Grey level (0–255) of `grid` × `grid` blocks of `region`, row by row: a fingerprint to match pictures. */
export function greySignature(view: ImageView, region: ImageRegion, grid = 8): Float64Array {
  const scale = byteScale(view);
  const out = new Float64Array(grid * grid);
  for (let by = 0; by < grid; by++) {
    const y0 = region.top + Math.floor((by * region.height) / grid);
    const y1 = Math.max(y0 + 1, region.top + Math.floor(((by + 1) * region.height) / grid));
    for (let bx = 0; bx < grid; bx++) {
      const x0 = region.left + Math.floor((bx * region.width) / grid);
      const x1 = Math.max(x0 + 1, region.left + Math.floor(((bx + 1) * region.width) / grid));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += view.at(x, y, 0) + view.at(x, y, 1) + view.at(x, y, 2);
      out[by * grid + bx] = (sum / (3 * (y1 - y0) * (x1 - x0))) * scale;
    }
  }
  return out;
}

/** Share of each channel in the region's total brightness (sums to 1; [1/3, 1/3, 1/3] for a black region). */
export function chromaticity(view: ImageView, region: ImageRegion): [number, number, number] {
  const sums = [0, 0, 0];
  for (let y = region.top; y < region.top + region.height; y++) {
    for (let x = region.left; x < region.left + region.width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = view.at(x, y, c);
        if (Number.isFinite(v)) sums[c] += v;
      }
    }
  }
  const total = sums[0] + sums[1] + sums[2];
  if (!(total > 0)) return [1 / 3, 1 / 3, 1 / 3];
  return [sums[0] / total, sums[1] / total, sums[2] / total];
}
