// Where episode records live and how their folders are named: one folder per episode, named after its start
// time so a plain `ls` sorts them, made unique without a check-then-create race.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** `<workspace>/.so100/episodes`: the folder that holds one folder per recorded episode. */
export function episodesRoot(workspaceDir: string): string {
  return join(workspaceDir, '.so100', 'episodes');
}

/** UTC start time without characters that Windows or shells dislike: `2026-11-24T08-06-12Z`. */
export function episodeFolderName(startedAt: Date): string {
  return `${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** Creates `<rootDir>/<timestamp>` — or `<timestamp>-2`, `-3`, … when taken — and returns its path. */
export async function createEpisodeFolder(rootDir: string, startedAt: Date): Promise<string> {
  await mkdir(rootDir, { recursive: true });
  const base = episodeFolderName(startedAt);
  for (let n = 1; ; n++) {
    const dir = join(rootDir, n === 1 ? base : `${base}-${n}`);
    try {
      // Non-recursive mkdir fails with EEXIST atomically, so two recorders never share a folder.
      await mkdir(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
