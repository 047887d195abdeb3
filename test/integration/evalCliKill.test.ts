// `so100 eval` killed outright (SIGKILL: no handler runs, as in a crash or an out-of-memory kill) in the middle of
// an episode, then `--resume DIR`: the finished episode is kept as it was and not run again, the half-finished one
// is not counted and runs again, and the final results hold every (model, seed) of the plan exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, watch } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot, runCli } from '../helpers/cliProcess';
import { servePids } from '../helpers/processTable';

/** Resolves once `check` holds, re-checking on every change under `dir` (no polling, no sleeping). */
async function whenTrue(dir: string, check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const events = watch(dir, { recursive: true, signal: ac.signal });
    if (await check()) return;
    for await (const _event of events) if (await check()) return;
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new Error(`gave up waiting: ${what}`);
    throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/** Data rows of results.csv (header left out); [] before it exists. */
async function resultRows(out: string): Promise<string[]> {
  const text = await readFile(path.join(out, 'results.csv'), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(1);
}

test('a campaign killed mid-episode resumes: nothing counted twice, the half-finished episode run again', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-kill-'));
  const out = path.join(dir, 'campaign');
  const ports: number[] = [];
  try {
    const child = spawn(
      process.execPath,
      // Wall time: the kill is of a campaign with policy server processes, mid-episode.
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'eval',
        '--clock',
        'wall',
        '--episodes',
        '2',
        '--steps',
        '60',
        '--seed',
        '21',
        '--out',
        out,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let stdout = '';
    child.stderr.resume();
    // The event: the first results row is on disk (the progress line is printed after results.csv is written).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no episode finished: ${stdout}`)), 180_000);
      child.once('exit', () => reject(new Error(`so100 eval exited early: ${stdout}`)));
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/1\/4 {2}seed 21/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    for (const m of stdout.matchAll(/policy server on 127\.0\.0\.1:(\d+)/g)) ports.push(Number(m[1]));
    const first = await resultRows(out);
    assert.equal(first.length, 1, 'the first row is on disk before its progress line');
    const firstDir = first[0].split(',')[2];
    // Then the next episode is under way: its record exists and has ticks in steps.csv.
    const episodes = path.join(out, 'episodes');
    let halfDir = '';
    await whenTrue(
      episodes,
      async () => {
        for (const name of await readdir(episodes)) {
          if (path.join('episodes', name) === firstDir) continue;
          const steps = await readFile(path.join(episodes, name, 'steps.csv'), 'utf8').catch(() => '');
          if (steps.trim().split('\n').length >= 2) {
            halfDir = path.join('episodes', name);
            return true;
          }
        }
        return false;
      },
      'the second episode to record ticks',
      180_000,
    );
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const after = await resultRows(out);
    assert.deepEqual(after, first, 'the killed episode has no row');
    const halfRecord = JSON.parse(await readFile(path.join(out, halfDir, 'episode.json'), 'utf8'));
    assert.equal(halfRecord.result, null, 'the killed episode never finished');
    assert.equal(halfRecord.model, 'pi0_fast', 'second in the plan: pi0_fast on seed 21');
    // No handler ran, so the policy servers the campaign started are orphans now; stop them (they are ours).
    for (const pid of servePids(projectRoot, ports)) process.kill(-pid, 'SIGKILL');

    const resumed = await runCli(['eval', '--resume', out], 300_000);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming .*: 1 of 4 episodes done/);
    for (const m of resumed.stdout.matchAll(/policy server on 127\.0\.0\.1:(\d+)/g)) ports.push(Number(m[1]));
    const rows = await resultRows(out);
    assert.equal(rows[0], first[0], 'the finished episode is kept as it was, not run again');
    const keys = rows.map((r) => r.split(',').slice(0, 2).join('@'));
    assert.deepEqual(keys, ['pi0@21', 'pi0_fast@21', 'pi0_fast@22', 'pi0@22'], 'the plan, each (model, seed) once');
    const dirs = rows.map((r) => r.split(',')[2]);
    assert.ok(!dirs.includes(halfDir), 'the half-finished record is not counted');
    assert.equal(new Set(dirs).size, 4);
    // The killed episode (pi0_fast on seed 21, second in the plan) ran again to its end.
    const rerun = JSON.parse(await readFile(path.join(out, dirs[1], 'episode.json'), 'utf8'));
    assert.notEqual(rerun.result, null);
    assert.equal(rerun.result.steps, Number(rows[1].split(',')[6]));
    for (const d of dirs) assert.ok(existsSync(path.join(out, d, 'episode.json')));
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.models.pi0.episodes, 2);
    assert.equal(summary.models.pi0_fast.episodes, 2);
    assert.equal(summary.pairs[0].shared_seeds, 2);
  } finally {
    for (const pid of servePids(projectRoot, ports)) process.kill(-pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
