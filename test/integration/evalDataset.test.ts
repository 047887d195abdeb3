// `so100 eval --dataset DIR`: each finished episode goes into a LeRobot dataset as it ends. A campaign killed
// mid-way (the whole process group, as a crash would) leaves a dataset whose files all read back, holding only
// finished episodes; --resume continues it to every episode, once each, in the campaign's order. Read back with
// hyparquet (not the writer's parquet-wasm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { SO100_MOTORS } from '../../src/core/so100';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { projectRoot, runCli } from '../helpers/cliProcess';

async function parquet(file: string) {
  const b = await readFile(file);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return { meta: parquetMetadata(ab), rows: (await parquetReadObjects({ file: ab })) as Record<string, unknown>[] };
}

/** Every parquet file of a folder in name order: their rows concatenated, and each row group with its file. */
async function parquetFiles(ds: string, dir: string) {
  const names = (await readdir(path.join(ds, dir))).filter((n) => n.endsWith('.parquet')).sort();
  const rows: Record<string, unknown>[] = [];
  const groups: { file: number; rows: number }[] = [];
  for (const name of names) {
    const p = await parquet(path.join(ds, dir, name));
    rows.push(...p.rows);
    for (const g of p.meta.row_groups) groups.push({ file: Number(/\d+/.exec(name)![0]), rows: Number(g.num_rows) });
  }
  return { rows, groups };
}

interface Row {
  readonly dir: string;
  readonly success: boolean;
}

async function resultRows(campaign: string): Promise<Row[]> {
  const lines = (await readFile(path.join(campaign, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
  return lines.map((l) => {
    const c = l.split(',');
    return { dir: path.resolve(campaign, c[2]), success: c[3] === 'true' };
  });
}

/** Reads the whole dataset back and checks it against the campaign rows it holds; returns its episode folders. */
async function checkDataset(ds: string, rows: readonly Row[]): Promise<string[]> {
  const sources = JSON.parse(await readFile(path.join(ds, 'meta/so100_sources.json'), 'utf8')) as {
    episodes: { dir: string; evaluation: { success: boolean } }[];
  };
  const dirs = sources.episodes.map((e) => e.dir);
  const info = JSON.parse(await readFile(path.join(ds, 'meta/info.json'), 'utf8'));
  assert.equal(info.total_episodes, dirs.length);
  assert.equal(info.features['next.success'].dtype, 'bool');
  assert.equal(info.features['action.policy'].shape[0], 6);
  // Each append adds its own data, video and episodes files (file-000, file-001, …): read them all, in order.
  const data = await parquetFiles(ds, 'data/chunk-000');
  const episodes = await parquetFiles(ds, 'meta/episodes/chunk-000');
  await parquet(path.join(ds, 'meta/tasks.parquet'));
  assert.equal(data.groups.length, dirs.length, 'one row group per episode');
  assert.equal(episodes.rows.length, dirs.length);
  let at = 0;
  for (const [e, dir] of dirs.entries()) {
    const row = rows.find((r) => r.dir === dir);
    assert.ok(row, `${dir} is a finished episode of the campaign (it has a results.csv row)`);
    const rec = await readEpisodeRecord(dir);
    assert.equal(data.groups[e].rows, rec.steps.length);
    assert.equal(episodes.rows[e].dataset_from_index, BigInt(at));
    assert.equal(episodes.rows[e]['data/file_index'], BigInt(data.groups[e].file), 'the row names its data file');
    rec.steps.forEach((s, t) => {
      const r = data.rows[at + t];
      assert.equal(r.index, BigInt(at + t));
      assert.equal(r.episode_index, BigInt(e));
      assert.deepEqual(
        r['observation.state'],
        SO100_MOTORS.map((m) => Math.fround(s.positions[m])),
      );
      const last = t === rec.steps.length - 1;
      assert.equal(r['next.done'], last);
      assert.equal(r['next.success'], last && row.success, 'the campaign verdict');
    });
    at += rec.steps.length;
  }
  assert.equal(data.rows.length, at);
  assert.equal(info.total_frames, at);
  return dirs;
}

test('so100 eval --dataset: a killed campaign leaves a readable dataset of finished episodes; --resume completes it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-dataset-'));
  const out = path.join(dir, 'campaign');
  const ds = path.join(dir, 'ds');
  try {
    // Wall time: the kill must land mid-campaign, with a policy server process to take down.
    const args = [
      'eval',
      '--clock',
      'wall',
      '--models',
      'pi0',
      '--episodes',
      '3',
      '--steps',
      '30',
      '--seed',
      '3',
      '--out',
      out,
    ];
    // Its own process group, so that the kill takes the policy server and ffmpeg with it, as a crash would.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--dataset', ds], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Killed once the second episode's row is written: its append (a few seconds of decoding and encoding) is then
    // under way or about to be, the window in which a crash leaves a finished episode out of the dataset.
    const rowsWritten = () => {
      try {
        return readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n').length - 1;
      } catch {
        return 0;
      }
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no second row: ${output}`)), 180_000);
      const poll = setInterval(() => {
        if (rowsWritten() >= 2 && /dataset .*: 1 episodes/.test(output)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`the campaign ended before it was killed: ${output}`));
        }
      }, 20);
    });
    assert.equal(child.exitCode, null, 'still running when killed');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const before = await resultRows(out);
    assert.ok(before.length >= 2 && before.length < 3, `rows at the kill: ${before.length}\n${output}`);
    const kept = await checkDataset(ds, before);
    assert.ok(kept.length >= 1 && kept.length <= before.length);
    console.log(`at the kill: ${before.length} rows, ${kept.length} episodes in the dataset`);

    const resumed = await runCli(['eval', '--resume', out], 240_000);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const rows = await resultRows(out);
    assert.equal(rows.length, 3);
    const all = await checkDataset(ds, rows);
    assert.deepEqual(
      all,
      rows.map((r) => r.dir),
      'every finished episode once, in the campaign order',
    );
    assert.ok(!(await readdir(dir)).some((n) => n.includes('.so100-')), 'no work folders left behind');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('so100 eval --dataset refuses a folder that is not a dataset, before anything runs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-dataset-bad-'));
  try {
    const notDataset = path.join(dir, 'photos');
    await mkdir(notDataset);
    await writeFile(path.join(notDataset, 'a.txt'), 'mine');
    const out = path.join(dir, 'campaign');
    const r = await runCli(['eval', '--models', 'pi0', '--episodes', '1', '--out', out, '--dataset', notDataset]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /photos exists and is not a dataset this exporter made/);
    assert.ok(!existsSync(out), 'no campaign folder');
    assert.deepEqual(await readdir(notDataset), ['a.txt']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
