// `so100 eval --shard K/N` and `--merge`: a campaign split in 3 shards, run as separate processes and merged, is the
// same campaign as the unsharded run of the same seeds (per (model, seed) outcome, plan order, summary numbers;
// latencies are wall time and differ), and folders that are not the shards of one campaign are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cliProcess';

const CAMPAIGN = ['eval', '--models', 'pi0,pi0_fast', '--episodes', '3', '--seed', '11', '--steps', '30'];

/** The columns of a results row that do not depend on wall time, keyed by model@seed. */
async function outcomes(dir: string): Promise<string[]> {
  const [header, ...rows] = (await readFile(path.join(dir, 'results.csv'), 'utf8')).trim().split('\n');
  const cols = header.split(',');
  const pick = ['model', 'seed', 'success', 'label_source', 'reason', 'steps', 'time_to_success_s'];
  // No cell of these runs holds a quoted comma: the length check below would catch one.
  return rows.map((r) => {
    const cells = r.split(',');
    assert.equal(cells.length, cols.length, `row ${r}`);
    return pick.map((c) => cells[cols.indexOf(c)]).join('|');
  });
}

/** summary.json without what depends on wall time: latencies, starved ticks (late replies), seam ratios. */
async function deterministicSummary(dir: string): Promise<unknown> {
  const s = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
  for (const m of Object.values(s.models) as Record<string, unknown>[]) {
    for (const k of ['latency_ms', 'starved_ticks', 'starved_fraction', 'seam_ratio_median']) {
      assert.ok(k in m, `summary has ${k}`);
      delete m[k];
    }
  }
  return s;
}

test('3 shards merged equal the unsharded campaign; mismatched shards are refused', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-eval-shards-'));
  const shard = (k: number) => path.join(dir, `shard-${k}`);
  try {
    // The shards run as separate processes at once, as on separate machines; the whole campaign alongside.
    const runs = await Promise.all([
      ...[0, 1, 2].map((k) => runCli([...CAMPAIGN, '--shard', `${k}/3`, '--out', shard(k)], 400_000)),
      runCli([...CAMPAIGN, '--out', path.join(dir, 'whole')], 400_000),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(runs[1].stdout, /Shard 1\/3: seeds 12\.\.12 of 11\.\.13/);
    assert.deepEqual(
      await Promise.all([0, 1, 2].map(async (k) => (await outcomes(shard(k))).map((o) => o.split('|')[1]))),
      [
        ['11', '11'],
        ['12', '12'],
        ['13', '13'],
      ],
      'each shard ran its seed with both models',
    );

    const merged = path.join(dir, 'merged');
    // Named in any order: the merge puts the rows in the campaign's plan order.
    const m = await runCli(['eval', '--merge', shard(2), shard(0), shard(1), '--out', merged]);
    assert.equal(m.code, 0, m.stdout + m.stderr);
    assert.match(m.stdout, /Merged 3 shards \(6 episodes\)/);
    assert.match(m.stdout, /pi0 vs pi0_fast on 3 shared seeds/);
    assert.deepEqual(await outcomes(merged), await outcomes(path.join(dir, 'whole')));
    assert.deepEqual(
      (await outcomes(merged)).map((o) => o.split('|').slice(0, 2).join('@')),
      ['pi0@11', 'pi0_fast@11', 'pi0_fast@12', 'pi0@12', 'pi0@13', 'pi0_fast@13'],
    );
    assert.deepEqual(await deterministicSummary(merged), await deterministicSummary(path.join(dir, 'whole')));
    // The summary is recomputed from the merged episodes' ticks, not taken from a shard.
    const summary = JSON.parse(await readFile(path.join(merged, 'summary.json'), 'utf8'));
    assert.equal(summary.models.pi0.episodes, 3);
    assert.ok(summary.models.pi0.latency_ms['policy total'].p99 > 0);
    // The merged folder is a normal campaign: every episode record is there, and campaign.json has no shard.
    const rows = (await readFile(path.join(merged, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
    for (const r of rows) assert.ok(existsSync(path.join(merged, r.split(',')[2], 'episode.json')), r);
    assert.equal((await readdir(path.join(merged, 'episodes'))).length, 6);
    const manifest = JSON.parse(await readFile(path.join(merged, 'campaign.json'), 'utf8'));
    assert.equal(manifest.shard, undefined);
    assert.equal(manifest.mergedFrom.length, 3);
    const resumed = await runCli(['eval', '--resume', merged]);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /6 of 6 episodes done/);

    // Refusals: each names the folder and the difference, and writes nothing.
    const refused = async (dirs: string[], pattern: RegExp) => {
      const out = path.join(dir, `refused-${Math.random().toString(36).slice(2)}`);
      const r = await runCli(['eval', '--merge', ...dirs, '--out', out]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(out), 'nothing written');
    };
    const other = path.join(dir, 'other-config');
    await cp(shard(1), other, { recursive: true });
    const otherManifest = JSON.parse(await readFile(path.join(other, 'campaign.json'), 'utf8'));
    otherManifest.config.fps = otherManifest.config.fps + 1;
    await writeFile(path.join(other, 'campaign.json'), JSON.stringify(otherManifest));
    await refused(
      [shard(0), other, shard(2)],
      new RegExp(`${other} is not a shard of the same campaign .*config\\.fps`),
    );
    await refused([shard(0), shard(2)], /shard 1\/3 of the campaign is missing/);
    const twin = path.join(dir, 'twin');
    await cp(shard(0), twin, { recursive: true });
    await refused([shard(0), twin, shard(1), shard(2)], /both shard 0\/3/);
    await refused([shard(0), shard(1), path.join(dir, 'whole')], /whole.* is a whole campaign, not a shard/);
    const half = path.join(dir, 'half');
    await cp(shard(2), half, { recursive: true });
    const halfRows = (await readFile(path.join(half, 'results.csv'), 'utf8')).trim().split('\n');
    await writeFile(path.join(half, 'results.csv'), halfRows.slice(0, 2).join('\n') + '\n');
    await refused([shard(0), shard(1), half], /has 1 of its 2 episodes; finish it with so100 eval --resume/);
    const notEmpty = await runCli(['eval', '--merge', shard(0), shard(1), shard(2), '--out', merged]);
    assert.equal(notEmpty.code, 1);
    assert.match(notEmpty.stderr, /is not empty/);

    const before = await readFile(path.join(shard(0), 'results.csv'), 'utf8');
    const again = await runCli([...CAMPAIGN, '--shard', '0/3', '--out', shard(0)]);
    assert.equal(again.code, 2, again.stdout + again.stderr);
    assert.match(again.stderr, /already holds a campaign; continue it with --resume/);
    assert.equal(await readFile(path.join(shard(0), 'results.csv'), 'utf8'), before);
    const usage = await runCli(['eval', '--episodes', '2', '--shard', '2/2', '--out', path.join(dir, 'u')]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /K counts from 0/);
    assert.ok(!existsSync(path.join(dir, 'u')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
