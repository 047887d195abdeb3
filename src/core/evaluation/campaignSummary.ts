// A campaign's numbers from its per-episode outcomes: success rate with its Wilson interval per model, and for each
// pair of models the paired table on the seeds both ran, the exact McNemar p-value and the difference with its
// interval. Latency percentiles are over all ticks of a model's episodes (not a mean of per-episode percentiles).
import { percentile } from '../timing/percentiles';
import { type PairedTable, mcnemarExactP, pairedDifference, pairedTable } from './pairedComparison';
import { type Interval, wilsonInterval } from './wilsonInterval';

/** One finished episode of a campaign, as far as the statistics need it. */
export interface EpisodeOutcome {
  readonly model: string;
  readonly seed: number;
  readonly success: boolean;
  /** Ticks the episode ran, of which the policy had no action ready on `starvedTicks`. */
  readonly steps?: number;
  readonly starvedTicks?: number;
  /** The episode's seam ratio (core/metrics/seams.ts); absent or NaN when no chunk boundary was measured. */
  readonly seamRatio?: number;
  /** Ticks the sent commands trailed the policy's rows (core/metrics/seams.ts); absent or NaN when not measured. */
  readonly lagTicks?: number;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface ModelSummary {
  readonly episodes: number;
  readonly successes: number;
  readonly success_rate: number;
  readonly wilson95: Interval;
  /** Per stage (read, camera, policy total, …), ms, over every tick of the model's episodes. */
  readonly latency_ms: Readonly<Record<string, LatencyPercentiles>>;
  /** Ticks of all the model's episodes, and those on which no action was ready (starved). */
  readonly ticks: number;
  readonly starved_ticks: number;
  /** starved_ticks ÷ ticks; 0 without ticks. */
  readonly starved_fraction: number;
  /** Median of the episodes' seam ratios (those with a measured boundary); null when none had one. */
  readonly seam_ratio_median: number | null;
  /** Median of the episodes' tracking lag, ticks (those where it was measured); null when none. */
  readonly lag_ticks_median: number | null;
}

export interface PairSummary extends PairedTable {
  readonly a: string;
  readonly b: string;
  /** Seeds both models finished. */
  readonly shared_seeds: number;
  readonly p_value: number;
  /** success rate of a − success rate of b on the shared seeds. */
  readonly difference: number;
  readonly difference95: Interval;
}

export interface CampaignSummary {
  readonly fps: number;
  readonly models: Readonly<Record<string, ModelSummary>>;
  readonly pairs: readonly PairSummary[];
}

/**
 * Summarises finished episodes. `latency` holds, per model and stage, the samples of every tick (ms). Models with no
 * finished episode are left out; pairs need at least one shared seed.
 */
export function summarizeCampaign(
  models: readonly string[],
  fps: number,
  outcomes: readonly EpisodeOutcome[],
  latency: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>> = new Map(),
): CampaignSummary {
  const bySeed = new Map<string, Map<number, boolean>>(models.map((m) => [m, new Map()]));
  const episodesOf = new Map<string, Map<number, EpisodeOutcome>>(models.map((m) => [m, new Map()]));
  for (const o of outcomes) {
    bySeed.get(o.model)?.set(o.seed, o.success);
    episodesOf.get(o.model)?.set(o.seed, o); // one outcome per (model, seed), as for the rates
  }
  const perModel: Record<string, ModelSummary> = {};
  for (const m of models) {
    const seeds = bySeed.get(m)!;
    const n = seeds.size;
    if (n === 0) continue;
    const k = [...seeds.values()].filter(Boolean).length;
    const stages: Record<string, LatencyPercentiles> = {};
    for (const [stage, v] of latency.get(m) ?? []) {
      if (v.length === 0) continue;
      stages[stage] = { p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) };
    }
    const eps = [...episodesOf.get(m)!.values()];
    const ticks = eps.reduce((sum, e) => sum + (e.steps ?? 0), 0);
    const starved = eps.reduce((sum, e) => sum + (e.starvedTicks ?? 0), 0);
    const measured = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
    const seams = eps.map((e) => e.seamRatio).filter(measured);
    const lags = eps.map((e) => e.lagTicks).filter(measured);
    perModel[m] = {
      episodes: n,
      successes: k,
      success_rate: k / n,
      wilson95: wilsonInterval(k, n),
      latency_ms: stages,
      ticks,
      starved_ticks: starved,
      starved_fraction: ticks > 0 ? starved / ticks : 0,
      seam_ratio_median: seams.length > 0 ? percentile(seams, 50) : null,
      lag_ticks_median: lags.length > 0 ? percentile(lags, 50) : null,
    };
  }
  const pairs: PairSummary[] = [];
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = bySeed.get(models[i])!;
      const b = bySeed.get(models[j])!;
      const shared = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
      if (shared.length === 0) continue;
      const table = pairedTable(
        shared.map((s) => a.get(s)!),
        shared.map((s) => b.get(s)!),
      );
      const d = pairedDifference(table);
      pairs.push({
        a: models[i],
        b: models[j],
        shared_seeds: shared.length,
        ...table,
        p_value: mcnemarExactP(table.onlyA, table.onlyB),
        difference: d.difference,
        difference95: d.interval,
      });
    }
  }
  return { fps, models: perModel, pairs };
}

/** "pi0_fast vs pi0 on 50 shared seeds: 9 vs 3 discordant, p = 0.146" */
export function pairedLine(p: PairSummary): string {
  const pv = p.p_value < 0.001 ? p.p_value.toExponential(1) : p.p_value.toFixed(3);
  return `${p.a} vs ${p.b} on ${p.shared_seeds} shared seeds: ${p.onlyA} vs ${p.onlyB} discordant, p = ${pv}`;
}
