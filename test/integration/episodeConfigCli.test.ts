// `so100 episode --config so100.json`: the episode a workspace file describes, camera frames in the record, and
// what an invalid file looks like on the terminal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cliProcess';

const ffmpegMissing = spawnSync('ffmpeg', ['-version']).error !== undefined;

describe('so100 episode --config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'so100-config-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test(
    "runs the file's episode (π₀-FAST, sync chunking) and records PNG frames every 5th tick",
    { timeout: 90_000 },
    async () => {
      const file = join(dir, 'so100.json');
      await writeFile(
        file,
        `{
      // π₀-FAST over the awesome-lerobot protocol, openpi's broker style of chunking
      "activeModel": "pi0_fast",
      "models": { "pi0_fast": { "kind": "builtin", "profile": "pi0_fast", "protocol": "lerobot-ws" } },
      "chunking": { "mode": "sync" },
      "record": { "dir": "runs", "frames": "png", "pngEvery": 5 },
    }`,
      );
      const r = await runCli(['episode', '--config', file], 80_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Starting the built-in pi0_fast policy server \(lerobot-ws\)/);
      assert.match(r.stdout, /Result: success/);
      const episodes = await readdir(join(dir, 'runs'));
      assert.equal(episodes.length, 1, 'the record went where the file said, relative to it');
      const front = await readdir(join(dir, 'runs', episodes[0], 'frames', 'front'));
      assert.ok(
        front.length >= 2 && front.every((f) => /^\d{6}\.png$/.test(f)),
        `PNG frames: ${front.slice(0, 3).join(', ')}`,
      );
      assert.ok(
        front.includes('000000.png') && front.includes('000005.png') && !front.includes('000001.png'),
        'every 5th tick',
      );
    },
  );

  test(
    '--frames mp4 leaves one video per camera',
    { timeout: 90_000, skip: ffmpegMissing ? 'ffmpeg is not installed' : false },
    async () => {
      const records = join(dir, 'mp4');
      const r = await runCli(['episode', '--record', records, '--frames', 'mp4'], 80_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [episode] = await readdir(records);
      const files = await readdir(join(records, episode));
      assert.ok(files.includes('front.mp4') && files.includes('wrist.mp4'), files.join(', '));
    },
  );

  test(
    "--ffmpeg names this machine's ffmpeg; one that is not there means PNG frames, and the episode says why",
    { timeout: 90_000 },
    async () => {
      const records = join(dir, 'no-ffmpeg');
      const r = await runCli(
        ['episode', '--steps', '40', '--record', records, '--ffmpeg', '/nonexistent/ffmpeg'],
        80_000,
      );
      assert.equal(r.code, 1, 'too few steps to lift the cube');
      assert.match(r.stderr, /ffmpeg not found at .*\/nonexistent\/ffmpeg/);
      const [episode] = await readdir(records);
      const files = await readdir(join(records, episode));
      assert.ok(files.includes('frames') && !files.includes('front.mp4'), files.join(', '));
    },
  );

  test('an invalid file: exit 1 and every problem at file:line:column', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{\n  "fps": 0,\n  "fsp": 30\n}\n');
    const r = await runCli(['episode', '--config', file]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${file}:2:`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:3:`) && /did you mean "fps"/.test(r.stderr), r.stderr);
  });
});
