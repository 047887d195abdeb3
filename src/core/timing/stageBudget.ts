// The tick budget (1000 / fps ms): a loop stage that overruns it is worth one line in the log, not one per tick.

/** The stages that run inside a tick (policy requests run beside the loop and have their own budget). */
export const LOOP_STAGES = ['read', 'camera', 'convert', 'safety', 'write', 'tick'] as const;

export interface TickTiming {
  readonly episode: number;
  readonly index: number;
  readonly stageMs: Readonly<Record<string, number>>;
}

/** Remembers which stages already overran in this episode; says so once per stage and episode. */
export class StageBudget {
  private episode: number | undefined;
  private readonly reported = new Set<string>();

  /** Messages for the stages of `tick` that overran the budget for the first time this episode. */
  check(tick: TickTiming, fps: number): string[] {
    if (tick.episode !== this.episode) {
      this.episode = tick.episode;
      this.reported.clear();
    }
    if (!(fps > 0)) return [];
    const budget = 1000 / fps;
    const out: string[] = [];
    for (const stage of LOOP_STAGES) {
      const ms = tick.stageMs[stage];
      if (ms === undefined || ms <= budget || this.reported.has(stage)) continue;
      this.reported.add(stage);
      out.push(
        `episode ${tick.episode}, tick ${tick.index}: ${stage} took ${ms.toFixed(1)} ms, over the ${budget.toFixed(1)} ms budget of a tick at ${fps} fps (said once per stage and episode)`,
      );
    }
    return out;
  }
}
