// `so100 eval --labels operator`: the operator labels each episode from the terminal with single keys (here piped,
// one character at a time): ENTER when the scene is reset, then s / f (with an optional note) / r / q. The rows say
// who labelled them and why; Redo runs the seed again and counts only the redone episode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../helpers/cliProcess';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'so100-eval-labels-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `so100 eval …` with `keys` written to its stdin; resolves with its exit code and output. */
function evalWithKeys(args: string[], keys: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(projectRoot, 'src/cli/main.ts'), 'eval', ...args],
      {
        cwd: projectRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.end(keys);
  });
}

test('labels from single keys: failure with a note, a redo, a success without one', { timeout: 300_000 }, async () => {
  const out = join(dir, 'campaign');
  // Seed 1: ready, f + note. Seed 2: ready, r (redo), ready, s + no note.
  const keys = '\nfgripper slipped\n' + '\nr' + '\ns\n';
  const r = await evalWithKeys(
    ['--models', 'pi0', '--episodes', '2', '--steps', '30', '--clock', 'wall', '--labels', 'operator', '--out', out],
    keys,
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pi0, seed 1: reset the scene, then press ENTER/);
  assert.match(r.stdout, /pi0, seed 2 ended \(.*\): s success, f failure, r redo, q stop the campaign/);
  const campaign = JSON.parse(await readFile(join(out, 'campaign.json'), 'utf8')) as { labels?: string };
  assert.equal(campaign.labels, 'operator');
  const rows = (await readFile(join(out, 'results.csv'), 'utf8')).trim().split('\n');
  const header = rows[0].split(',');
  const col = (row: string, name: string) => row.split(',')[header.indexOf(name)];
  assert.equal(rows.length, 3, rows.join('\n'));
  const [one, two] = rows.slice(1).sort((a, b) => Number(col(a, 'seed')) - Number(col(b, 'seed')));
  assert.equal(col(one, 'success'), 'false');
  assert.equal(col(one, 'label_source'), 'operator');
  assert.match(one, /gripper slipped/);
  assert.equal(col(two, 'success'), 'true');
  assert.equal(col(two, 'label_source'), 'operator');
  assert.match(two, /labelled success by the operator/);
});

test(
  'q at the reset prompt stops the campaign; nothing of that seed is counted, and it says how to resume',
  { timeout: 300_000 },
  async () => {
    const out = join(dir, 'stopped');
    const r = await evalWithKeys(
      ['--models', 'pi0', '--episodes', '2', '--steps', '30', '--clock', 'wall', '--labels', 'operator', '--out', out],
      '\ns\nq',
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /continue with: so100 eval --resume/);
    const rows = (await readFile(join(out, 'results.csv'), 'utf8')).trim().split('\n');
    assert.equal(rows.length, 2, rows.join('\n')); // the header and seed 1
  },
);

test('--labels takes scene or operator only, and not with --resume', async () => {
  const bad = await evalWithKeys(['--labels', 'robot', '--models', 'pi0', '--episodes', '1'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--labels must be scene or operator, got "robot"/);
  const both = await evalWithKeys(['--labels', 'operator', '--resume', join(dir, 'campaign')], '');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--labels and --resume exclude each other/);
});
