// The incremental API an evaluation campaign calls as each episode finishes: the dataset at `dir` afterwards holds
// every episode appended so far, each file complete (footers written), so a crashed campaign keeps its finished
// episodes. An append interrupted mid-way leaves the previous dataset, and the next append (or export --append)
// redoes it; an episode already in the dataset is not added twice.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatasetExportOptions, DatasetExportSummary, EpisodeRef } from './lerobotExport';
import { exportLeRobotDataset, SOURCES_FILE } from './lerobotExport';

export function appendEpisodeToDataset(
  dir: string,
  episode: EpisodeRef,
  options: Omit<DatasetExportOptions, 'out' | 'append'> = {},
): Promise<DatasetExportSummary> {
  return exportLeRobotDataset([episode], { ...options, out: dir, append: true });
}

/**
 * Appends those of `episodes` that the dataset at `dir` does not hold yet (all of them when there is no dataset);
 * undefined when it holds them all, so that a resumed campaign re-exports nothing it already has.
 */
export async function appendMissingEpisodes(
  dir: string,
  episodes: readonly EpisodeRef[],
  options: Omit<DatasetExportOptions, 'out' | 'append'> = {},
): Promise<DatasetExportSummary | undefined> {
  const held = new Set((await datasetSourceDirs(dir)).map((d) => resolve(d)));
  const missing = episodes.filter((e) => !held.has(resolve(e.dir)));
  if (missing.length === 0) return undefined;
  return exportLeRobotDataset(missing, { ...options, out: dir, append: true });
}

/** The episode folders a dataset this exporter made was made from; none when there is no readable dataset. */
async function datasetSourceDirs(dir: string): Promise<string[]> {
  try {
    const body = JSON.parse(await readFile(join(dir, SOURCES_FILE), 'utf8')) as { episodes?: { dir?: unknown }[] };
    return (body.episodes ?? []).map((e) => e.dir).filter((d): d is string => typeof d === 'string');
  } catch {
    return [];
  }
}
