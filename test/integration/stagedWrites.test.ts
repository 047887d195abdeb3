// What a killed export leaves next to a dataset is repaired by the next export to the same place: an append killed
// after its commit note is finished (its files moved in, meta/info.json last), one killed before it is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recoverInterruptedExport } from '../../src/io/export/stagedWrites';

/** A pid no process has (above Linux's pid_max of 2^22). */
const GONE_PID = 4_194_305;

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

test('an append killed after its commit note is finished; one killed before it is dropped', async () => {
  const root = await mkdtemp(join(tmpdir(), 'so100-staged-'));
  try {
    const out = join(root, 'ds');
    await put(join(out, 'meta/info.json'), 'old info');
    await put(join(out, 'data/chunk-000/file-000.parquet'), 'old data');
    // Killed mid-move: the data file is already in, the episodes file and info.json are not.
    const committed = join(root, `ds.so100-partial-${GONE_PID}`);
    await put(join(committed, 'meta/episodes/chunk-000/file-001.parquet'), 'new episodes');
    await put(join(committed, 'meta/info.json'), 'new info');
    await put(join(out, 'data/chunk-000/file-001.parquet'), 'new data');
    const files = ['data/chunk-000/file-001.parquet', 'meta/episodes/chunk-000/file-001.parquet', 'meta/info.json'];
    await writeFile(join(committed, 'so100-commit.json'), JSON.stringify({ files }));

    await recoverInterruptedExport(out);
    assert.equal(await readFile(join(out, 'meta/info.json'), 'utf8'), 'new info');
    assert.equal(await readFile(join(out, 'meta/episodes/chunk-000/file-001.parquet'), 'utf8'), 'new episodes');
    assert.equal(await readFile(join(out, 'data/chunk-000/file-000.parquet'), 'utf8'), 'old data');
    assert.deepEqual(await readdir(root), ['ds']);

    // Killed while writing its work folder (no note): the dataset stays as it is, the folder goes.
    const torn = join(root, `ds.so100-partial-${GONE_PID}`);
    await put(join(torn, 'data/chunk-000/file-002.parquet'), 'half');
    await recoverInterruptedExport(out);
    assert.deepEqual(await readdir(root), ['ds']);
    assert.deepEqual(await readdir(join(out, 'data/chunk-000')), ['file-000.parquet', 'file-001.parquet']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
