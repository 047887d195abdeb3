// LeRobot observation → the input map a policy server expects, for one built-in layout.
import { NdArray } from '../ndarray';
import { type WireValue } from '../protocols';
import { SO100_MOTORS } from '../so100/motors';
import { assignCameraRoles } from './cameraRoles';
import { ConverterError } from './converterError';
import { gripperUnits } from './gripperUnits';
import { ImageScratch, hwcToChw, resizeWithPad } from './imageOps';
import type { CameraImages, ConverterOptions, Layout, SlotImages } from './layouts';
import { checkObservation, type LeRobotObservation } from './lerobotObservation';

/** A policy input map plus what the conversion had to guess or fill in. */
export interface PolicyInput {
  readonly input: { [key: string]: WireValue };
  readonly warnings: readonly string[];
}

const defaultScratch = new ImageScratch();

/**
 * Builds `layout`'s input from one observation. Every array in the result is freshly allocated (never a view
 * of the observation or of scratch memory), so it stays valid however long the caller keeps it.
 */
export function toPolicy(
  obs: LeRobotObservation,
  layout: Layout,
  options: ConverterOptions = {},
  scratch: ImageScratch = defaultScratch,
): PolicyInput {
  checkObservation(obs);
  const input: { [key: string]: WireValue } = {};
  const warnings: string[] = [];
  if (layout.madeFor) {
    warnings.push(
      `layout '${layout.name}' is meant for ${layout.madeFor}; the SO-100's joints are padded with zeros, so expect nonsense motions unless the policy was fine-tuned on this mapping`,
    );
  }

  const gripper = gripperUnits(options);
  for (const field of layout.state) {
    const v = new Float32Array(field.length);
    for (const m of SO100_MOTORS) {
      const at = field.motorIndex[m];
      if (at === undefined) continue;
      v[at] = m === 'gripper' ? gripper.toPolicy(obs.positions[m]) : obs.positions[m];
    }
    input[field.key] = new NdArray('<f4', [field.length], new Uint8Array(v.buffer));
  }

  if (layout.images.kind === 'slots') slotImages(obs, layout.images, options, scratch, input, warnings);
  else cameraImages(obs, layout.images, input);

  if (obs.task !== '') input[layout.prompt.key] = layout.prompt.asList ? [obs.task] : obs.task;
  return { input, warnings };
}

function slotImages(
  obs: LeRobotObservation,
  images: SlotImages,
  options: ConverterOptions,
  scratch: ImageScratch,
  input: { [key: string]: WireValue },
  warnings: string[],
): void {
  const height = options.imageSize?.height ?? images.height;
  const width = options.imageSize?.width ?? images.width;
  for (const [what, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new ConverterError(`converter.imageSize.${what}`, 'a whole number ≥ 1', String(v));
  }
  const roles = images.slots.map((s) => s.role);
  const assignment = assignCameraRoles(Object.keys(obs.images), roles, options.cameras);
  warnings.push(...assignment.warnings);
  const target: { [key: string]: WireValue } = images.container ? {} : input;
  const bytes = height * width * 3;
  for (const slot of images.slots) {
    const key = options.imageKeys?.[slot.role] ?? slot.key;
    const camera = assignment.byRole[slot.role];
    if (camera === undefined) {
      if (!slot.required) continue;
      warnings.push(
        `no camera for the ${slot.role} view ('${key}'); sending a black ${width}×${height} image — add a camera or set converter.cameras`,
      );
      target[key] = new NdArray(
        '|u1',
        images.order === 'HWC' ? [height, width, 3] : [3, height, width],
        new Uint8Array(bytes),
      );
      continue;
    }
    const frame = obs.images[camera];
    if (images.order === 'HWC') {
      const out = resizeWithPad(frame, height, width, new Uint8Array(bytes), scratch);
      target[key] = new NdArray('|u1', [height, width, 3], out.data);
    } else {
      const hwc = resizeWithPad(frame, height, width, scratch.bytes(bytes), scratch);
      target[key] = new NdArray('|u1', [3, height, width], hwcToChw(hwc.data, height, width, 3, new Uint8Array(bytes)));
    }
  }
  if (images.container) input[images.container] = target;
}

function cameraImages(obs: LeRobotObservation, images: CameraImages, input: { [key: string]: WireValue }): void {
  for (const camera of Object.keys(obs.images).sort()) {
    const f = obs.images[camera];
    // A copy: camera adapters may reuse their frame buffers.
    input[images.prefix + camera] = new NdArray('|u1', [f.height, f.width, 3], f.data.slice());
  }
}
