// `so100 eval` on virtual time (the default on the embedded simulator with the built-in models): no policy server
// process is started, campaign.json says `virtual`, and running the campaign again gives the same results and the
// same steps.csv for every episode, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cliProcess';

/** results.csv rows without the columns that measure wall time (policy latency percentiles are simulated here). */
async function rows(dir: string): Promise<string[][]> {
  const text = await readFile(path.join(dir, 'results.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

test('a campaign on virtual time runs without servers and repeats exactly', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-virtual-'));
  try {
    const runs: string[] = [];
    for (const name of ['a', 'b']) {
      const out = path.join(dir, name);
      const r = await runCli(['eval', '--episodes', '2', '--steps', '120', '--seed', '9', '--out', out]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Virtual time: the simulated arm and the built-in models run faster than real time/);
      assert.doesNotMatch(r.stdout, /policy server on/, 'no server process under virtual time');
      const manifest = JSON.parse(await readFile(path.join(out, 'campaign.json'), 'utf8'));
      assert.equal(manifest.clock, 'virtual');
      runs.push(out);
    }
    const [a, b] = await Promise.all(runs.map(rows));
    assert.equal(a.length, 4);
    // Same outcome, steps, starved / clamped / late ticks, seam ratio and (simulated) policy latency.
    const episodeDir = 2;
    const strip = (r: string[]) => r.filter((_, i) => i !== episodeDir);
    assert.deepEqual(a.map(strip), b.map(strip));
    for (const r of a) assert.equal(r[10], '0', `no late tick under virtual time: ${r.join(',')}`);
    for (let i = 0; i < a.length; i++) {
      const stepsA = await readFile(path.join(runs[0], a[i][episodeDir], 'steps.csv'), 'utf8');
      const stepsB = await readFile(path.join(runs[1], b[i][episodeDir], 'steps.csv'), 'utf8');
      assert.ok(stepsA.split('\n').length > 10);
      assert.equal(stepsA, stepsB, `${a[i][0]} seed ${a[i][1]}: the same steps.csv`);
    }
    // The resumed campaign keeps its clock; --clock goes with a new campaign only.
    const both = await runCli(['eval', '--resume', runs[0], '--clock', 'wall']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--clock and --resume exclude each other/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
