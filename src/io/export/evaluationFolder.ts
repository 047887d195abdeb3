// An evaluation folder: campaign.json plus results.csv (columns model, seed, episode_dir, success, …) next to
// the episode folders it names. Its rows become export refs carrying the campaign's verdict.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { EpisodeRef } from './lerobotExport';
import { DatasetExportError } from './exportErrors';

export async function isEvaluationFolder(dir: string): Promise<boolean> {
  return Boolean(
    (await stat(join(dir, 'results.csv')).catch(() => undefined)) &&
    (await stat(join(dir, 'campaign.json')).catch(() => undefined)),
  );
}

export async function evaluationRefs(dir: string): Promise<EpisodeRef[]> {
  const file = join(dir, 'results.csv');
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsv(lines[0] ?? '');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new DatasetExportError(`${file}: no ${name} column (expected model, seed, episode_dir, success, …)`);
    return i;
  };
  const dirCol = col('episode_dir');
  const successCol = col('success');
  return lines.slice(1).map((line, n) => {
    const cells = splitCsv(line);
    const episodeDir = cells[dirCol];
    const success = cells[successCol]?.toLowerCase();
    if (!episodeDir) throw new DatasetExportError(`${file}:${n + 2}: episode_dir is empty`);
    if (!['true', 'false', '1', '0'].includes(success ?? ''))
      throw new DatasetExportError(
        `${file}:${n + 2}: success must be true/false or 1/0, got "${cells[successCol] ?? ''}"`,
      );
    return {
      dir: isAbsolute(episodeDir) ? episodeDir : join(dir, episodeDir),
      evaluation: { success: success === 'true' || success === '1' },
    };
  });
}

/** RFC 4180 cells of one line (quoted cells may hold commas and doubled quotes). */
function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (cells.push(cell), (cell = ''));
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}
