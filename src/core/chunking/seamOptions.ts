// How the hand-over between chunks is smoothed (`chunking.seam`). Every remedy runs on top of the scheduler's
// delay-compensated start, which is always on: a chunk's rows for steps that ran while its request was in flight
// are dropped (async mode), so a late chunk is aligned and never replayed.
import { ChunkSchedulerConfigError } from './chunkSchedulerConfigError';

/** Per-joint caps: one number for the body joints (the gripper uncapped), or one per value in motor order. */
export type JointCaps = number | readonly number[];

export type SeamOptions =
  /** Delay-compensated start only; overlapping rows combine per `aggregate`. */
  | { readonly remedy: 'aligned' }
  /** A linear cross-fade over `ticks` ticks from the outgoing rows (held at their last when they run out) to the incoming. */
  | { readonly remedy: 'crossfade'; readonly ticks: number }
  /** ACT's temporal ensembling: the i-th oldest prediction of a step weighs exp(−decay·i). */
  | { readonly remedy: 'ensemble'; readonly decay: number }
  /** Commands move at most `maxStep` per tick and change their step by at most `maxStepChange` per tick. */
  | { readonly remedy: 'limit'; readonly maxStep: JointCaps; readonly maxStepChange?: JointCaps };

/** ACT's m. */
export const DEFAULT_ENSEMBLE_DECAY = 0.01;

export type SeamRemedy = SeamOptions['remedy'];
export const SEAM_REMEDIES: readonly SeamRemedy[] = ['aligned', 'crossfade', 'ensemble', 'limit'];

/** Checks seam options against the rows a chunk offers (`rowsPerChunk`, when known); errors name the key. */
export function checkSeamOptions(seam: SeamOptions, rowsPerChunk = Infinity, overlaps = true): SeamOptions {
  const key = (k: string) => `seam.${k}`;
  switch (seam.remedy) {
    case 'aligned':
      return seam;
    case 'crossfade':
      if (!Number.isInteger(seam.ticks) || seam.ticks < 1)
        throw new ChunkSchedulerConfigError(
          key('ticks'),
          `seam.ticks must be a whole number of ticks ≥ 1 to cross-fade over, got ${String(seam.ticks)}.`,
        );
      if (seam.ticks >= rowsPerChunk)
        throw new ChunkSchedulerConfigError(
          key('ticks'),
          `seam.ticks (${seam.ticks}) must be shorter than the ${rowsPerChunk} rows used from each chunk, or a chunk ends before its cross-fade does; use at most ${rowsPerChunk - 1}.`,
        );
      return seam;
    case 'ensemble':
      if (typeof seam.decay !== 'number' || !Number.isFinite(seam.decay) || seam.decay < 0)
        throw new ChunkSchedulerConfigError(
          key('decay'),
          `seam.decay must be a number ≥ 0 (ACT uses 0.01; 0 = plain average), got ${String(seam.decay)}.`,
        );
      if (!overlaps)
        throw new ChunkSchedulerConfigError(
          key('remedy'),
          'seam.remedy "ensemble" needs rows of two chunks for the same step, but sync mode without prefetchSteps never overlaps chunks; set chunking.prefetchSteps, use async mode, or choose "crossfade" or "limit".',
        );
      return seam;
    case 'limit':
      checkCaps(seam.maxStep, key('maxStep'));
      if (seam.maxStepChange !== undefined) checkCaps(seam.maxStepChange, key('maxStepChange'));
      return seam;
  }
  const remedy: unknown = (seam as { remedy?: unknown }).remedy;
  throw new ChunkSchedulerConfigError(
    key('remedy'),
    `seam.remedy must be one of ${SEAM_REMEDIES.map((r) => `"${r}"`).join(', ')}, got ${JSON.stringify(remedy)}.`,
  );
}

function checkCaps(caps: JointCaps, key: string): void {
  const list = typeof caps === 'number' ? [caps] : caps;
  list.forEach((v, j) => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
      throw new ChunkSchedulerConfigError(
        typeof caps === 'number' ? key : `${key}[${j}]`,
        `${key} must be a positive change per tick, got ${String(v)}; a limit of 0 or less would freeze the arm.`,
      );
  });
}
