// The summary of an episode that ended before it ran (stopped by the operator) or died mid-way (a crash in the loop):
// a failure with its reason and nothing counted.
import type { EpisodeSummary } from './runtimeProtocol';

export function endedEarlySummary(episode: number, reason: string, steps = 0, recordDir?: string): EpisodeSummary {
  return {
    episode,
    success: false,
    reason,
    steps,
    starvedTicks: 0,
    warmupTicks: 0,
    chunks: 0,
    clampedTicks: 0,
    lateTicks: 0,
    timing: [],
    ...(recordDir !== undefined ? { recordDir } : {}),
  };
}
