// `so100 eval` as a user runs it: bad input refused with the reason and nothing written; a campaign interrupted
// mid-way (Ctrl-C) resumed to the end with every (model, seed) counted exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { interrupt, projectRoot, runCli } from '../helpers/cliProcess';

test('so100 eval refuses bad input with the reason', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-bad-'));
  try {
    const zero = await runCli(['eval', '--episodes', '0', '--out', path.join(dir, 'a')]);
    assert.equal(zero.code, 2, zero.stderr);
    assert.match(zero.stderr, /--episodes/);
    const unknown = await runCli(['eval', '--models', 'pi0,pi9', '--episodes', '1', '--out', path.join(dir, 'b')]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown model 'pi9'/);
    // Virtual time with a real arm: refused with the reason, before anything is made.
    const realArm = path.join(dir, 'real-arm.json');
    await writeFile(realArm, '{ "robot": { "port": "/dev/ttyUSB9" } }');
    const virtual = await runCli([
      'eval',
      '--config',
      realArm,
      '--episodes',
      '1',
      '--clock',
      'virtual',
      '--out',
      path.join(dir, 'c'),
    ]);
    assert.equal(virtual.code, 2, virtual.stderr);
    assert.match(virtual.stderr, /--clock virtual: .*the arm is real \(robot\.port \/dev\/ttyUSB9\)/);
    const bogus = await runCli(['eval', '--episodes', '1', '--clock', 'sundial', '--out', path.join(dir, 'c')]);
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /--clock: the clock must be one of auto, virtual, wall, got "sundial"/);
    assert.ok(!existsSync(path.join(dir, 'a')) && !existsSync(path.join(dir, 'b')) && !existsSync(path.join(dir, 'c')));
    // A corrupt campaign folder: told which file, and the file is left as it was.
    const corrupt = path.join(dir, 'corrupt');
    await runCli(['help']); // warm tsx's cache a little; the next runs are then quicker
    await import('node:fs/promises').then((fs) => fs.mkdir(corrupt));
    await writeFile(path.join(corrupt, 'campaign.json'), '{ not json');
    const resumed = await runCli(['eval', '--resume', corrupt]);
    assert.equal(resumed.code, 1, resumed.stderr);
    assert.match(resumed.stderr, /campaign\.json is missing or not valid JSON/);
    assert.equal(await readFile(path.join(corrupt, 'campaign.json'), 'utf8'), '{ not json');
    assert.deepEqual((await readdir(corrupt)).sort(), ['campaign.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an interrupted campaign resumes at the first unfinished episode and counts each one once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-resume-'));
  const out = path.join(dir, 'campaign');
  try {
    const child = spawn(
      process.execPath,
      // Wall time: the interrupt must land while the campaign still runs.
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
        '40',
        '--seed',
        '5',
        '--out',
        out,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stderr.resume();
    // Wait for the event that proves an episode finished (its line), then interrupt the next one.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no episode finished: ${stdout}`)), 120_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/1\/4 {2}seed 5/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const code = await interrupt(child, 60_000);
    assert.equal(code, 1, stdout);
    const partial = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.ok(partial.length >= 1 && partial.length < 4, `rows after the interrupt: ${partial.length}`);
    assert.match(stdout, /continue with: so100 eval --resume/);

    const resumed = await runCli(['eval', '--resume', out], 240_000);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`Resuming .*: ${partial.length} of 4 episodes done`));
    const rows = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n');
    assert.equal(
      rows[0],
      'model,seed,episode_dir,success,label_source,reason,steps,time_to_success_s,starved_ticks,clamped_ticks,late_ticks,seam_ratio,policy_p50_ms,policy_p95_ms,policy_p99_ms',
    );
    const keys = rows.slice(1).map((r) => r.split(',').slice(0, 2).join('@'));
    assert.deepEqual(keys, ['pi0@5', 'pi0_fast@5', 'pi0_fast@6', 'pi0@6'], 'the plan order, each once');
    assert.deepEqual(
      rows.slice(1, 1 + partial.length),
      partial,
      'rows written before the interrupt are kept as they were',
    );
    const seamCol = rows[0].split(',').indexOf('seam_ratio');
    let measured = 0;
    for (const r of rows.slice(1)) {
      const episodeDir = r.split(',')[2];
      assert.ok(existsSync(path.join(out, episodeDir, 'episode.json')), `${episodeDir} is a normal episode record`);
      // seam_ratio is the episode's own result.seams.seamRatio (empty when no chunk boundary was measured).
      const episode = JSON.parse(await readFile(path.join(out, episodeDir, 'episode.json'), 'utf8'));
      const ratio: number | null = episode.result.seams?.seamRatio ?? null;
      assert.equal(r.split(',')[seamCol], ratio === null ? '' : ratio.toFixed(2), r);
      if (ratio !== null) measured++;
    }
    assert.ok(measured > 0, 'at least one episode had a chunk boundary to measure');
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.models.pi0.episodes, 2);
    assert.equal(summary.models.pi0_fast.episodes, 2);
    assert.equal(summary.pairs[0].shared_seeds, 2);
    assert.ok(summary.models.pi0.latency_ms['policy total'].p99 > 0);
    assert.match(resumed.stdout, /pi0 vs pi0_fast on 2 shared seeds: \d+ vs \d+ discordant, p = /);
    // The end table: starved % and the median seam ratio per model, as summary.json has them.
    assert.match(resumed.stdout, /^model +n +success \(95 % CI\) +p50 ms +p99 ms +starved +seam ratio +lag ticks$/m);
    for (const m of ['pi0', 'pi0_fast']) {
      const s = summary.models[m];
      const stepsCol: number = rows[0].split(',').indexOf('steps');
      const ticks: number = rows
        .slice(1)
        .filter((r: string) => r.startsWith(`${m},`))
        .reduce((sum: number, r: string): number => sum + Number(r.split(',')[stepsCol]), 0);
      assert.equal(s.ticks, ticks, `${m}: the ticks of its episodes`);
      assert.ok(s.starved_ticks >= 0 && s.starved_ticks <= s.ticks);
      const seam = s.seam_ratio_median === null ? '–' : `${s.seam_ratio_median.toFixed(2)}×`;
      const lag = s.lag_ticks_median === null ? '–' : s.lag_ticks_median.toFixed(2);
      const line = new RegExp(
        `^${m} +2 .* ${(s.starved_fraction * 100).toFixed(1)} % +${seam.replace('.', '\\.')} +${lag.replace('.', '\\.')}$`,
        'm',
      );
      assert.match(resumed.stdout, line);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
