// `so100 replay`: a recorded episode's observations through a model, offline, with a real built-in server as a child
// process; what a record that cannot be replayed looks like on the terminal (and that no server starts for it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReplayFile, replayFileName, ReplayFileWriter } from '../../src/io/recording/replayFile';
import { SO100_MOTORS } from '../../src/core/so100';
import { interrupt, runCli, startServeProcess } from '../helpers/cliProcess';

const SLOW = { timeout: 240_000 };

describe('so100 replay', () => {
  let root: string;
  let config: string;
  let episode: string;
  /** A fresh copy of the recorded episode, to damage. */
  const copy = async (name: string) => {
    const dir = join(root, name);
    await cp(episode, dir, { recursive: true, filter: (src) => !/replay-[^/]*$/.test(src) });
    return dir;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'so100-replay-'));
    config = join(root, 'so100.json');
    // Every tick's frames as PNG (lossless), so the same model sees exactly what it saw live.
    await writeFile(config, '{ "maxSteps": 80, "record": { "dir": "eps", "frames": "png", "pngEvery": 1 } }');
    const r = await runCli(['episode', '--config', config], 200_000);
    assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr); // too few ticks to succeed is fine here
    const [name] = await readdir(join(root, 'eps'));
    episode = join(root, 'eps', name);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('the same model on the same frames predicts exactly the chunks the episode received', SLOW, async () => {
    const r = await runCli(['replay', episode, '--config', config]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Starting the built-in pi0 policy server/);
    assert.match(r.stdout, /chunks predicted; deviation from what the arm was sent/);
    const file = join(episode, 'replay-pi0.jsonl');
    assert.match(r.stdout, new RegExp(`Replay: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const replay = await readReplayFile(file);
    assert.equal(replay.header.model, 'pi0');
    assert.equal(replay.header.every, null);
    const recorded = (await readFile(join(episode, 'chunks.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { observationTick: number });
    assert.deepEqual(
      replay.chunks.map((c) => c.tick),
      [...new Set(recorded.map((c) => c.observationTick))],
    );
    for (const c of replay.chunks) {
      assert.equal(c.horizon, 50);
      assert.equal(c.targets.length, 50);
      assert.ok(c.deviation.rows > 0, `chunk at tick ${c.tick} compared no rows`);
      assert.ok(c.vsRecorded, `chunk at tick ${c.tick} has no recorded chunk to compare with`);
      // Equal up to the record's 4-decimal joint positions and the wire's float32.
      for (const m of SO100_MOTORS) assert.ok(c.vsRecorded.perJoint[m]!.max < 1e-3, `${m} at tick ${c.tick}`);
    }
    assert.equal((await readdir(episode)).filter((f) => f.endsWith('.partial')).length, 0);
  });

  test('another model every K ticks: its own horizon, at exactly those ticks', SLOW, async () => {
    const r = await runCli(['replay', episode, '--config', config, '--model', 'pi0_fast', '--every', '20']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const replay = await readReplayFile(join(episode, 'replay-pi0_fast.jsonl'));
    assert.equal(replay.header.every, 20);
    assert.deepEqual(
      replay.chunks.map((c) => c.tick),
      [0, 20, 40, 60],
    );
    for (const c of replay.chunks) assert.equal(c.horizon, 10);
    // Tick 0 is also where the episode asked: compared with the recorded chunk over the 10 rows both have.
    assert.equal(replay.chunks[0].vsRecorded?.rows, 10);
    assert.ok(replay.chunks.slice(1).every((c) => c.vsRecorded === undefined || c.tick === 0));
  });

  test('over the awesome-lerobot protocol, with its own layout', SLOW, async () => {
    const r = await runCli(['replay', episode, '--config', config, '--protocol', 'lerobot-ws', '--every', '40']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Starting the built-in pi0 policy server \(lerobot-ws\)/);
    const replay = await readReplayFile(join(episode, 'replay-pi0.jsonl'));
    assert.equal(replay.header.protocol, 'lerobot-ws');
    assert.equal(replay.header.converter, 'lerobot-ws');
    assert.deepEqual(
      replay.chunks.map((c) => c.tick),
      [0, 40],
    );
  });

  test('--server URL: an already-running openpi server answers; no server is started', SLOW, async () => {
    // The same built-in profile the episode ran on, started on its own as a user's server would be.
    const server = await startServeProcess([]);
    try {
      const r = await runCli([
        'replay',
        episode,
        '--config',
        config,
        '--server',
        `ws://127.0.0.1:${server.port}`,
        '--every',
        '40',
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /Starting the built-in/);
      const replay = await readReplayFile(join(episode, 'replay-pi0.jsonl'));
      assert.equal(replay.header.protocol, 'openpi');
      assert.deepEqual(
        replay.chunks.map((c) => c.tick),
        [0, 40],
      );
      for (const c of replay.chunks) assert.equal(c.horizon, 50);
    } finally {
      await interrupt(server.child);
    }
  });

  test('a record without chunks.jsonl needs --every, and says what is missing', SLOW, async () => {
    const dir = await copy('no-chunks');
    await rm(join(dir, 'chunks.jsonl'));
    const refused = await runCli(['replay', dir, '--config', config]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds no chunk requests \(chunks\.jsonl is missing\); pass --every K/);
    assert.doesNotMatch(refused.stdout, /Starting/);
    const r = await runCli(['replay', dir, '--config', config, '--every', '40']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /note: the record has no chunks\.jsonl/);
    assert.deepEqual(
      (await readReplayFile(join(dir, 'replay-pi0.jsonl'))).chunks.map((c) => c.tick),
      [0, 40],
    );
  });

  test('refused before any server starts: no frames, no steps, not a folder, an unknown model', SLOW, async () => {
    const noFrames = await copy('no-frames');
    await rm(join(noFrames, 'frames'), { recursive: true });
    const a = await runCli(['replay', noFrames, '--config', config]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /needs a camera image for 'observation\/images\.main' \(the primary view\)/);
    assert.match(a.stderr, /note: the record has no frames of camera front/);
    assert.doesNotMatch(a.stdout, /Starting/);
    assert.deepEqual(
      (await readdir(noFrames)).filter((f) => f.startsWith('replay-')),
      [],
    );

    const noSteps = await copy('no-steps');
    await rm(join(noSteps, 'steps.csv'));
    const b = await runCli(['replay', noSteps, '--config', config]);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /has no steps\.csv: no joint positions to replay/);
    assert.doesNotMatch(b.stdout, /Starting/);

    const c = await runCli(['replay', join(root, 'nowhere'), '--config', config]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /is not a folder; give an episode folder/);

    const d = await runCli(['replay', episode, '--config', config, '--model', 'gr00t']);
    assert.notEqual(d.code, 0);
    assert.match(d.stderr, /gr00t/);
    assert.doesNotMatch(d.stdout, /Starting/);

    const e = await runCli(['replay', episode, '--config', config, '--every', '0']);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /--every must be a whole number from 1/);
  });
});

