// The Evaluation Report's numbers come from the campaign's rows and summary.json: rates with Wilson intervals,
// the seed × model grid with pending cells, latency per stage, the time left, and the exported CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluationReport,
  planCampaign,
  reportCsv,
  summarizeCampaign,
  type ReportEpisode,
} from '../../src/core/evaluation';

const models = ['pi0', 'pi0_fast'];

function row(model: string, seed: number, success: boolean, extra: Partial<ReportEpisode> = {}): ReportEpisode {
  return {
    model,
    seed,
    success,
    reason: success ? 'cube lifted' : 'time out',
    episodeDir: `episodes/${model}-${seed}`,
    steps: 100,
    starvedTicks: 0,
    ...extra,
  };
}

test('8 of 10 successes: the rate and the known Wilson interval [0.490, 0.943]', () => {
  const plan = planCampaign({ models: ['pi0'], episodes: 10, startSeed: 1 });
  const rows = plan.map((p) => row('pi0', p.seed, p.seed <= 8));
  const r = evaluationReport({ models: ['pi0'], plan, fps: 30, rows });
  assert.equal(r.rates[0].rate, 0.8);
  assert.deepEqual(
    r.rates[0].wilson95!.map((x) => Number(x.toFixed(3))),
    [0.49, 0.943],
  );
  assert.equal(r.done, 10);
  assert.equal(r.total, 10);
  assert.equal(r.clock, 'wall', 'a campaign.json from before virtual time ran on wall time');
  assert.equal(evaluationReport({ models: ['pi0'], plan, fps: 30, rows, clock: 'virtual' }).clock, 'virtual');
});

test('live: pending cells, a model without episodes has no rate, the time left from this run', () => {
  const plan = planCampaign({ models, episodes: 3, startSeed: 21 });
  const rows = [row('pi0', 21, true, { steps: 200, starvedTicks: 50, seamRatio: 2 }), row('pi0_fast', 21, false)];
  const r = evaluationReport({ models, plan, fps: 30, rows, progress: { doneThisRun: 1, elapsedMs: 4000 } });
  assert.equal(r.done, 2);
  assert.equal(r.total, 6);
  assert.equal(r.etaMs, 16_000, '4 s per episode × 4 left');
  assert.deepEqual(
    r.grid.map((g) => [g.seed, ...g.cells.map((c) => c.outcome)]),
    [
      [21, 'success', 'failure'],
      [22, 'pending', 'pending'],
      [23, 'pending', 'pending'],
    ],
  );
  assert.equal(r.grid[0].cells[0].episodeDir, 'episodes/pi0-21');
  assert.equal(r.rates[0].starvedFraction, 0.25);
  assert.equal(r.rates[0].seamRatioMedian, 2);
  assert.equal(r.pairs[0], 'pi0 vs pi0_fast on 1 shared seeds: 1 vs 0 discordant, p = 1.000');
  assert.equal(r.latency.length, 0, 'no latency before summary.json');
  const none = evaluationReport({ models, plan, fps: 30, rows: [] });
  assert.equal(none.rates[1].rate, null);
  assert.equal(none.rates[1].wilson95, null);
  assert.equal(none.etaMs, null, 'no estimate before an episode of this run ended');
});

test('finished: latency per stage from summary.json, and the CSV export', () => {
  const plan = planCampaign({ models, episodes: 1, startSeed: 1 });
  const rows = [row('pi0', 1, true), row('pi0_fast', 1, true)];
  const latency = new Map([
    ['pi0', new Map([['policy total', [10, 20, 30]]])],
    ['pi0_fast', new Map([['read', [1, 1, 1]]])],
  ]);
  const summary = summarizeCampaign(models, 30, rows, latency);
  const r = evaluationReport({ models, plan, fps: 30, rows, summary });
  assert.deepEqual(
    r.latency.map((l) => [l.stage, l.byModel.map((v) => v?.p50 ?? null)]),
    [
      ['policy total', [20, null]],
      ['read', [null, 1]],
    ],
  );
  assert.equal(r.etaMs, null);
  const csv = reportCsv(r).trim().split('\n');
  assert.equal(
    csv[0],
    'model,episodes,successes,success_rate,wilson95_lo,wilson95_hi,starved_ticks,ticks,starved_fraction,seam_ratio_median,' +
      'lag_ticks_median,policy_total_p50_ms,policy_total_p95_ms,policy_total_p99_ms,read_p50_ms,read_p95_ms,read_p99_ms',
  );
  assert.match(csv[1], /^pi0,1,1,1,0\.2065,1,0,100,0,,,20,\d+(\.\d+)?,\d+(\.\d+)?,,,$/);
  assert.equal(csv.length, 3);
});
