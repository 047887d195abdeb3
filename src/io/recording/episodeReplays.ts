// The finished replays beside an episode record (`replay-<model>.jsonl`, not `….partial`), read for the Episode
// Viewer through the replay file's own reader; a file that cannot be read is named in the notes, never fatal.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReplayOverlay, type OverlayStep } from '../../core/episodeView';
import { readReplayFile } from './replayFile';

const REPLAY_FILE = /^replay-.+\.jsonl$/;

export interface EpisodeReplays {
  /** One per readable file, in file-name order. */
  readonly overlays: readonly ReplayOverlay[];
  /** One sentence per file that could not be read. */
  readonly problems: readonly string[];
}

export async function readEpisodeReplays(dir: string, steps: readonly OverlayStep[]): Promise<EpisodeReplays> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => REPLAY_FILE.test(n)).sort();
  const overlays: ReplayOverlay[] = [];
  const problems: string[] = [];
  for (const name of names) {
    try {
      const file = await readReplayFile(join(dir, name));
      const model = typeof file.header.model === 'string' ? file.header.model : basename(name, '.jsonl').slice(7);
      overlays.push(new ReplayOverlay(model, steps, file.chunks));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      problems.push(`${name} could not be read, so it is not overlaid (${why}); run so100 replay again to rewrite it`);
    }
  }
  return { overlays, problems };
}
