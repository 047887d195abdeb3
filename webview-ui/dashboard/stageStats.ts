// p50 / p95 / p99 per stage over the rolling window of ticks the page holds, and the budget each stage is held
// to: loop stages share the tick period (1000 / fps), policy stages the time a chunk leaves for the next request
// (half its horizon of ticks: with one request in flight, async chunking runs without starving while
// latency ≤ horizon / 2).
import type { DashboardTick } from '../../src/contracts/dashboardMessages';

export const LOOP_STAGES = ['read', 'camera', 'convert', 'safety', 'write'] as const;
export const POLICY_STAGES = ['encode', 'network', 'server infer', 'decode'] as const;
/** Request → chunk received, from the chunk events (always there, unlike the per-stage split). */
export const CHUNK_LATENCY = 'chunk latency';
/** Table order; stages the runtime adds later are appended after these. */
export const STAGE_ORDER = [...LOOP_STAGES, 'tick', ...POLICY_STAGES, 'policy total', CHUNK_LATENCY];

export type StageLevel = 'ok' | 'warn' | 'over';

export interface StageRow {
  readonly stage: string;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly budgetMs: number;
  readonly level: StageLevel;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function isPolicyStage(stage: string): boolean {
  return (POLICY_STAGES as readonly string[]).includes(stage) || stage === 'policy total' || stage === CHUNK_LATENCY;
}

export function stageBudgets(fps: number, horizon: number | undefined): { tickMs: number; chunkMs: number } {
  const tickMs = 1000 / fps;
  return { tickMs, chunkMs: tickMs * Math.max(1, (horizon ?? 2) / 2) };
}

/** amber from 80 % of the budget, red at or over it (judged on p95: the odd hiccup is not a trend). */
export function levelOf(p95: number, budgetMs: number): StageLevel {
  if (!(p95 >= 0.8 * budgetMs)) return 'ok';
  return p95 >= budgetMs ? 'over' : 'warn';
}

export function stageRows(
  ticks: readonly DashboardTick[],
  fps: number,
  horizon: number | undefined,
  chunkLatencies: readonly number[] = [],
): StageRow[] {
  const samples = new Map<string, number[]>();
  for (const s of STAGE_ORDER) samples.set(s, []);
  for (const t of ticks) {
    for (const [stage, ms] of Object.entries(t.stageMs)) {
      let list = samples.get(stage);
      if (!list) samples.set(stage, (list = []));
      list.push(ms);
    }
  }
  samples.get(CHUNK_LATENCY)!.push(...chunkLatencies);
  const { tickMs, chunkMs } = stageBudgets(fps, horizon);
  const rows: StageRow[] = [];
  for (const [stage, list] of samples) {
    if (list.length === 0) continue;
    list.sort((a, b) => a - b);
    const budgetMs = isPolicyStage(stage) ? chunkMs : tickMs;
    const p95 = percentile(list, 95);
    rows.push({
      stage,
      count: list.length,
      p50: percentile(list, 50),
      p95,
      p99: percentile(list, 99),
      budgetMs,
      level: levelOf(p95, budgetMs),
    });
  }
  return rows;
}
