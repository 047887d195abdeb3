// The Evaluation Report as plain data: what the editor's report shows of a campaign folder (campaign.json's plan,
// results.csv's rows, summary.json's latency once the campaign ended), live or finished. Pure, so the numbers the
// page draws are the statistics of campaignSummary.ts, computed once and unit-tested here.
import { type CampaignSummary, type EpisodeOutcome, pairedLine, summarizeCampaign } from './campaignSummary';
import type { PlannedEpisode } from './campaignPlan';
import type { Interval } from './wilsonInterval';
import type { ClockKind } from '../timing/clock';

/** One finished episode as results.csv holds it (the fields the report uses). */
export interface ReportEpisode extends EpisodeOutcome {
  readonly reason: string;
  /** The episode's record folder, relative to the campaign folder ('' when none was written). */
  readonly episodeDir: string;
}

export interface ReportInput {
  readonly models: readonly string[];
  /** The campaign's episodes in run order (its shard's part of the plan, for a shard). */
  readonly plan: readonly PlannedEpisode[];
  readonly fps: number;
  /** campaign.json's clock (campaigns from before virtual time have none: wall). */
  readonly clock?: ClockKind;
  readonly rows: readonly ReportEpisode[];
  /** summary.json, when the campaign has written it (latency per stage is only there). */
  readonly summary?: CampaignSummary;
  /** While a campaign runs: the episodes this run finished and its wall time, for the time left. */
  readonly progress?: { readonly doneThisRun: number; readonly elapsedMs: number };
}

export interface ModelRate {
  readonly model: string;
  readonly episodes: number;
  readonly successes: number;
  /** successes ÷ episodes, 0–1; null before the model's first episode. */
  readonly rate: number | null;
  readonly wilson95: Interval | null;
  /** Share of the model's ticks with no action ready, 0–1, and the ticks behind it. */
  readonly starvedFraction: number;
  readonly starvedTicks: number;
  readonly ticks: number;
  /** Median of the episodes' seam ratios (×); null when none had a measured boundary. */
  readonly seamRatioMedian: number | null;
  /** Median of the episodes' tracking lag (ticks); null when none was measured. */
  readonly lagTicksMedian: number | null;
}

export type CellOutcome = 'success' | 'failure' | 'pending';

export interface GridCell {
  readonly model: string;
  readonly outcome: CellOutcome;
  readonly reason?: string;
  readonly episodeDir?: string;
}

export interface StageLatency {
  readonly stage: string;
  /** Per model (in the campaign's order), ms; null when the model has no samples of the stage. */
  readonly byModel: readonly ({ readonly p50: number; readonly p95: number; readonly p99: number } | null)[];
}

export interface EvaluationReport {
  readonly models: readonly string[];
  readonly total: number;
  readonly done: number;
  /** The clock the episodes run on: virtual (faster than real time) or wall. */
  readonly clock: ClockKind;
  /** Estimated wall time left, ms; null when it cannot be told yet (or nothing is running). */
  readonly etaMs: number | null;
  readonly rates: readonly ModelRate[];
  /** Seeds in plan order, each with one cell per model (campaign order). */
  readonly grid: readonly { readonly seed: number; readonly cells: readonly GridCell[] }[];
  /** Stages in the order the first model's summary lists them; empty until summary.json exists. */
  readonly latency: readonly StageLatency[];
  /** The paired comparison of each pair of models on their shared seeds, one sentence each. */
  readonly pairs: readonly string[];
}

export function evaluationReport(input: ReportInput): EvaluationReport {
  const { models, plan, rows } = input;
  const live = summarizeCampaign(models, input.fps, rows);
  const rates = models.map((model): ModelRate => {
    const s = live.models[model];
    return s
      ? {
          model,
          episodes: s.episodes,
          successes: s.successes,
          rate: s.success_rate,
          wilson95: s.wilson95,
          starvedFraction: s.starved_fraction,
          starvedTicks: s.starved_ticks,
          ticks: s.ticks,
          seamRatioMedian: s.seam_ratio_median,
          lagTicksMedian: s.lag_ticks_median ?? null,
        }
      : {
          model,
          episodes: 0,
          successes: 0,
          rate: null,
          wilson95: null,
          starvedFraction: 0,
          starvedTicks: 0,
          ticks: 0,
          seamRatioMedian: null,
          lagTicksMedian: null,
        };
  });
  const byKey = new Map(rows.map((r) => [`${r.model}@${r.seed}`, r]));
  const seeds: number[] = [];
  for (const p of plan) if (!seeds.includes(p.seed)) seeds.push(p.seed);
  const grid = seeds.map((seed) => ({
    seed,
    cells: models.map((model): GridCell => {
      const r = byKey.get(`${model}@${seed}`);
      if (!r) return { model, outcome: 'pending' };
      return { model, outcome: r.success ? 'success' : 'failure', reason: r.reason, episodeDir: r.episodeDir };
    }),
  }));
  const done = plan.filter((p) => byKey.has(`${p.model}@${p.seed}`)).length;
  const stages: string[] = [];
  for (const m of models)
    for (const stage of Object.keys(input.summary?.models[m]?.latency_ms ?? {}))
      if (!stages.includes(stage)) stages.push(stage);
  const latency = stages.map((stage) => ({
    stage,
    byModel: models.map((m) => input.summary?.models[m]?.latency_ms[stage] ?? null),
  }));
  return {
    models,
    total: plan.length,
    done,
    clock: input.clock ?? 'wall',
    etaMs: timeLeftMs(input.progress, plan.length - done),
    rates,
    grid,
    latency,
    pairs: live.pairs.map(pairedLine),
  };
}

/** The wall time per episode of this run so far, times the episodes left. */
function timeLeftMs(progress: ReportInput['progress'], left: number): number | null {
  if (!progress || progress.doneThisRun < 1) return null;
  return left <= 0 ? 0 : (progress.elapsedMs / progress.doneThisRun) * left;
}

/** The report's per-model table as CSV (Export CSV): rates with intervals, starvation, seams, policy latency. */
export function reportCsv(report: EvaluationReport): string {
  const head = [
    'model',
    'episodes',
    'successes',
    'success_rate',
    'wilson95_lo',
    'wilson95_hi',
    'starved_ticks',
    'ticks',
    'starved_fraction',
    'seam_ratio_median',
    'lag_ticks_median',
    ...report.latency.flatMap((l) => {
      const c = l.stage.replace(/\s+/g, '_');
      return [`${c}_p50_ms`, `${c}_p95_ms`, `${c}_p99_ms`];
    }),
  ];
  const num = (v: number | null | undefined, digits: number) =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toFixed(digits)));
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [head.join(',')];
  report.rates.forEach((r, i) => {
    lines.push(
      [
        quote(r.model),
        String(r.episodes),
        String(r.successes),
        num(r.rate, 4),
        num(r.wilson95?.[0], 4),
        num(r.wilson95?.[1], 4),
        String(r.starvedTicks),
        String(r.ticks),
        num(r.starvedFraction, 4),
        num(r.seamRatioMedian, 2),
        num(r.lagTicksMedian, 2),
        ...report.latency.flatMap((l) => {
          const v = l.byModel[i];
          return [num(v?.p50, 2), num(v?.p95, 2), num(v?.p99, 2)];
        }),
      ].join(','),
    );
  });
  return lines.join('\n') + '\n';
}
