// The resolved config in the shapes the existing modules take: chunk scheduler, safety, normalisation, converter.
import type { ChunkSchedulerOptions } from '../chunking/chunkSchedulerOptions';
import { DEFAULT_ENSEMBLE_DECAY, type JointCaps, type SeamOptions } from '../chunking/seamOptions';
import { normModeFor, SO100_MOTORS } from '../so100/motors';
import type { ConverterOptions } from '../convert/layouts';
import type { ModelProfile } from '../policy/modelProfiles';
import { customizeProfile, MODEL_PROFILES } from '../policy/modelProfiles';
import { positionUnit, type BodyJointMode } from '../so100/normalization';
import type { ActionSafetyOptions } from '../so100/safety';
import { modelNamed } from './resolveConfig';
import type {
  BuiltinModelConfig,
  ChunkingConfig,
  ConverterConfig,
  ModelConfig,
  RobotConfig,
  SeamCapConfig,
  SeamConfig,
  So100Config,
} from './configTypes';

/** `chunking` as ChunkScheduler options. */
export function toChunkSchedulerOptions(chunking: ChunkingConfig): ChunkSchedulerOptions {
  const seam = chunking.seam && toSeamOptions(chunking.seam);
  if (chunking.mode === 'sync')
    return { mode: 'sync', nActionSteps: chunking.nActionSteps, prefetchSteps: chunking.prefetchSteps, seam };
  const { threshold, aggregate, alpha, actionsPerChunk } = chunking;
  return { mode: 'async', threshold, aggregate, alpha, actionsPerChunk, seam };
}

/** `chunking.seam` as the scheduler's option: per-motor caps become motor-order lists (left out = no cap). */
export function toSeamOptions(seam: SeamConfig): SeamOptions {
  const caps = (c: SeamCapConfig): JointCaps => (typeof c === 'number' ? c : SO100_MOTORS.map((m) => c[m] ?? Infinity));
  switch (seam.remedy) {
    case 'ensemble':
      return { remedy: 'ensemble', decay: seam.decay ?? DEFAULT_ENSEMBLE_DECAY };
    case 'limit':
      return seam.maxStepChange === undefined
        ? { remedy: 'limit', maxStep: caps(seam.maxStep) }
        : { remedy: 'limit', maxStep: caps(seam.maxStep), maxStepChange: caps(seam.maxStepChange) };
    default:
      return seam;
  }
}

/** `robot.normMode` as LeRobot's body-joint mode. */
export function toBodyJointMode(normMode: RobotConfig['normMode']): BodyJointMode {
  return normMode === 'degrees' ? 'DEGREES' : 'RANGE_M100_100';
}

/** Each joint's unit in motor order (°, ±100 or %), as positions and commands are shown and recorded. */
export function jointUnits(normMode: RobotConfig['normMode']): string[] {
  return SO100_MOTORS.map((m) => positionUnit(normModeFor(m, toBodyJointMode(normMode))));
}

/** `robot` as the safety gate's options. */
export function toActionSafetyOptions(robot: RobotConfig): ActionSafetyOptions {
  const bodyMode = toBodyJointMode(robot.normMode);
  return robot.maxStep === undefined ? { bodyMode } : { bodyMode, maxStep: robot.maxStep };
}

/** `converter` as the built-in converter's options (the layout name and module are passed separately). */
export function toConverterOptions(converter: ConverterConfig): ConverterOptions {
  const { cameras, imageKeys, gripper } = converter;
  return { ...(cameras && { cameras }), ...(imageKeys && { imageKeys }), ...(gripper && { gripper }) };
}

/** The model `activeModel` names; a config from parseConfig always has it. */
export function activeModelOf(config: So100Config): ModelConfig {
  const model = modelNamed(config.models, config.activeModel);
  if (!model)
    throw new RangeError(
      `activeModel ${JSON.stringify(config.activeModel)} is not one of the models (${Object.keys(config.models).join(', ')})`,
    );
  return model;
}

/** The profile a built-in model serves, with its latency override. */
export function builtinProfileOf(model: BuiltinModelConfig): ModelProfile {
  return customizeProfile(MODEL_PROFILES[model.profile], { latencyMs: model.latencyMs });
}
