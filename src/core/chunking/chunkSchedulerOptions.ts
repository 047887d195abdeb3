// Settings of the chunk scheduler, their defaults, and checks whose messages name the setting to fix.
import { type AggregateMode, DEFAULT_AGGREGATE_ALPHA } from './chunkAggregation';
import { type SeamOptions, checkSeamOptions } from './seamOptions';
import { ChunkSchedulerConfigError } from './chunkSchedulerConfigError';

/**
 * `sync`: openpi's ActionChunkBroker — execute `nActionSteps` rows of a chunk, then ask for the next one; the arm
 * holds while it is computed unless `prefetchSteps` asks early.
 */
export interface SyncChunkOptions {
  readonly mode: 'sync';
  /** Rows executed from each chunk (DROID example: 8 of 10; LIBERO: 5). Default: the whole chunk. */
  readonly nActionSteps?: number;
  /** Ask for the next chunk when this many actions are left (0 = only once the queue is empty). Default 0. */
  readonly prefetchSteps?: number;
  /** How chunks hand over (see SeamOptions). Default here: ALIGNED_SEAM; so100.json's default is DEFAULT_SEAM. */
  readonly seam?: SeamOptions;
}

/** `async`: LeRobot-style — ask early, align the chunk to its observation, merge the overlap. */
export interface AsyncChunkOptions {
  readonly mode: 'async';
  /** Ask for a chunk when queued / chunk size ≤ threshold (LeRobot's chunk_size_threshold). Default 0.5. */
  readonly threshold?: number;
  /** How overlapping steps combine. Default `weighted`. */
  readonly aggregate?: AggregateMode;
  /** Weight of the new chunk in `weighted` mode, in [0, 1]. Default 0.7 (LeRobot's weighted_average). */
  readonly alpha?: number;
  /** Rows used from each chunk (LeRobot's actions_per_chunk). Default: the whole chunk. */
  readonly actionsPerChunk?: number;
  /** How chunks hand over (see SeamOptions). Default here: ALIGNED_SEAM; so100.json's default is DEFAULT_SEAM. */
  readonly seam?: SeamOptions;
}

export type ChunkSchedulerOptions = SyncChunkOptions | AsyncChunkOptions;

/** Options with every default filled in. */
export type ResolvedChunkOptions =
  | {
      readonly mode: 'sync';
      readonly nActionSteps: number;
      readonly prefetchSteps: number;
      readonly seam: SeamOptions;
    }
  | {
      readonly mode: 'async';
      readonly threshold: number;
      readonly aggregate: AggregateMode;
      readonly alpha: number;
      readonly actionsPerChunk: number;
      readonly seam: SeamOptions;
    };

export const DEFAULT_ASYNC_THRESHOLD = 0.5;
/** The scheduler on its own changes no command: without a seam option it only aligns. */
export const ALIGNED_SEAM: SeamOptions = { remedy: 'aligned' };
/**
 * `chunking.seam`'s default, chosen by measurement (docs/PERFORMANCE.md, "Chunk seams on evaluation campaigns"): on
 * 100 paired seeds of both built-in profiles it keeps the seam ratio ≤ 1.5× (p90), adds ≤ 0.01 tick of lag and
 * changes no seed's outcome against `aligned`; of the remedies that pass, it alone kept every step ≤ 4°.
 */
export const DEFAULT_SEAM: SeamOptions = { remedy: 'limit', maxStep: 4 };

function positiveInteger(value: number | undefined, key: string, meaning: string): number {
  if (value === undefined) return Infinity;
  if (!Number.isInteger(value) || value < 1) {
    throw new ChunkSchedulerConfigError(
      key,
      `${key} must be a whole number ≥ 1 (${meaning}), got ${String(value)}; remove it to use the whole chunk.`,
    );
  }
  return value;
}

function unitInterval(value: number, key: string, meaning: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ChunkSchedulerConfigError(key, `${key} must be a number from 0 to 1 (${meaning}), got ${String(value)}.`);
  }
  return value;
}

/** Checks options and fills in defaults; throws ChunkSchedulerConfigError naming the bad setting. */
export function resolveChunkOptions(options: ChunkSchedulerOptions): ResolvedChunkOptions {
  if (options.mode === 'sync') {
    const nActionSteps = positiveInteger(options.nActionSteps, 'nActionSteps', 'rows executed from each chunk');
    const prefetchSteps = options.prefetchSteps ?? 0;
    if (!Number.isInteger(prefetchSteps) || prefetchSteps < 0) {
      throw new ChunkSchedulerConfigError(
        'prefetchSteps',
        `prefetchSteps must be a whole number ≥ 0, got ${String(prefetchSteps)}; use 0 to wait for each chunk.`,
      );
    }
    if (prefetchSteps >= nActionSteps) {
      throw new ChunkSchedulerConfigError(
        'prefetchSteps',
        `prefetchSteps (${prefetchSteps}) must be smaller than nActionSteps (${nActionSteps}), or a new chunk would be asked for on every tick.`,
      );
    }
    const seam = checkSeamOptions(options.seam ?? ALIGNED_SEAM, nActionSteps, prefetchSteps > 0);
    return { mode: 'sync', nActionSteps, prefetchSteps, seam };
  }
  if (options.mode === 'async') {
    const aggregate = options.aggregate ?? 'weighted';
    if (aggregate !== 'latest' && aggregate !== 'average' && aggregate !== 'weighted') {
      throw new ChunkSchedulerConfigError(
        'aggregate',
        `aggregate must be "latest", "average" or "weighted", got ${JSON.stringify(aggregate)}.`,
      );
    }
    const actionsPerChunk = positiveInteger(options.actionsPerChunk, 'actionsPerChunk', 'rows used from each chunk');
    return {
      mode: 'async',
      threshold: unitInterval(
        options.threshold ?? DEFAULT_ASYNC_THRESHOLD,
        'threshold',
        'fraction of a chunk left when the next is asked for',
      ),
      aggregate,
      alpha: unitInterval(options.alpha ?? DEFAULT_AGGREGATE_ALPHA, 'alpha', 'weight of the newer chunk'),
      actionsPerChunk,
      seam: checkSeamOptions(options.seam ?? ALIGNED_SEAM, actionsPerChunk),
    };
  }
  const mode: unknown = (options as { mode?: unknown }).mode;
  throw new ChunkSchedulerConfigError('mode', `mode must be "sync" or "async", got ${JSON.stringify(mode)}.`);
}
