// The built-in server's stand-ins for π₀ and π₀-FAST: chunk shape and inference latency, so that swapping
// models changes what a user sees the same way the real checkpoints do.
import { SO100_MOTORS } from '../so100/motors';

export type ModelProfileName = 'pi0' | 'pi0_fast';

export interface ModelProfile {
  readonly name: ModelProfileName;
  /** Steps per returned chunk. */
  readonly horizon: number;
  /** Width of each action row; padded past the robot's joints with zeros, as the real models do. */
  readonly actionDim: number;
  /** Simulated forward-pass time. */
  readonly latencyMs: number;
  readonly dtype: '<f4' | '<f8';
}

/**
 * π₀: Pi0Config action_horizon 50, action_dim 32 (the SO-100 fork returns all 32 columns); ~27 ms for two views on a
 * good GPU. π₀-FAST: pi0_fast_so100 uses horizon 10 and action_dim 12; autoregressive decoding is slower per call.
 */
export const MODEL_PROFILES: Readonly<Record<ModelProfileName, ModelProfile>> = {
  pi0: { name: 'pi0', horizon: 50, actionDim: 32, latencyMs: 30, dtype: '<f4' },
  pi0_fast: { name: 'pi0_fast', horizon: 10, actionDim: 12, latencyMs: 90, dtype: '<f4' },
};

export function isModelProfileName(s: string): s is ModelProfileName {
  return s === 'pi0' || s === 'pi0_fast';
}

/** Narrowest action row the demo policies can fill: one column per SO-100 joint (5 body joints + gripper). */
export const MIN_ACTION_DIM = SO100_MOTORS.length;
/** Widest action row a profile may have. */
export const MAX_ACTION_DIM = 256;

/** A profile with some fields overridden, checked for sense. */
export function customizeProfile(base: ModelProfile, overrides: Partial<Omit<ModelProfile, 'name'>>): ModelProfile {
  const p = { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(p.horizon) || p.horizon < 1 || p.horizon > 1000)
    throw new RangeError(`horizon must be an integer 1..1000, got ${p.horizon}`);
  if (!Number.isInteger(p.actionDim) || p.actionDim < 1 || p.actionDim > MAX_ACTION_DIM) {
    throw new RangeError(`action dim must be an integer ${MIN_ACTION_DIM}..${MAX_ACTION_DIM}, got ${p.actionDim}`);
  }
  if (p.actionDim < MIN_ACTION_DIM) throw new RangeError(actionDimTooNarrow(p.actionDim));
  if (!Number.isFinite(p.latencyMs) || p.latencyMs < 0 || p.latencyMs > 600_000)
    throw new RangeError(`latency must be 0..600000 ms, got ${p.latencyMs}`);
  return p;
}

/** Why an action width below MIN_ACTION_DIM cannot be served. */
export function actionDimTooNarrow(actionDim: number): string {
  return (
    `action dim ${actionDim} is too narrow: the SO-100 has ${MIN_ACTION_DIM} joints (${SO100_MOTORS.join(', ')}) and the ` +
    `demo policy writes one column per joint, so rows need at least ${MIN_ACTION_DIM} values (π₀ pads them to 32, π₀-FAST to 12)`
  );
}
