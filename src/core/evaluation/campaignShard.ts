// Splitting a campaign across machines: shard K of N runs a contiguous slice of the campaign's seeds with every
// model on each of them, so pairs stay paired and the shards' episodes together are exactly the campaign's. K counts
// from 0, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX and a Slurm array `--array=0-(N-1)` do, so a scheduler's
// index goes in unchanged. Each shard keeps the whole campaign's plan order (the A B / B A alternation follows the
// seed's place in the whole campaign), so a merged campaign is the same campaign as an unsharded run.
import { CampaignPlanError, type PlannedEpisode } from './campaignPlan';

export interface CampaignShard {
  /** 0-based: 0 … count − 1. */
  readonly index: number;
  readonly count: number;
}

/** Parses `K/N` (K from 0 to N − 1); throws CampaignPlanError with what was expected. */
export function parseShard(text: string): CampaignShard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new CampaignPlanError(`--shard must be K/N (e.g. 0/4), got "${text}"`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard);
  return shard;
}

/** Throws CampaignPlanError unless 0 ≤ index < count. */
export function checkShard(shard: CampaignShard): void {
  if (!Number.isSafeInteger(shard.count) || shard.count < 1)
    throw new CampaignPlanError(`shard count must be 1 or more, got ${shard.count}`);
  if (!Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)
    throw new CampaignPlanError(
      `shard ${shard.index}/${shard.count} does not exist: K counts from 0 (as JOB_COMPLETION_INDEX does), so the shards of ${shard.count} are 0/${shard.count} … ${shard.count - 1}/${shard.count}`,
    );
}

/** The seeds of a shard, first … last inclusive: a contiguous slice, the slices' sizes differing by at most 1. */
export function shardSeeds(
  episodes: number,
  startSeed: number,
  shard: CampaignShard,
): { readonly first: number; readonly last: number } {
  checkShard(shard);
  if (shard.count > episodes)
    throw new CampaignPlanError(
      `${shard.count} shards of ${episodes} seeds would leave some shard without a seed; use at most ${episodes} shards`,
    );
  const from = Math.floor((shard.index * episodes) / shard.count);
  const to = Math.floor(((shard.index + 1) * episodes) / shard.count);
  return { first: startSeed + from, last: startSeed + to - 1 };
}

/** The planned episodes of one shard, in the whole campaign's order (their `index` is the campaign's). */
export function shardPlan(
  plan: readonly PlannedEpisode[],
  episodes: number,
  startSeed: number,
  shard: CampaignShard,
): PlannedEpisode[] {
  const { first, last } = shardSeeds(episodes, startSeed, shard);
  return plan.filter((p) => p.seed >= first && p.seed <= last);
}
