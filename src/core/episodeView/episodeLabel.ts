// What an episode is called wherever the Episode Viewer names it (titles, legend, notes, camera tiles): the model it
// ran and, on the simulated arm, the seed, before its folder name, so that two records compared are told apart by
// what differs between them and not only by when they were made.
import { SIMULATED_ARM_PORT } from '../config/simulatedArm';

/** What a label is made of: the record's folder name, and episode.json's `model` and `config` as recorded. */
export interface EpisodeLabelSource {
  /** The record's folder, named by the recorder after its start time (`2026-11-24T08-06-12Z`). */
  readonly name: string;
  /** unknown: older records lack it, and any episode.json may hold anything. */
  readonly model: unknown;
  readonly config: unknown;
}

/**
 * `pi0_fast · seed 12 · 2026-11-24T08-06-12Z`. A record without a model keeps its folder name alone. The model is
 * the one the episode started with (a swap during it is an event on the timeline).
 */
export function episodeLabel(source: EpisodeLabelSource): string {
  const model = typeof source.model === 'string' ? source.model.trim() : '';
  if (model === '') return source.name;
  const seed = simulatedSeed(source.config);
  return [model, ...(seed === undefined ? [] : [`seed ${seed}`]), source.name].join(' · ');
}

/** The seed of the simulated scene; none for a real arm, whose config carries a seed nothing used. */
function simulatedSeed(config: unknown): number | undefined {
  const robot = isObject(config) ? config.robot : undefined;
  if (!isObject(robot) || robot.port !== SIMULATED_ARM_PORT) return undefined;
  return typeof robot.seed === 'number' && Number.isInteger(robot.seed) ? robot.seed : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
