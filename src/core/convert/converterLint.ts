// Likely converter mistakes, found by comparing the policy input with the raw observation it came from: swapped
// red/blue, float images in [0, 255], channels first where the policy wants them last (or the reverse), a camera
// that feeds no image, state in other units than the policy's. Heuristics: each warning says what it saw.
import { NdArray } from '../ndarray';
import { type WireValue } from '../protocols';
import { SO100_BODY_MOTORS, SO100_MOTORS, type MotorName, type PerMotor } from '../so100/motors';
import {
  arrayImageView,
  chromaticity,
  frameView,
  fullRegion,
  greySignature,
  type ImageRegion,
  type ImageView,
} from './imageView';
import { padGeometry } from './imageOps';
import type { ConverterWarning } from './inspectionReport';
import type { Layout } from './layouts';
import type { RgbFrame } from './lerobotObservation';

/** The body joints' units the policy was trained with (LeRobot datasets record the robot's normalisation mode). */
export type StateConvention = 'degrees' | 'range_m100_100';

export interface LintInput {
  /** The raw camera frames of the observation. */
  readonly cameras: Readonly<Record<string, RgbFrame>>;
  /** The policy input the converter built from them. */
  readonly input: { readonly [key: string]: WireValue };
  /** The observation's joint positions (robot units). */
  readonly positions?: PerMotor<number>;
  /** The configured layout: expected image order and where the state lives. */
  readonly layout?: Layout;
  readonly stateConvention?: StateConvention;
}

/** Mean grey difference (0–1) under which a policy image counts as showing a camera's picture. */
export const SAME_PICTURE = 0.05;

/** Every likely mistake in `lint.input`, at most one per key and check. */
export function lintConversion(lint: LintInput): ConverterWarning[] {
  const warnings: ConverterWarning[] = [];
  const arrays = flattenArrays(lint.input);
  const images = arrays.flatMap(([key, a]) => {
    const view = arrayImageView(a);
    return view ? [{ key, view }] : [];
  });
  const expected = lint.layout ? (lint.layout.images.kind === 'slots' ? lint.layout.images.order : 'HWC') : 'HWC';
  for (const { key, view } of images) {
    if (view.float && view.max > 1.5) {
      warnings.push({
        code: 'float-255',
        key,
        message: `'${key}' is a float image with values up to ${round(view.max)}: floats are read as 0–1, so it arrives saturated — divide by 255 or send uint8`,
      });
    }
    if (view.order !== expected) {
      const shape = view.order === 'CHW' ? `(3, ${view.height}, ${view.width})` : `(${view.height}, ${view.width}, 3)`;
      warnings.push({
        code: 'channel-order',
        key,
        message: `'${key}' is ${view.order} ${shape} but the policy expects ${expected}; transpose it (${view.order === 'CHW' ? 'chwToHwc' : 'hwcToChw'})`,
      });
    }
  }
  warnings.push(...cameraChecks(lint.cameras, images));
  warnings.push(...stateChecks(lint, arrays));
  return warnings;
}

function cameraChecks(
  cameras: Readonly<Record<string, RgbFrame>>,
  images: readonly { key: string; view: ImageView }[],
): ConverterWarning[] {
  const names = Object.keys(cameras).sort();
  const raw = new Map(names.map((n) => [n, frameView(cameras[n])]));
  // Each camera's fingerprint and colour balance once, not once per policy image.
  const camSignature = new Map(names.map((n) => [n, greySignature(raw.get(n)!, fullRegion(raw.get(n)!))]));
  const camChroma = new Map(names.map((n) => [n, chromaticity(raw.get(n)!, fullRegion(raw.get(n)!))]));
  // Every (image, camera) pair under the threshold, best first; each image and camera is used once.
  const pairs: { key: string; view: ImageView; camera: string; region: ImageRegion; distance: number }[] = [];
  for (const { key, view } of images) {
    for (const camera of names) {
      const cam = raw.get(camera)!;
      const region = contentRegion(cam, view);
      if (!region) continue;
      const distance = meanAbsDiff(greySignature(view, region), camSignature.get(camera)!) / 255;
      if (distance < SAME_PICTURE) pairs.push({ key, view, camera, region, distance });
    }
  }
  pairs.sort((a, b) => a.distance - b.distance);
  const usedKeys = new Set<string>();
  const usedCameras = new Set<string>();
  const warnings: ConverterWarning[] = [];
  for (const p of pairs) {
    if (usedKeys.has(p.key) || usedCameras.has(p.camera)) continue;
    usedKeys.add(p.key);
    usedCameras.add(p.camera);
    const c = camChroma.get(p.camera)!;
    const i = chromaticity(p.view, p.region);
    // Only a picture with some colour can tell RGB from BGR.
    if (Math.abs(c[0] - c[2]) < 0.04) continue;
    const direct = Math.abs(i[0] - c[0]) + Math.abs(i[1] - c[1]) + Math.abs(i[2] - c[2]);
    const swapped = Math.abs(i[0] - c[2]) + Math.abs(i[1] - c[1]) + Math.abs(i[2] - c[0]);
    if (swapped < direct / 2) {
      warnings.push({
        code: 'bgr',
        key: p.key,
        message: `'${p.key}' looks BGR: its red and blue are swapped compared with camera '${p.camera}' (policies take RGB; OpenCV reads BGR)`,
      });
    }
  }
  for (const camera of names) {
    if (usedCameras.has(camera)) continue;
    warnings.push({
      code: 'unmapped-camera',
      key: camera,
      message: `camera '${camera}' feeds no policy image: no input key shows its picture (set converter.cameras, or map it in your converter)`,
    });
  }
  return warnings;
}

