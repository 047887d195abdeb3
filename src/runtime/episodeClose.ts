// An episode's end: its records finished (or aborted when the arm failed) and the summary the session reports in
// `episodeEnded`.
import { endedEarlySummary, type EpisodeSummary } from '../core/rpc';
import { summarizeStages } from '../core/timing/percentiles';
import type { AssembledEpisode } from './episodeAssembly';
import type { EpisodeResult } from './episodeLoop';

/** The loop ran to its end: the frames and the recording are finished; the summary numbers the episode. */
export async function closeFinishedEpisode(
  episode: AssembledEpisode,
  number: number,
  result: EpisodeResult,
  warn: (message: string) => void,
): Promise<EpisodeSummary> {
  const { recorder, frames } = episode;
  const frameSummary = await frames?.finish();
  if (frameSummary && frameSummary.mode !== frameSummary.requestedMode) warn(`camera frames: ${frameSummary.why}`);
  await recorder?.finish(result);
  const { timing, ...counts } = result;
  return {
    episode: number,
    ...counts,
    timing: summarizeStages(timing).filter((s) => s.count > 0),
    recordDir: recorder?.dir,
  };
}

/** The arm or its bus failed mid-tick (`message`): the records are aborted saying so; nothing was counted. */
export async function closeFailedEpisode(
  episode: AssembledEpisode,
  number: number,
  message: string,
): Promise<EpisodeSummary> {
  const { loop, recorder, frames } = episode;
  const reason = `the arm failed: ${message}`;
  await frames?.abort(message);
  await recorder?.abort(reason, loop.stepCount);
  return endedEarlySummary(number, reason, loop.stepCount, recorder?.dir);
}
