import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CampaignPlanError,
  pairedLine,
  parseShard,
  planCampaign,
  shardPlan,
  shardSeeds,
  summarizeCampaign,
} from '../../src/core/evaluation';
import { summaryTable } from '../../src/runtime/evaluationCampaign';

test('a campaign pairs every model on the same seeds, interleaved A B, B A, …', () => {
  const plan = planCampaign({ models: ['pi0', 'pi0_fast'], episodes: 3, startSeed: 7 });
  assert.deepEqual(
    plan.map((p) => `${p.seed}:${p.model}`),
    ['7:pi0', '7:pi0_fast', '8:pi0_fast', '8:pi0', '9:pi0', '9:pi0_fast'],
  );
  assert.deepEqual(
    plan.map((p) => p.index),
    [0, 1, 2, 3, 4, 5],
  );
});

test('a plan that cannot run is refused with the reason', () => {
  assert.throws(() => planCampaign({ models: ['pi0'], episodes: 0, startSeed: 1 }), CampaignPlanError);
  assert.throws(() => planCampaign({ models: ['pi0'], episodes: 0, startSeed: 1 }), /at least 1 episode/);
  assert.throws(() => planCampaign({ models: [], episodes: 2, startSeed: 1 }), /no models/);
  assert.throws(() => planCampaign({ models: ['a', 'a'], episodes: 2, startSeed: 1 }), /listed twice/);
  assert.throws(() => planCampaign({ models: ['a'], episodes: 2, startSeed: -1 }), /do not fit/);
});

test('the summary counts per model and pairs only shared seeds', () => {
  const outcomes = [
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => ({ model: 'A', seed, success: seed <= 8 })),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => ({ model: 'B', seed, success: seed === 1 || seed === 9 })),
  ];
  const latency = new Map([['A', new Map([['policy total', [10, 20, 30, 40, 50]]])]]);
  const s = summarizeCampaign(['A', 'B'], 30, outcomes, latency);
  assert.equal(s.models.A.episodes, 10);
  assert.equal(s.models.A.successes, 8);
  assert.equal(s.models.A.success_rate, 0.8);
  assert.ok(Math.abs(s.models.A.wilson95[0] - 0.49) < 0.0005);
  assert.deepEqual(s.models.A.latency_ms['policy total'], { p50: 30, p95: 48, p99: 49.6 });
  assert.equal(s.models.B.episodes, 9);
  const [p] = s.pairs;
  assert.equal(p.shared_seeds, 9, 'seed 10 ran for A only');
  assert.deepEqual([p.both, p.onlyA, p.onlyB, p.neither], [1, 7, 1, 0]);
  assert.ok(Math.abs(p.p_value - 0.0703) < 0.00005);
  assert.ok(Math.abs(p.difference - 6 / 9) < 1e-12);
  assert.ok(p.difference95[0] < p.difference && p.difference < p.difference95[1]);
  assert.equal(pairedLine(p), 'A vs B on 9 shared seeds: 7 vs 1 discordant, p = 0.070');
});

test('a model with no finished episode is left out and makes no pair', () => {
  const s = summarizeCampaign(['A', 'B'], 30, [{ model: 'A', seed: 1, success: true }]);
  assert.deepEqual(Object.keys(s.models), ['A']);
  assert.deepEqual(s.pairs, []);
});

test('starved share, seam ratio and lag per model: over all ticks, and the medians of measured episodes', () => {
  const s = summarizeCampaign(['A', 'B'], 30, [
    { model: 'A', seed: 1, success: true, steps: 100, starvedTicks: 10, seamRatio: 3, lagTicks: 1 },
    { model: 'A', seed: 2, success: false, steps: 300, starvedTicks: 0, seamRatio: 1, lagTicks: 0 },
    { model: 'A', seed: 3, success: false, steps: 100, starvedTicks: 40, seamRatio: NaN, lagTicks: NaN },
    { model: 'A', seed: 4, success: false, steps: 100, starvedTicks: 0, seamRatio: 2, lagTicks: 0.5 },
    { model: 'B', seed: 1, success: false, steps: 50, starvedTicks: 0 },
  ]);
  assert.equal(s.models.A.ticks, 600);
  assert.equal(s.models.A.starved_ticks, 50);
  assert.equal(s.models.A.starved_fraction, 50 / 600);
  assert.equal(s.models.A.seam_ratio_median, 2, 'median of 3, 1, 2; the unmeasured episode left out');
  assert.equal(s.models.A.lag_ticks_median, 0.5, 'median of 1, 0, 0.5');
  assert.equal(s.models.B.seam_ratio_median, null);
  assert.equal(s.models.B.lag_ticks_median, null);
  assert.equal(JSON.parse(JSON.stringify(s)).models.B.seam_ratio_median, null);
  const table = summaryTable(s);
  assert.match(table[0], /starved +seam ratio +lag ticks$/);
  assert.match(table[1], /^A +4 +25 % .* 8\.3 % +2\.00× +0\.50$/);
  assert.match(table[2], /^B +1 .* 0\.0 % +– +–$/);
});

test('shards split the seeds into contiguous, disjoint slices that cover the campaign, both models per seed', () => {
  const plan = planCampaign({ models: ['A', 'B'], episodes: 7, startSeed: 10 });
  const parts = [0, 1, 2].map((index) => shardPlan(plan, 7, 10, { index, count: 3 }));
  assert.deepEqual(
    [0, 1, 2].map((index) => shardSeeds(7, 10, { index, count: 3 })),
    [
      { first: 10, last: 11 },
      { first: 12, last: 13 },
      { first: 14, last: 16 },
    ],
  );
  // Joined in shard order they are the whole plan, each episode once, with the whole plan's A B / B A order.
  assert.deepEqual(parts.flat(), plan);
  assert.deepEqual(
    parts[1].map((p) => `${p.seed}:${p.model}`),
    ['12:A', '12:B', '13:B', '13:A'],
  );
});

test('a shard that does not exist is refused with the convention', () => {
  assert.deepEqual(parseShard('0/4'), { index: 0, count: 4 });
  assert.deepEqual(parseShard(' 3 / 4 '), { index: 3, count: 4 });
  assert.throws(() => parseShard('4/4'), /K counts from 0.*0\/4 … 3\/4/);
  assert.throws(() => parseShard('1/0'), /1 or more/);
  assert.throws(() => parseShard('a/b'), /K\/N/);
  assert.throws(() => parseShard('-1/3'), /K\/N/);
  assert.throws(() => shardSeeds(2, 1, { index: 0, count: 3 }), /at most 2 shards/);
});
