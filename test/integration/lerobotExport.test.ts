// so100 export → LeRobotDataset v3.0, read back with hyparquet (a pure-JS parquet reader, not the writer's
// parquet-wasm) and ffprobe, against the episode records it came from.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { JOINT_NAMES } from '../../src/core/lerobot';
import { SO100_MOTORS } from '../../src/core/so100';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { appendEpisodeToDataset, exportLeRobotDataset, evaluationRefs, DatasetExportError } from '../../src/io/export';
import { runCli } from '../helpers/cliProcess';

async function parquet(file: string) {
  const b = await readFile(file);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  const meta = parquetMetadata(ab);
  const rows = (await parquetReadObjects({ file: ab })) as Record<string, unknown>[];
  const kv = new Map((meta.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  // The Arrow logical schema the file carries (base64 IPC message), decoded by apache-arrow's IPC reader.
  const ipc = Buffer.from(kv.get('ARROW:schema') ?? '', 'base64');
  const schema = arrow.tableFromIPC(Buffer.concat([ipc, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])).schema;
  return { meta, rows, kv, schema };
}

/** What pandas does with index_columns: the named column becomes the index, in row order. */
function pandasIndex(kv: Map<string, string>, rows: Record<string, unknown>[]): { name: string; values: unknown[] } {
  const pandas = JSON.parse(kv.get('pandas') ?? 'null') as { index_columns: string[] } | null;
  assert.ok(pandas, 'the pandas key-value metadata is there');
  assert.deepEqual(pandas.index_columns, ['task']);
  return { name: 'task', values: rows.map((r) => r.task) };
}

function ffprobe(file: string): { frames: number; duration: number; codec: string; fps: string } {
  const r = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=nb_read_frames,codec_name,r_frame_rate:format=duration',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const j = JSON.parse(r.stdout) as { streams: Record<string, string>[]; format: { duration: string } };
  return {
    frames: Number(j.streams[0].nb_read_frames),
    duration: Number(j.format.duration),
    codec: j.streams[0].codec_name,
    fps: j.streams[0].r_frame_rate,
  };
}

const f32 = (x: number) => Math.fround(x);

/** Every file of a folder (relative path → bytes). */
async function fileBytes(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) {
      const full = join(e.parentPath, e.name);
      out.set(full.slice(dir.length + 1), await readFile(full));
    }
  return out;
}

describe('so100 export --format lerobot-v3', () => {
  let root: string;
  let mp4Episode: string;
  let pngEpisode: string;
  let evalDir: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'so100-export-'));
    for (const [name, extra] of [
      ['mp4', []],
      ['png', ['--frames', 'png']],
    ] as const) {
      const r = await runCli(['episode', '--steps', '24', '--record', join(root, name), ...extra], 120_000);
      assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
    }
    mp4Episode = join(root, 'mp4', (await readdir(join(root, 'mp4')))[0]);
    pngEpisode = join(root, 'png', (await readdir(join(root, 'png')))[0]);
    // A hand-made evaluation folder: campaign.json + results.csv naming its episode folders.
    evalDir = join(root, 'eval');
    await mkdir(evalDir);
    await cp(mp4Episode, join(evalDir, 'ep-a'), { recursive: true });
    await cp(pngEpisode, join(evalDir, 'ep-b'), { recursive: true });
    await writeFile(join(evalDir, 'campaign.json'), JSON.stringify({ models: ['pi0'], seeds: [1, 2] }));
    await writeFile(
      join(evalDir, 'results.csv'),
      'model,seed,episode_dir,success,steps\npi0,1,ep-a,true,24\npi0,2,ep-b,false,24\n',
    );
  });

  test('round trip: data, episodes, tasks, info, stats and videos equal the records', async () => {
    const out = join(root, 'ds');
    const r = await runCli(
      ['export', evalDir, '--format', 'lerobot-v3', '--out', out, '--repo-id', 'me/so100_eval'],
      120_000,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const records = [await readEpisodeRecord(join(evalDir, 'ep-a')), await readEpisodeRecord(join(evalDir, 'ep-b'))];
    const lengths = records.map((x) => x.steps.length);
    const total = lengths[0] + lengths[1];

    const info = JSON.parse(await readFile(join(out, 'meta/info.json'), 'utf8'));
    assert.equal(info.codebase_version, 'v3.0');
    assert.equal(info.robot_type, 'so100_follower');
    assert.equal(info.fps, 30);
    assert.equal(info.total_episodes, 2);
    assert.equal(info.total_frames, total);
    assert.deepEqual(info.features['observation.state'], { dtype: 'float32', shape: [6], names: JOINT_NAMES });
    assert.deepEqual(
      info.features.action.names,
      SO100_MOTORS.map((m) => `${m}.pos`),
    );
    assert.deepEqual(info.features['action.policy'], { dtype: 'float32', shape: [6], names: JOINT_NAMES });
    assert.equal(info.features['next.success'].dtype, 'bool');
    assert.equal(info.features['observation.images.front'].info['video.codec'], 'h264');
    assert.deepEqual(info.features['observation.images.front'].shape, [224, 224, 3]);

    const data = await parquet(join(out, 'data/chunk-000/file-000.parquet'));
    assert.deepEqual(
      data.meta.row_groups.map((g) => Number(g.num_rows)),
      lengths,
      'one row group per episode',
    );
    for (const g of data.meta.row_groups) for (const c of g.columns) assert.equal(c.meta_data?.codec, 'SNAPPY');
    const type = (n: string) => String(data.schema.fields.find((f) => f.name === n)?.type);
    assert.equal(type('observation.state'), 'FixedSizeList[6]<Float32>');
    assert.equal(type('action'), 'FixedSizeList[6]<Float32>');
    assert.equal(type('action.policy'), 'FixedSizeList[6]<Float32>');
    assert.equal(type('timestamp'), 'Float32');
    for (const k of ['frame_index', 'episode_index', 'index', 'task_index']) assert.equal(type(k), 'Int64');
    assert.equal(type('next.success'), 'Bool');
    assert.equal(type('next.done'), 'Bool');
    let i = 0;
    let policyTicks = 0;
    records.forEach((rec, e) => {
      assert.ok(rec.policyRows, 'these records keep the policy rows');
      let goal: number[] | undefined;
      let policyRow: number[] | undefined;
      rec.steps.forEach((s, t) => {
        const row = data.rows[i];
        assert.deepEqual(
          row['observation.state'],
          SO100_MOTORS.map((m) => f32(s.positions[m])),
        );
        if (s.sent) goal = SO100_MOTORS.map((m) => f32(s.sent![m]));
        assert.deepEqual(row.action, goal ?? SO100_MOTORS.map((m) => f32(s.positions[m])));
        if (s.raw) ((policyRow = SO100_MOTORS.map((m) => f32(s.raw![m]))), policyTicks++);
        assert.deepEqual(row['action.policy'], policyRow ?? SO100_MOTORS.map((m) => f32(s.positions[m])));
        assert.equal(row.index, BigInt(i));
        assert.equal(row.frame_index, BigInt(t));
        assert.equal(row.episode_index, BigInt(e));
        assert.equal(row.task_index, 0n);
        assert.equal(row.timestamp, f32(t / 30));
        const last = t === rec.steps.length - 1;
        assert.equal(row['next.done'], last);
        assert.equal(row['next.success'], last && e === 0, 'the campaign verdict on the last frame');
        i++;
      });
    });

    assert.ok(policyTicks > 0, 'the policy answered on some ticks');

    const tasks = await parquet(join(out, 'meta/tasks.parquet'));
    const index = pandasIndex(tasks.kv, tasks.rows);
    assert.deepEqual(index.values, ['pick up the red cube']);
    assert.deepEqual(
      tasks.rows.map((x) => x.task_index),
      [0n],
    );

    const episodes = await parquet(join(out, 'meta/episodes/chunk-000/file-000.parquet'));
    assert.equal(episodes.rows.length, 2);
    let from = 0;
    episodes.rows.forEach((row, e) => {
      assert.equal(row.episode_index, BigInt(e));
      assert.deepEqual(row.tasks, ['pick up the red cube']);
      assert.equal(row.length, BigInt(lengths[e]));
      assert.equal(row.dataset_from_index, BigInt(from));
      assert.equal(row.dataset_to_index, BigInt(from + lengths[e]));
      for (const cam of ['front', 'wrist']) {
        assert.equal(row[`videos/observation.images.${cam}/from_timestamp`], from / 30);
        assert.equal(row[`videos/observation.images.${cam}/to_timestamp`], (from + lengths[e]) / 30);
      }
      assert.deepEqual(row['stats/observation.state/count'], [BigInt(lengths[e])]);
      assert.deepEqual(row['stats/action.policy/count'], [BigInt(lengths[e])]);
      assert.equal((row['stats/observation.images.front/mean'] as number[][][]).length, 3);
      from += lengths[e];
    });

    const stats = JSON.parse(await readFile(join(out, 'meta/stats.json'), 'utf8'));
    const pan = data.rows.map((x) => (x['observation.state'] as number[])[0]);
    assert.equal(stats['observation.state'].min[0], Math.min(...pan));
    assert.equal(stats['observation.state'].max[0], Math.max(...pan));
    assert.deepEqual(stats['observation.state'].count, [total]);
    const policyPan = data.rows.map((x) => (x['action.policy'] as number[])[0]);
    assert.equal(stats['action.policy'].max[0], Math.max(...policyPan));
    for (const k of ['min', 'max', 'mean', 'std', 'q01', 'q10', 'q50', 'q90', 'q99']) {
      const v = stats['observation.images.front'][k] as number[][][];
      assert.equal(v.length, 3);
      for (const c of v) assert.ok(c[0][0] >= 0 && c[0][0] <= 1, `${k} in [0, 1]`);
    }

    for (const cam of ['front', 'wrist']) {
      const p = ffprobe(join(out, `videos/observation.images.${cam}/chunk-000/file-000.mp4`));
      assert.equal(p.codec, 'h264');
      assert.equal(p.fps, '30/1');
      assert.equal(p.frames, total, `${cam}: one video frame per data row`);
      assert.ok(Math.abs(p.duration - total / 30) < 1 / 30 / 2, `${cam}: duration ${p.duration} ≈ ${total / 30}`);
    }
  });

  test('--only-success keeps the campaign successes; --append continues the indices', async () => {
    const out = join(root, 'ds-success');
    const refs = await evaluationRefs(evalDir);
    const s = await exportLeRobotDataset(refs, { out, onlySuccess: true });
    assert.equal(s.episodes, 1);
    assert.deepEqual(
      s.skipped.map((x) => x.why),
      ['not a success'],
    );
    await assert.rejects(exportLeRobotDataset([{ dir: pngEpisode }], { out }), /already exists.*--append/);
    const slow = join(root, 'append-fps15');
    await cp(pngEpisode, slow, { recursive: true });
    const ej = JSON.parse(await readFile(join(slow, 'episode.json'), 'utf8'));
    ej.config.fps = 15;
    await writeFile(join(slow, 'episode.json'), JSON.stringify(ej));
    const untouched = await fileBytes(out);
    await assert.rejects(
      appendEpisodeToDataset(out, { dir: slow }),
      (e: Error) => e instanceof DatasetExportError && e.message.includes(slow) && /30 fps.*15 fps/.test(e.message),
    );
    assert.deepEqual(await fileBytes(out), untouched, 'a refused append changes nothing');
    const before = await fileBytes(out);
    const again = await appendEpisodeToDataset(out, { dir: pngEpisode, evaluation: { success: true } });
    assert.equal(again.episodes, 2);
    assert.equal(again.added, 1);
    // the same episode again is not added twice
    assert.equal((await appendEpisodeToDataset(out, { dir: pngEpisode })).added, 0);
    // Only meta/ was rewritten: every old data, video and episodes file is byte for byte what it was.
    const after = await fileBytes(out);
    for (const [f, bytes] of before)
      if (!/^meta\/(info|stats)\.json$|^meta\/tasks\.parquet$|^meta\/so100_sources\.json$/.test(f))
        assert.ok(after.get(f)?.equals(bytes), `${f} untouched by the append`);
    const added = [...after.keys()].filter((f) => !before.has(f)).sort();
    assert.deepEqual(added, [
      'data/chunk-000/file-001.parquet',
      'meta/episodes/chunk-000/file-001.parquet',
      'videos/observation.images.front/chunk-000/file-001.mp4',
      'videos/observation.images.wrist/chunk-000/file-001.mp4',
    ]);
    const first = await parquet(join(out, 'data/chunk-000/file-000.parquet'));
    const second = await parquet(join(out, 'data/chunk-000/file-001.parquet'));
    const rows = [...first.rows, ...second.rows];
    assert.deepEqual(
      rows.map((r) => r.index),
      rows.map((_, k) => BigInt(k)),
      'the global index continues across files',
    );
    assert.deepEqual([first.meta.row_groups.length, second.meta.row_groups.length], [1, 1]);
    assert.ok(second.rows.every((r) => r.episode_index === 1n));
    assert.equal(second.rows[0].frame_index, 0n);
    assert.equal(second.rows.at(-1)!['next.success'], true, 'the appended verdict');
    const eps = [
      ...(await parquet(join(out, 'meta/episodes/chunk-000/file-000.parquet'))).rows,
      ...(await parquet(join(out, 'meta/episodes/chunk-000/file-001.parquet'))).rows,
    ];
    assert.deepEqual(
      eps.map((e) => [e.episode_index, e.dataset_from_index, e.dataset_to_index, e['data/file_index']]),
      [
        [0n, 0n, BigInt(first.rows.length), 0n],
        [1n, BigInt(first.rows.length), BigInt(rows.length), 1n],
      ],
    );
    const n = second.rows.length;
    assert.equal(eps[1]['videos/observation.images.front/file_index'], 1n);
    assert.equal(eps[1]['videos/observation.images.front/from_timestamp'], 0);
    assert.equal(eps[1]['videos/observation.images.front/to_timestamp'], n / 30);
    assert.equal(ffprobe(join(out, 'videos/observation.images.front/chunk-000/file-001.mp4')).frames, n);
    const info = JSON.parse(await readFile(join(out, 'meta/info.json'), 'utf8'));
    assert.deepEqual([info.total_episodes, info.total_frames, info.splits.train], [2, rows.length, '0:2']);
    const stats = JSON.parse(await readFile(join(out, 'meta/stats.json'), 'utf8'));
    assert.deepEqual(stats['observation.state'].count, [rows.length]);
    const pan = rows.map((r) => (r['observation.state'] as number[])[0]);
    assert.equal(stats['observation.state'].min[0], Math.min(...pan));
    assert.equal(stats['observation.state'].max[0], Math.max(...pan));
    const entries = await readdir(root);
    assert.ok(!entries.some((e) => e.includes('.so100-')), `no work folders left: ${entries.join(', ')}`);
  });

  test('records made before the policy rows were kept: no action.policy, and the summary says why', async () => {
    const older = join(root, 'before-raw');
    await cp(mp4Episode, older, { recursive: true });
    const lines = (await readFile(join(older, 'steps.csv'), 'utf8')).split('\n');
    const header = lines[0].split(',');
    const raw = header.flatMap((c, k) => (c.endsWith('.raw') ? [k] : []));
    assert.equal(raw.length, 6);
    const strip = (line: string) =>
      line === ''
        ? line
        : line
            .split(',')
            .filter((_, k) => !raw.includes(k))
            .join(',');
    assert.ok(
      lines.slice(1).every((l) => !l.includes('"')),
      'no quoted cells to split',
    );
    await writeFile(join(older, 'steps.csv'), lines.map(strip).join('\n'));
    assert.equal((await readEpisodeRecord(older)).policyRows, false);

    const out = join(root, 'ds-mixed');
    const s = await exportLeRobotDataset([{ dir: mp4Episode }, { dir: older }], { out });
    assert.match(s.noPolicyAction ?? '', new RegExp(`raw rows were kept: ${older}$`));
    const info = JSON.parse(await readFile(join(out, 'meta/info.json'), 'utf8'));
    assert.equal(info.features['action.policy'], undefined);
    const data = await parquet(join(out, 'data/chunk-000/file-000.parquet'));
    assert.ok(!data.schema.fields.some((f) => f.name === 'action.policy'));
    assert.equal(data.rows.length, s.frames);
    const stats = JSON.parse(await readFile(join(out, 'meta/stats.json'), 'utf8'));
    assert.equal(stats['action.policy'], undefined);
  });

  test('bad input is refused by name and nothing is written', async () => {
    const other = join(root, 'fps15');
    await cp(mp4Episode, other, { recursive: true });
    const ej = JSON.parse(await readFile(join(other, 'episode.json'), 'utf8'));
    ej.config.fps = 15;
    await writeFile(join(other, 'episode.json'), JSON.stringify(ej));
    const out = join(root, 'bad');
    await assert.rejects(
      exportLeRobotDataset([{ dir: mp4Episode }, { dir: other }], { out }),
      (e: Error) => e instanceof DatasetExportError && e.message.includes(other) && /30 fps.*15 fps/.test(e.message),
    );
    ej.config.fps = 30;
    ej.config.robot.type = 'bi_so100_follower';
    await writeFile(join(other, 'episode.json'), JSON.stringify(ej));
    await assert.rejects(
      exportLeRobotDataset([{ dir: mp4Episode }, { dir: other }], { out }),
      /different robot types.*bi_so100_follower/,
    );

    const holes = join(root, 'holes');
    await cp(pngEpisode, holes, { recursive: true });
    await rm(join(holes, 'frames/front/000010.png'));
    await assert.rejects(exportLeRobotDataset([{ dir: holes }], { out }), /front.*tick 10 is missing/);

    await assert.rejects(
      exportLeRobotDataset([{ dir: mp4Episode }], { out, ffmpegPath: join(root, 'no-such-ffmpeg') }),
      /ffmpeg is needed.*nothing was written/,
    );
    assert.equal(await stat(out).catch(() => undefined), undefined, 'no dataset folder');
    assert.ok(!(await readdir(root)).some((e) => e.includes('.so100-partial')));
  });

  test('a disk that fills: a clean error and no dataset left behind', async (t) => {
    const small = join(root, 'small');
    await mkdir(small);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
    if (m.status !== 0) return t.skip('needs root to mount a small tmpfs');
    try {
      const out = join(small, 'ds');
      await assert.rejects(exportLeRobotDataset([{ dir: mp4Episode }], { out }), /disk is full|encoder failed/);
      assert.deepEqual(await readdir(small), [], 'nothing left on the full disk');
      // An append that fills the disk leaves the dataset as it was.
      const roomy = join(small, 'roomy');
      assert.equal(spawnSync('mount', ['-o', 'remount,size=8m', small]).status, 0);
      await exportLeRobotDataset([{ dir: mp4Episode }], { out: roomy });
      const before = await fileBytes(roomy);
      const free = await statfs(small);
      await writeFile(join(small, 'filler'), Buffer.alloc(free.bavail * free.bsize - 8192)); // room for a few KB only
      await assert.rejects(appendEpisodeToDataset(roomy, { dir: pngEpisode }), /disk is full|encoder failed/);
      assert.deepEqual(await fileBytes(roomy), before, 'the dataset is what it was');
      assert.deepEqual((await readdir(small)).sort(), ['filler', 'roomy'], 'no work folder left');
    } finally {
      spawnSync('umount', [small]);
    }
  });
});