describe('replay-<model>.jsonl', () => {
  test('an abandoned replay leaves only its .partial file; a finished one is renamed; a newer format is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'so100-replay-file-'));
    try {
      const header = {
        format: 1,
        model: 'my/model',
        protocol: 'openpi',
        url: 'ws://127.0.0.1:1',
        converter: 'openpi-so100',
        every: null,
        startedAt: '2026-12-06T00:00:00.000Z',
      } as const;
      const rows = SO100_MOTORS.map(() => null);
      const perJoint = Object.fromEntries(SO100_MOTORS.map((m) => [m, null])) as never;
      const chunk = { tick: 3, horizon: 1, latencyMs: 1, targets: [rows], deviation: { rows: 0, perJoint } };
      const cut = await ReplayFileWriter.create(dir, header);
      await cut.append(chunk);
      await cut.abandon();
      assert.deepEqual(await readdir(dir), ['replay-my_model.jsonl.partial']);
      const whole = await ReplayFileWriter.create(dir, header);
      await whole.append(chunk);
      const file = await whole.finish();
      assert.equal(file, join(dir, replayFileName('my/model')));
      const back = await readReplayFile(file);
      assert.deepEqual(back.chunks[0], chunk);
      await writeFile(file, `${JSON.stringify({ ...header, format: 2 })}\n`);
      await assert.rejects(readReplayFile(file), /replay format 2; this version reads format 1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
