// A converter pairs both directions for one policy; built-in ones wrap a layout, user modules supply their own.
import type { ActionChunk } from '../chunking/actionChunk';
import type { WireValue } from '../protocols';
import type { ResizeKernels } from './bilinearResample';
import { gripperUnits } from './gripperUnits';
import { ImageScratch } from './imageOps';
import { fromPolicy, type JointTargets } from './jointTargets';
import { type ConverterOptions, type Layout, layoutByName } from './layouts';
import type { LeRobotObservation } from './lerobotObservation';
import type { MotorName } from '../so100/motors';
import { toPolicy, type PolicyInput } from './policyInput';

/**
 * Both directions of one policy's data mapping. Results are fresh objects the caller may keep. A converter
 * reports each distinct warning only the first time it meets it, so callers can log `warnings` as they come.
 * `M` are the motor names of the robot it reads (the SO-100's by default; the built-in layouts are the SO-100's).
 */
export interface Converter<M extends string = MotorName> {
  /** A label for logs and errors (the layout name, or the user module's path). */
  readonly name: string;
  /** The built-in layout, when there is one. */
  readonly layout?: Layout;
  toPolicy(obs: LeRobotObservation<M>): PolicyInput;
  /** The same conversion away from the caller's thread, when the converter can; the episode loop prefers it. */
  toPolicyAsync?(obs: LeRobotObservation<M>): Promise<PolicyInput>;
  fromPolicy(chunk: ActionChunk): JointTargets;
}

/**
 * What a user's converter module (config `converter.module`, compiled by the runtime) may export. Each
 * function receives the built-in converter of the configured layout, to delegate to or post-process. A
 * plain input map or a bare targets array (horizon × 6, motor order) is accepted; warnings are then none.
 */
export interface UserConverterModule {
  readonly toPolicy?: (obs: LeRobotObservation, builtin: Converter) => PolicyInput | { [key: string]: WireValue };
  readonly fromPolicy?: (chunk: ActionChunk, builtin: Converter) => JointTargets | Float64Array;
}

/**
 * The converter of a built-in layout (config `converter.layout`); throws ConverterError for an unknown name.
 * `resizeKernels` picks the image resampling implementation (same bytes; benchmarks and tests compare them).
 */
export function builtinConverter(
  layoutName: string,
  options: ConverterOptions = {},
  resizeKernels: ResizeKernels = 'auto',
): Converter {
  const layout = layoutByName(layoutName);
  gripperUnits(options); // reject a bad converter.gripper at configuration time, not on the first tick
  const scratch = new ImageScratch(undefined, resizeKernels);
  const seen = new Set<string>();
  const fresh = (warnings: readonly string[]): string[] => warnings.filter((w) => !seen.has(w) && (seen.add(w), true));
  return {
    name: layout.name,
    layout,
    toPolicy(obs) {
      const r = toPolicy(obs, layout, options, scratch);
      return { input: r.input, warnings: fresh(r.warnings) };
    },
    fromPolicy(chunk) {
      const r = fromPolicy(chunk, layout, options);
      return { horizon: r.horizon, targets: r.targets, warnings: fresh(r.warnings) };
    },
  };
}
