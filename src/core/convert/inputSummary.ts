// Summaries of policy inputs and replies for the inspector: per key dtype, shape, min/max/mean, small values, and
// thumbnails of anything that looks like an image. Computed on request, never on the control loop's path.
import { Float64Value, NdArray, NpScalar } from '../ndarray';
import { type WireValue } from '../protocols';
import { arrayImageView, frameView, thumbnailOf } from './imageView';
import type { ValueStats, ValueSummary } from './inspectionReport';
import type { RgbFrame } from './lerobotObservation';

/** Arrays with at most this many elements are listed value by value. */
export const SMALL_ARRAY = 32;
const MAX_TEXT = 200;

/** min / max / mean of the finite values (NaN when there are none) and the count of the others. */
export function statsOf(values: ArrayLike<number>): ValueStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let nonFinite = 0;
  if (values instanceof Uint8Array) return byteStats(values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n === 0 ? { min: NaN, max: NaN, mean: NaN, nonFinite } : { min, max, mean: sum / n, nonFinite };
}

// Camera frames are large: bytes need no finiteness test.
function byteStats(values: Uint8Array): ValueStats {
  if (values.length === 0) return { min: NaN, max: NaN, mean: NaN, nonFinite: 0 };
  let min = 255;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / values.length, nonFinite: 0 };
}

/** One summary per leaf of `map` (nested maps flattened with '/'), in key order. */
export function summarizeValues(map: { readonly [key: string]: WireValue }, prefix = ''): ValueSummary[] {
  const out: ValueSummary[] = [];
  for (const key of Object.keys(map).sort()) {
    const v = map[key];
    const path = prefix ? `${prefix}/${key}` : key;
    if (isMap(v)) out.push(...summarizeValues(v, path));
    else out.push(summarizeValue(path, v));
  }
  return out;
}

/** The summary of one value under `key`. */
export function summarizeValue(key: string, v: WireValue): ValueSummary {
  if (v instanceof NdArray) return summarizeArray(key, v);
  if (v instanceof NpScalar) return { key, kind: 'number', dtype: v.dtype, text: numberText(v.value) };
  if (v instanceof Float64Value) return { key, kind: 'number', dtype: '<f8', text: numberText(v.value) };
  if (v === null) return { key, kind: 'null' };
  if (typeof v === 'string') return { key, kind: 'string', text: cut(JSON.stringify(v)) };
  if (typeof v === 'number' || typeof v === 'bigint') return { key, kind: 'number', text: numberText(v) };
  if (typeof v === 'boolean') return { key, kind: 'boolean', text: String(v) };
  if (v instanceof Uint8Array) return { key, kind: 'bytes', shape: [v.length] };
  if (Array.isArray(v)) return { key, kind: 'list', shape: [v.length], text: cut(listText(v)) };
  return { key, kind: 'map' };
}

/** An n-d array: dtype, shape, stats, its values when small, a thumbnail when it looks like an image. */
export function summarizeArray(key: string, a: NdArray): ValueSummary {
  const values = a.dtype === '|u1' ? a.data : a.toFloat64();
  const view = arrayImageView(a);
  return {
    key,
    kind: 'array',
    dtype: a.dtype,
    shape: [...a.shape],
    stats: statsOf(values),
    ...(values.length <= SMALL_ARRAY && { values: Array.from(values) }),
    ...(view && { image: { order: view.order, thumbnail: thumbnailOf(view) } }),
  };
}

/** A raw camera frame as the robot delivered it (HWC uint8). */
export function summarizeFrame(camera: string, frame: RgbFrame): ValueSummary {
  return {
    key: camera,
    kind: 'array',
    dtype: '|u1',
    shape: [frame.height, frame.width, 3],
    stats: statsOf(frame.data),
    image: { order: 'HWC', thumbnail: thumbnailOf(frameView(frame)) },
  };
}

function isMap(v: WireValue): v is { [key: string]: WireValue } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof NdArray) &&
    !(v instanceof NpScalar) &&
    !(v instanceof Float64Value)
  );
}

function listText(v: readonly WireValue[]): string {
  return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : typeof x === 'number' ? numberText(x) : typeof x === 'boolean' ? String(x) : x === null ? 'null' : '…')).join(', ')}]`;
}

/**
 * A number as a person reads it: integers whole, others to 6 significant digits (a float64 such as
 * 33.678710000000014 is 33.6787 on screen; the digits past that are representation noise, not information).
 */
export function numberText(x: number | bigint | boolean): string {
  if (typeof x !== 'number' || Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function cut(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}
