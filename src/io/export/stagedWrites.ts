// How an export reaches the output folder without ever leaving a half-written dataset that looks valid. Every file
// is first written into a sibling work folder `<out>.so100-partial-<pid>`. A new dataset is then one rename of that
// folder; an append moves its new files in one by one, after writing a commit note that lists them, meta/info.json
// last. A crash before the note leaves the old dataset (the work folder is removed next time); a crash after it is
// finished next time (the moves are redone). A full disk can only strike while the work folder is written.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const COMMIT_NOTE = 'so100-commit.json';

export function workFolder(out: string): string {
  return `${out}.so100-partial-${process.pid}`;
}

/** A new dataset: old (if any) → .so100-old, work → out, old removed. */
export async function swapInto(work: string, out: string): Promise<void> {
  const old = `${out}.so100-old`;
  const had = await stat(out).catch(() => undefined);
  if (had) await rename(out, old);
  await rename(work, out);
  if (had) await rm(old, { recursive: true, force: true });
}

/** An append: `files` (relative paths, in order; meta/info.json last) move from `work` into `out`. */
export async function moveInto(work: string, out: string, files: readonly string[]): Promise<void> {
  await writeFile(join(work, COMMIT_NOTE), JSON.stringify({ files }));
  await finishMoves(work, out, files);
}

async function finishMoves(work: string, out: string, files: readonly string[]): Promise<void> {
  for (const f of files) {
    if (!(await stat(join(work, f)).catch(() => undefined))) continue; // moved before a crash
    await mkdir(dirname(join(out, f)), { recursive: true });
    await rename(join(work, f), join(out, f));
  }
  await rm(work, { recursive: true, force: true });
}

/** Repairs what a killed export left next to `out`: a swap half done, work folders of exports that are gone. */
export async function recoverInterruptedExport(out: string): Promise<void> {
  const prefix = `${basename(out)}.so100-partial-`;
  for (const name of await readdir(dirname(out)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && (pid === process.pid || processAlive(pid))) continue;
    const work = join(dirname(out), name);
    const note = await readFile(join(work, COMMIT_NOTE), 'utf8').catch(() => undefined);
    if (note !== undefined) await finishMoves(work, out, (JSON.parse(note) as { files: string[] }).files);
    else await rm(work, { recursive: true, force: true });
  }
  const old = `${out}.so100-old`;
  if (!(await stat(old).catch(() => undefined))) return;
  if (await stat(out).catch(() => undefined)) await rm(old, { recursive: true, force: true });
  else await rename(old, out);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
