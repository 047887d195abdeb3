// Index arithmetic of a LeRobotDataset: where an episode's frames start in the global index and in each video
// file. One rule, used by the writer for new and appended episodes alike.

export interface EpisodeSpan {
  readonly episodeIndex: number;
  readonly length: number;
  /** Global frame index of its first frame (dataset_from_index); to is exclusive. */
  readonly from: number;
  readonly to: number;
}

/** The span of the episode after `previous` (or the first one). */
export function nextEpisodeSpan(previous: EpisodeSpan | undefined, length: number): EpisodeSpan {
  const from = previous ? previous.to : 0;
  return { episodeIndex: previous ? previous.episodeIndex + 1 : 0, length, from, to: from + length };
}

/** Frame i of an episode at fps: timestamp = frame_index / fps (stored as float32). */
export function frameTimestamp(frameIndex: number, fps: number): number {
  return frameIndex / fps;
}

/** Seconds of `frames` frames at fps: where the next episode starts in a concatenated video. */
export function videoSeconds(frames: number, fps: number): number {
  return frames / fps;
}