function stateChecks(lint: LintInput, arrays: readonly (readonly [string, NdArray])[]): ConverterWarning[] {
  const convention = lint.stateConvention ?? 'degrees';
  const unit = convention === 'degrees' ? 'degrees' : '±100 (normMode range_m100_100)';
  const warnings: ConverterWarning[] = [];
  for (const { key, values } of stateVectors(lint, arrays)) {
    const body = SO100_BODY_MOTORS.filter((m) => values.has(m));
    if (body.length === 0) continue;
    const ratios: number[] = [];
    if (lint.positions) {
      for (const m of body) {
        const p = lint.positions[m];
        const v = values.get(m)!;
        if (Math.abs(p) >= 5 && Number.isFinite(v)) ratios.push(v / p);
      }
    }
    const r = median(ratios);
    const near = (x: number) => r !== undefined && Math.abs(r - x) <= Math.abs(x) * 0.1;
    let why: string | undefined;
    if (near(Math.PI / 180)) why = 'looks like radians (the joints × π/180)';
    else if (near(1 / 180) || near(1 / 100)) why = `looks scaled to ±1 (the joints × ${round(r!)})`;
    else if (r !== undefined && Math.abs(r - 1) > 0.05) why = `is the joints × ${round(r)}`;
    else if (convention === 'range_m100_100') {
      const beyond = body.map((m) => values.get(m)!).find((v) => Math.abs(v) > 100.5);
      if (beyond !== undefined) why = `holds ${round(beyond)}, beyond ±100 (looks like degrees)`;
    }
    if (why)
      warnings.push({
        code: 'state-units',
        key,
        message: `state '${key}' ${why}, but the policy was trained on ${unit} as the robot reports them`,
      });
  }
  return warnings;
}

/** Body-joint values of each state vector in the input: the layout's fields, else float vectors named like state. */
function stateVectors(
  lint: LintInput,
  arrays: readonly (readonly [string, NdArray])[],
): { key: string; values: Map<MotorName, number> }[] {
  const byKey = new Map(arrays);
  const out: { key: string; values: Map<MotorName, number> }[] = [];
  const fields = lint.layout?.state.filter((f) => byKey.get(f.key)?.shape.length === 1) ?? [];
  if (fields.length > 0) {
    for (const f of fields) {
      const v = byKey.get(f.key)!.toFloat64();
      const values = new Map<MotorName, number>();
      for (const m of SO100_MOTORS) {
        const at = f.motorIndex[m];
        if (at !== undefined && at < v.length) values.set(m, v[at]);
      }
      out.push({ key: f.key, values });
    }
    return out;
  }
  for (const [key, a] of arrays) {
    if (a.shape.length !== 1 || a.size < SO100_BODY_MOTORS.length || a.size > 32 || !/state|joint/i.test(key)) continue;
    if (a.dtype !== '<f2' && a.dtype !== '<f4' && a.dtype !== '<f8') continue;
    const v = a.toFloat64();
    out.push({
      key,
      values: new Map(SO100_MOTORS.slice(0, Math.min(v.length, SO100_MOTORS.length)).map((m, i) => [m, v[i]])),
    });
  }
  return out;
}

/** Where a camera's picture lies inside a policy image of another size (resize-with-pad's geometry). */
function contentRegion(cam: ImageView, image: ImageView): ImageRegion | undefined {
  if (cam.width === image.width && cam.height === image.height) return fullRegion(image);
  try {
    const g = padGeometry(cam.width, cam.height, image.width, image.height);
    return { left: g.left, top: g.top, width: g.resizedWidth, height: g.resizedHeight };
  } catch {
    return undefined;
  }
}

function flattenArrays(map: { readonly [key: string]: WireValue }, prefix = ''): (readonly [string, NdArray])[] {
  const out: (readonly [string, NdArray])[] = [];
  for (const key of Object.keys(map).sort()) {
    const v = map[key];
    const path = prefix ? `${prefix}/${key}` : key;
    if (v instanceof NdArray) out.push([path, v]);
    else if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      !(v instanceof Uint8Array) &&
      v.constructor === Object
    ) {
      out.push(...flattenArrays(v as { [key: string]: WireValue }, path));
    }
  }
  return out;
}

function meanAbsDiff(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(x: number): string {
  return Math.abs(x) >= 10 ? x.toFixed(0) : Math.abs(x) >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}
