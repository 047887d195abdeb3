// The incremental API an evaluation campaign calls as each episode finishes: the dataset at `dir` afterwards holds
// every episode appended so far, each file complete (footers written), so a crashed campaign keeps its finished
// episodes. An append interrupted mid-way leaves the previous dataset, and the next append (or export --append)
// redoes it; an episode already in the dataset is not added twice.
import type { DatasetExportOptions, DatasetExportSummary, EpisodeRef } from './lerobotExport';
import { exportLeRobotDataset } from './lerobotExport';

export function appendEpisodeToDataset(
  dir: string,
  episode: EpisodeRef,
  options: Omit<DatasetExportOptions, 'out' | 'append'> = {},
): Promise<DatasetExportSummary> {
  return exportLeRobotDataset([episode], { ...options, out: dir, append: true });
}