describe('the export worker bundle (what the VS Code command runs off the extension host)', () => {
  test('exports from dist/exportWorker.js with parquet-wasm bundled, and a cancel leaves nothing', async () => {
    const { Worker } = await import('node:worker_threads');
    const root = await mkdtemp(join(tmpdir(), 'so100-export-worker-'));
    const outdir = join(root, 'dist');
    const b = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const r = await runCli(['episode', '--steps', '12', '--record', join(root, 'eps')], 120_000);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const episode = join(root, 'eps', (await readdir(join(root, 'eps')))[0]);
    const run = (out: string, cancel: boolean) =>
      new Promise<{ type: string; summary?: { episodes: number }; message?: string }>((resolve) => {
        const w = new Worker(join(outdir, 'exportWorker.js'), {
          workerData: { refs: [{ dir: episode }], options: { out } },
        });
        if (cancel) w.postMessage('cancel');
        w.on('message', (m: { type: string }) => {
          if (m.type !== 'progress') {
            void w.terminate();
            resolve(m);
          }
        });
      });
    const done = await run(join(root, 'ds'), false);
    assert.equal(done.type, 'done', done.message);
    assert.equal(done.summary?.episodes, 1);
    const cancelled = await run(join(root, 'ds-cancelled'), true);
    assert.equal(cancelled.type, 'failed');
    assert.match(cancelled.message ?? '', /cancelled/);
    assert.ok(!(await readdir(root)).some((e) => e.startsWith('ds-cancelled')), 'nothing written');
  });
});
