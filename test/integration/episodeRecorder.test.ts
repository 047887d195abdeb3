import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { perMotor, SO100_MOTORS, type PerMotor } from '../../src/core/so100';
import {
  createFsRecordWriter,
  csvText,
  EPISODE_FILES,
  EpisodeRecorder,
  episodesRoot,
  TIMING_STAGES,
  timingColumn,
  type RecordFileWriter,
  type StepRow,
} from '../../src/io/recording';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';

let tmp: string;
let n = 0;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'so100-rec-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh episodes root per test. */
const root = () => join(tmp, `ws${++n}`, '.so100', 'episodes');
const start = { config: { fps: 30, task: 'pick the cube' }, model: { name: 'pi0_fast_droid' } };

function step(index: number, extra: Partial<StepRow> = {}): StepRow {
  const positions: PerMotor<number> = perMotor((_, i) => index + i / 10 + 0.00004);
  return {
    index,
    atMs: 1000 + index * 33.3333,
    positions,
    sent: perMotor((_, i) => index + i),
    starved: false,
    chunkBoundary: index % 4 === 0,
    ...extra,
  };
}

/** RFC 4180 reader, written independently of the recorder's quoting so the two can disagree. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  assert.equal(cell + row.join(''), '', 'the file must end with a complete line');
  return rows;
}

async function readCsv(dir: string, file: string): Promise<string[][]> {
  return parseCsv(await readFile(join(dir, file), 'utf8'));
}

async function readJson(dir: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(dir, EPISODE_FILES.episode), 'utf8'));
}

/** Polls until check passes; fails after timeoutMs. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a short episode leaves its files with headers, one row per record, and parseable content', async () => {
  const rootDir = root();
  const rec = await EpisodeRecorder.create(
    rootDir,
    { ...start, startedAt: new Date('2026-11-24T08:06:12.345Z') },
    { originMs: 1000 },
  );
  assert.equal(rec.dir, join(rootDir, '2026-11-24T08-06-12Z'));
  assert.equal(rootDir, episodesRoot(join(tmp, `ws${n}`)));
  for (let i = 0; i < 10; i++) {
    rec.recordStep(step(i, i === 3 ? { sent: undefined, starved: true } : {}));
    rec.recordTiming({ tick: i, ms: { read: 0.41234, camera: 0.1, safety: 0.3, tick: 1.25 + i } });
  }
  const values = Float64Array.from({ length: 3 * 6 }, (_, k) => k / 3);
  rec.recordChunk({
    requestId: 7,
    observationTick: 0,
    requestedAtMs: 1010,
    receivedAtMs: 1080.5,
    horizon: 3,
    dims: 6,
    values,
    accepted: true,
  });
  values.fill(99); // the caller reuses its buffer: the record must keep what was predicted
  rec.recordChunk({
    observationTick: 4,
    requestedAtMs: 1140,
    receivedAtMs: 1200,
    horizon: 1,
    dims: 6,
    values: [1, 2, 3, 4, 5, NaN],
    accepted: false,
    discardReason: 'older-observation',
  });
  await rec.finish({
    success: true,
    reason: 'cube lifted',
    steps: 10,
    starvedTicks: 1,
    chunks: 1,
    timing: new Map([
      ['tick', [1, 2, 3]],
      ['network', []],
    ]),
  });

  assert.deepEqual((await readdir(rec.dir)).sort(), Object.values(EPISODE_FILES).sort(), 'no temp files left behind');

  const steps = await readCsv(rec.dir, EPISODE_FILES.steps);
  assert.deepEqual(steps[0], [
    'tick',
    'time_ms',
    ...SO100_MOTORS.map((m) => `${m}.pos`),
    ...SO100_MOTORS.map((m) => `${m}.sent`),
    ...SO100_MOTORS.map((m) => `${m}.raw`),
    'starved',
    'chunk',
    'chunk_boundary',
    'note',
  ]);
  assert.equal(steps.length, 11);
  for (const row of steps.slice(1)) assert.equal(row.length, steps[0].length);
  const s5 = Object.fromEntries(steps[0].map((h, i) => [h, steps[6][i]]));
  assert.equal(s5.tick, '5');
  assert.equal(s5.time_ms, (5 * 33.3333).toFixed(3));
  assert.equal(s5['elbow_flex.pos'], '5.2000');
  assert.equal(s5['gripper.sent'], '10.0000');
  assert.equal(s5.chunk, '1', 'ticks 4–7 execute the second chunk (boundaries at 0 and 4)');
  assert.equal(s5.chunk_boundary, '0');
  const s3 = Object.fromEntries(steps[0].map((h, i) => [h, steps[4][i]]));
  assert.equal(s3.starved, '1');
  assert.equal(s3['shoulder_pan.sent'], '', 'an unsent action is an empty cell, not a made-up number');
  assert.equal(s3['shoulder_pan.raw'], '', 'a starved tick has no policy row');

  const timing = await readCsv(rec.dir, EPISODE_FILES.timing);
  assert.deepEqual(timing[0], ['tick', ...TIMING_STAGES.map(timingColumn)]);
  assert.equal(timing.length, 11);
  const t9 = Object.fromEntries(timing[0].map((h, i) => [h, timing[10][i]]));
  assert.deepEqual(
    [t9.tick, t9.read_ms, t9.tick_ms, t9.safety_ms, t9.network_ms],
    ['9', '0.412', '10.250', '0.300', ''],
  );

  const chunks = (await readFile(join(rec.dir, EPISODE_FILES.chunks), 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0].chunk, 0);
  assert.equal(chunks[0].requestId, 7);
  assert.equal(chunks[0].requestedAtMs, 10);
  assert.equal(chunks[0].receivedAtMs, 80.5);
  assert.equal(chunks[0].actions.length, 3);
  assert.deepEqual(
    chunks[0].actions[2],
    [12, 13, 14, 15, 16, 17].map((k) => k / 3),
  );
  assert.deepEqual(chunks[1].actions, [[1, 2, 3, 4, 5, null]]);
  assert.equal(chunks[1].discardReason, 'older-observation');

  const ep = await readJson(rec.dir);
  assert.deepEqual(ep.config, start.config);
  assert.deepEqual(ep.model, start.model);
  assert.equal(ep.startedAt, '2026-11-24T08:06:12.345Z');
  assert.equal(typeof ep.endedAt, 'string');
  assert.deepEqual(
    { ...ep.result, timing: undefined },
    { success: true, reason: 'cube lifted', steps: 10, starvedTicks: 1, chunks: 1, timing: undefined },
  );
  assert.deepEqual(
    ep.result.timing.map((s: { stage: string; p50: number | null }) => [s.stage, s.p50]),
    [
      ['tick', 2],
      ['network', null],
    ],
  );
  assert.deepEqual(ep.recording.rows, { steps: 10, chunks: 2, timing: 10, events: 0 });
  assert.deepEqual(ep.recording.droppedRows, { steps: 0, chunks: 0, timing: 0, events: 0 });
});

test('an episode that never finishes still leaves episode.json (result null) and the rows flushed so far', async () => {
  const rec = await EpisodeRecorder.create(root(), start, { flushIntervalMs: 20 });
  try {
    const early = await readJson(rec.dir);
    assert.equal(early.result, null);
    assert.equal(early.endedAt, null);
    for (let i = 0; i < 5; i++) rec.recordStep(step(i));
    rec.recordTiming({ tick: 0, ms: { tick: 2 } });
    // No finish: the timer alone must get the rows onto the disk.
    await eventually(
      async () =>
        (await readCsv(rec.dir, EPISODE_FILES.steps)).length === 6 &&
        (await readCsv(rec.dir, EPISODE_FILES.timing)).length === 2,
    );
    const steps = await readCsv(rec.dir, EPISODE_FILES.steps);
    assert.deepEqual(
      steps.slice(1).map((r) => r[0]),
      ['0', '1', '2', '3', '4'],
    );
    const ep = await readJson(rec.dir);
    assert.equal(ep.result, null);
    assert.deepEqual(ep.config, start.config);
  } finally {
    await rec.abort('test over');
  }
  const ended = await readJson(rec.dir);
  assert.equal(ended.result.success, false);
  assert.equal(ended.result.reason, 'test over');
});

test('when the disk falls behind, a full buffer drops its oldest rows, counts them, and recordStep never waits', async () => {
  const fs = createFsRecordWriter();
  let gate: (() => void) | undefined;
  let stalled: (() => void) | undefined;
  const stalledOnce = new Promise<void>((r) => {
    stalled = r;
  });
  let stall = false;
  // A disk that takes as long as the test wants: appends to steps.csv wait for the gate once armed.
  const slow: RecordFileWriter = {
    async append(path, text) {
      if (stall && path.endsWith(EPISODE_FILES.steps)) {
        stall = false;
        stalled?.();
        await new Promise<void>((r) => {
          gate = r;
        });
      }
      await fs.append(path, text);
    },
    replace: (p, t) => fs.replace(p, t),
    close: () => fs.close(),
  };
  const warnings: string[] = [];
  const rec = await EpisodeRecorder.create(root(), start, {
    bufferRows: 4,
    batchRows: 2,
    flushIntervalMs: 60_000,
    writer: slow,
    onWriteError: (e) => warnings.push(e.message),
  });
  stall = true;
  rec.recordStep(step(0));
  rec.recordStep(step(1)); // a full batch: the flusher takes ticks 0–1 and gets stuck on the disk
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stalledOnce,
    new Promise((_, no) => {
      timer = setTimeout(() => no(new Error('the flusher never wrote')), 5000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.ok(gate, 'the write is in progress');
  for (let i = 2; i < 12; i++) {
    const returned: unknown = rec.recordStep(step(i));
    assert.equal(returned, undefined, 'recordStep returns nothing to await');
  }
  assert.deepEqual(rec.droppedRows, { steps: 6, chunks: 0, timing: 0, events: 0 }, 'ticks 2–7 gave way to 8–11');
  gate!();
  await rec.finish({ success: false, reason: 'max steps', steps: 12, starvedTicks: 0 });
  const steps = await readCsv(rec.dir, EPISODE_FILES.steps);
  assert.deepEqual(
    steps.slice(1).map((r) => r[0]),
    ['0', '1', '8', '9', '10', '11'],
  );
  const ep = await readJson(rec.dir);
  assert.equal(ep.recording.droppedRows.steps, 6);
  assert.equal(ep.recording.rows.steps, 6);
  assert.deepEqual(warnings, []);
});

test('a failing disk is reported once and the episode still ends with its result', async () => {
  const fs = createFsRecordWriter();
  let failing = false;
  const broken: RecordFileWriter = {
    append: async (p, t) => {
      if (failing) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await fs.append(p, t);
    },
    replace: (p, t) => fs.replace(p, t),
    close: () => fs.close(),
  };
  const warnings: string[] = [];
  const rec = await EpisodeRecorder.create(root(), start, {
    writer: broken,
    onWriteError: (e) => warnings.push(e.message),
  });
  failing = true;
  rec.recordStep(step(0));
  rec.recordTiming({ tick: 0, ms: { tick: 1 } });
  await rec.finish({ success: true, reason: 'done', steps: 1, starvedTicks: 0 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /steps\.csv.*free some disk space/);
  const ep = await readJson(rec.dir);
  assert.deepEqual(ep.recording.failedWriteRows, { steps: 1, chunks: 0, timing: 1, events: 0 });
  assert.equal(ep.result.reason, 'done');
});

test('two recorders started in the same second get different folders', async () => {
  const rootDir = root();
  const at = new Date('2026-11-24T08:06:12.100Z');
  const [a, b, c] = await Promise.all(
    [0, 1, 2].map((k) => EpisodeRecorder.create(rootDir, { ...start, startedAt: new Date(at.getTime() + k * 300) })),
  );
  try {
    assert.equal(new Set([a.dir, b.dir, c.dir]).size, 3);
    assert.deepEqual((await readdir(rootDir)).sort(), [
      '2026-11-24T08-06-12Z',
      '2026-11-24T08-06-12Z-2',
      '2026-11-24T08-06-12Z-3',
    ]);
  } finally {
    await Promise.all([a, b, c].map((r) => r.abort('test over')));
  }
});

test('text with commas, quotes and line breaks survives a CSV round trip', async () => {
  const note = 'tick 3: "wrist_flex" clamped, 12.5 → 10\nsecond line';
  assert.equal(csvText('plain'), 'plain');
  assert.equal(csvText('a,b'), '"a,b"');
  assert.equal(csvText('say "hi"'), '"say ""hi"""');
  const rec = await EpisodeRecorder.create(root(), start);
  rec.recordStep(step(0, { note }));
  rec.recordStep(step(1, { note: ' padded ' }));
  await rec.finish({ success: true, reason: 'a "reason", with commas', steps: 2, starvedTicks: 0 });
  const steps = await readCsv(rec.dir, EPISODE_FILES.steps);
  assert.equal(steps.length, 3);
  assert.equal(steps[1].at(-1), note);
  assert.equal(steps[2].at(-1), ' padded ');
  assert.equal((await readJson(rec.dir)).result.reason, 'a "reason", with commas');
});

test('await using aborts a recorder that was never finished', async () => {
  let dir: string;
  {
    await using rec = await EpisodeRecorder.create(root(), start);
    dir = rec.dir;
    rec.recordStep(step(0));
  }
  const ep = await readJson(dir);
  assert.equal(ep.result.success, false);
  assert.match(ep.result.reason, /disposed/);
  assert.equal((await readCsv(dir, EPISODE_FILES.steps)).length, 2);
});

test('a record made before the <motor>.raw columns existed still reads; a header of neither kind is refused', async () => {
  const rec = await EpisodeRecorder.create(root(), { ...start, startedAt: new Date('2026-11-24T09:00:00Z') });
  for (let i = 0; i < 5; i++) rec.recordStep(step(i, { raw: perMotor((_, k) => i + k + 0.5) }));
  await rec.finish({ success: false, reason: 'stopped', steps: 5, starvedTicks: 0, chunks: 0, timing: new Map() });
  const now = await readEpisodeRecord(rec.dir);
  assert.equal(now.steps[2].raw?.shoulder_pan, 2.5);

  // The same file as an older version wrote it: the raw columns left out.
  const file = join(rec.dir, EPISODE_FILES.steps);
  const rows = parseCsv(await readFile(file, 'utf8'));
  const keep = rows[0].map((name, i) => (name.endsWith('.raw') ? -1 : i)).filter((i) => i >= 0);
  await writeFile(file, rows.map((r) => keep.map((i) => r[i]).join(',') + '\n').join(''));
  const older = await readEpisodeRecord(rec.dir);
  assert.equal(older.steps.length, 5);
  assert.deepEqual(
    older.steps.map((s) => ({ ...s, raw: undefined })),
    now.steps.map((s) => ({ ...s, raw: undefined })),
  );
  assert.ok(older.steps.every((s) => s.raw === undefined));

  await writeFile(file, 'tick,time_ms,something_else\n');
  await assert.rejects(readEpisodeRecord(rec.dir), /steps\.csv.*1.*not the steps\.csv header/s);
});
