// An episode record seen along its ticks: which chunk executes at a tick, which requests are in flight, which
// predictions cover it, the tick's stage timing against the budget, and the events the record holds. Plain data
// in, plain data out, so the viewer and its benchmark share one model.
import { ExecutedTicks } from '../replay/rowAlignment';

/** One row of steps.csv, joints in the robot's order. */
export interface TimelineStep {
  readonly tick: number;
  /** ms since the episode started. */
  readonly timeMs: number;
  readonly positions: readonly number[];
  /** What was written to the servos; absent when nothing was (starved, refused, paused). */
  readonly sent?: readonly number[];
  /** The policy's row before seam remedies, smoothing and safety; absent when starved or not recorded. */
  readonly raw?: readonly number[];
  readonly starved: boolean;
  readonly chunk?: number;
  readonly chunkBoundary: boolean;
  readonly note: string;
}

/** One line of chunks.jsonl (times in ms since the episode started). */
export interface TimelineChunk {
  readonly chunk: number;
  readonly observationTick: number;
  readonly requestedAtMs: number;
  readonly receivedAtMs: number;
  readonly horizon: number;
  readonly accepted?: boolean;
  readonly discardReason?: string;
  readonly latencyMs: number;
  /** horizon rows of joint values (null: not a number), when the record has them. */
  readonly actions?: readonly (readonly (number | null)[])[];
}

/** A prediction with the ticks its rows land on (rowAlignment.ts: executed ticks from its observation on). */
export interface PlacedPrediction extends TimelineChunk {
  /** Row i runs at rowTicks[i]; rows past the record's end are left out. */
  readonly rowTicks: readonly number[];
}

export interface TimelineTiming {
  readonly tick: number;
  readonly ms: Readonly<Record<string, number>>;
}

export interface TimelineInput {
  readonly steps: readonly TimelineStep[];
  readonly chunks: readonly TimelineChunk[];
  readonly timing: readonly TimelineTiming[];
  /** The loop's rate; the tick budget is 1000 / fps ms. */
  readonly fps: number;
  /** events.jsonl: warnings, clamp runs, swaps, faults, reconnects (none for records made before it). */
  readonly events?: readonly { readonly tick: number; readonly kind: RecordedEventKind; readonly message: string }[];
}

/** The ticks one chunk was executed on (from steps.csv's chunk column). */
export interface ChunkSpan {
  readonly chunk: number;
  readonly firstTick: number;
  readonly lastTick: number;
}

/** What the record keeps beside its ticks (events.jsonl). */
export type RecordedEventKind = 'warning' | 'clamp' | 'swap' | 'fault' | 'reconnect';

export type TimelineEventKind =
  'starved' | 'refused' | 'note' | 'chunk-arrival' | 'chunk-discarded' | RecordedEventKind;

/** A marker on the timeline; runs of starved or refused ticks are one event spanning `toTick`. */
export interface TimelineEvent {
  readonly kind: TimelineEventKind;
  readonly tick: number;
  readonly toTick: number;
  readonly text: string;
}

export interface StageAtTick {
  readonly stage: string;
  readonly ms: number;
  readonly overBudget: boolean;
}

/** Everything the viewer shows beside the plots at one tick. */
export interface CursorState {
  readonly tick: number;
  readonly timeMs?: number;
  readonly executing?: number;
  readonly starved: boolean;
  readonly note: string;
  readonly inFlight: readonly { readonly chunk: number; readonly observationTick: number; readonly ageMs: number }[];
  readonly predictions: readonly PlacedPrediction[];
  readonly stages: readonly StageAtTick[];
  readonly budgetMs: number;
}

/** Predictions drawn at a tick at most (the newest), as the dashboard's fan. */
export const FAN_CHUNKS = 4;

export class EpisodeTimeline {
  readonly steps: readonly TimelineStep[];
  readonly chunks: readonly TimelineChunk[];
  readonly spans: readonly ChunkSpan[];
  /** Ticks where a new chunk took over (steps.csv's chunk_boundary). */
  readonly boundaries: readonly number[];
  readonly events: readonly TimelineEvent[];
  readonly budgetMs: number;
  /** Stage names in the order timing.csv has them. */
  readonly stages: readonly string[];
  private readonly timingByTick = new Map<number, Readonly<Record<string, number>>>();
  private readonly ticks: Float64Array;
  /** Where each chunk's rows land, by chunk number. */
  private readonly rowTicks = new Map<number, readonly number[]>();

  constructor(input: TimelineInput) {
    if (!(input.fps > 0)) throw new RangeError(`the episode's fps must be a positive number, got ${input.fps}`);
    this.steps = [...input.steps].sort((a, b) => a.tick - b.tick);
    this.ticks = Float64Array.from(this.steps, (s) => s.tick);
    this.chunks = input.chunks;
    const executed = new ExecutedTicks(this.steps);
    for (const c of this.chunks) this.rowTicks.set(c.chunk, executed.rowTicks(c.observationTick, c.horizon));
    this.budgetMs = 1000 / input.fps;
    const stages: string[] = [];
    for (const row of input.timing) {
      this.timingByTick.set(row.tick, row.ms);
      for (const s of Object.keys(row.ms)) if (!stages.includes(s)) stages.push(s);
    }
    this.stages = stages;
    this.spans = chunkSpans(this.steps);
    this.boundaries = this.steps.filter((s) => s.chunkBoundary).map((s) => s.tick);
    const recorded = (input.events ?? []).map((e): TimelineEvent => ({
      kind: e.kind,
      tick: e.tick,
      toTick: e.tick,
      text: e.message,
    }));
    this.events = [...stepEvents(this.steps), ...this.chunkEvents(), ...recorded].sort((a, b) => a.tick - b.tick);
  }

  get firstTick(): number {
    return this.steps.length > 0 ? this.steps[0].tick : 0;
  }

  get lastTick(): number {
    return this.steps.length > 0 ? this.steps[this.steps.length - 1].tick : 0;
  }

  /** `tick` brought into the recorded range. */
  clampTick(tick: number): number {
    return Math.min(this.lastTick, Math.max(this.firstTick, Math.round(tick)));
  }

  /** The step recorded at `tick`, or the last one before it (rows can be missing when the disk fell behind). */
  stepAt(tick: number): TimelineStep | undefined {
    const i = this.indexAtOrBefore(tick);
    return i < 0 ? undefined : this.steps[i];
  }

  /** The chunk executed at `tick` (undefined while starved or before the first chunk). */
  executingAt(tick: number): number | undefined {
    const s = this.stepAt(tick);
    return s && s.tick === tick && !s.starved ? s.chunk : undefined;
  }

  /** Requests sent and not yet answered at `tick`'s time. */
  inFlightAt(tick: number): TimelineChunk[] {
    const t = this.stepAt(tick)?.timeMs;
    if (t === undefined) return [];
    return this.chunks.filter((c) => c.requestedAtMs <= t && c.receivedAtMs > t);
  }

  /** Predictions that had arrived by `tick` and still cover it, newest last, at most FAN_CHUNKS. */
  predictionsAt(tick: number): PlacedPrediction[] {
    const t = this.stepAt(tick)?.timeMs;
    if (t === undefined) return [];
    const placed: PlacedPrediction[] = [];
    for (const c of this.chunks) {
      const rowTicks = this.rowTicks.get(c.chunk) ?? [];
      const last = rowTicks.at(-1);
      if (c.receivedAtMs <= t && c.observationTick <= tick && last !== undefined && last >= tick)
        placed.push({ ...c, rowTicks });
    }
    return placed.slice(-FAN_CHUNKS);
  }

  /** The cursor's view of `tick` (brought into range). */
  cursorAt(tick: number): CursorState {
    const t = this.clampTick(tick);
    const step = this.stepAt(t);
    const now = step?.timeMs ?? 0;
    return {
      tick: t,
      ...(step ? { timeMs: step.timeMs } : {}),
      ...(this.executingAt(t) !== undefined ? { executing: this.executingAt(t) } : {}),
      starved: step?.tick === t && step.starved,
      note: step?.tick === t ? step.note : '',
      inFlight: this.inFlightAt(t).map((c) => ({
        chunk: c.chunk,
        observationTick: c.observationTick,
        ageMs: now - c.requestedAtMs,
      })),
      predictions: this.predictionsAt(t),
      stages: this.stagesAt(t),
      budgetMs: this.budgetMs,
    };
  }

  /** The tick's stage durations against the tick budget, in timing.csv's order. */
  stagesAt(tick: number): StageAtTick[] {
    const ms = this.timingByTick.get(tick);
    if (!ms) return [];
    return this.stages
      .filter((s) => ms[s] !== undefined)
      .map((stage) => ({ stage, ms: ms[stage], overBudget: ms[stage] > this.budgetMs }));
  }

  /** The next (dir 1) or previous (dir -1) chunk boundary from `tick`; the episode's end when there is none. */
  chunkStep(tick: number, dir: 1 | -1): number {
    const b = this.boundaries;
    if (dir > 0) return b.find((x) => x > tick) ?? this.lastTick;
    for (let i = b.length - 1; i >= 0; i--) if (b[i] < tick) return b[i];
    return this.firstTick;
  }

  /** The first tick whose time is at or after `ms` (where a reply that arrived then was first usable). */
  tickAtTime(ms: number): number {
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid].timeMs < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.steps.length ? this.steps[lo].tick : this.lastTick;
  }

  private indexAtOrBefore(tick: number): number {
    let lo = 0;
    let hi = this.ticks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ticks[mid] <= tick) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private chunkEvents(): TimelineEvent[] {
    if (this.steps.length === 0) return [];
    return this.chunks.map((c): TimelineEvent => {
      const tick = this.tickAtTime(c.receivedAtMs);
      return c.accepted === false
        ? {
            kind: 'chunk-discarded',
            tick,
            toTick: tick,
            text: `chunk ${c.chunk} discarded${c.discardReason ? `: ${c.discardReason}` : ''}`,
          }
        : {
            kind: 'chunk-arrival',
            tick,
            toTick: tick,
            text: `chunk ${c.chunk} arrived (${c.latencyMs.toFixed(0)} ms after its request)`,
          };
    });
  }
}

function chunkSpans(steps: readonly TimelineStep[]): ChunkSpan[] {
  const spans: ChunkSpan[] = [];
  let open: { chunk: number; firstTick: number; lastTick: number } | undefined;
  for (const s of steps) {
    if (s.chunk === undefined || s.starved) continue;
    if (open && open.chunk === s.chunk) open.lastTick = s.tick;
    else {
      if (open) spans.push(open);
      open = { chunk: s.chunk, firstTick: s.tick, lastTick: s.tick };
    }
  }
  if (open) spans.push(open);
  return spans;
}

/** Starved and refused ticks as runs, and each note as its own marker. */
function stepEvents(steps: readonly TimelineStep[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const run = (kind: 'starved' | 'refused', is: (s: TimelineStep) => boolean, what: string) => {
    let from: TimelineStep | undefined;
    let last: TimelineStep | undefined;
    const close = () => {
      if (!from || !last) return;
      const n = last.tick - from.tick + 1;
      out.push({ kind, tick: from.tick, toTick: last.tick, text: `${what} for ${n} tick${n === 1 ? '' : 's'}` });
      from = undefined;
    };
    for (const s of steps) {
      if (is(s)) {
        if (from && last && s.tick !== last.tick + 1) close();
        from ??= s;
        last = s;
      } else close();
    }
    close();
  };
  run('starved', (s) => s.starved, 'starved (no action to execute)');
  run('refused', (s) => !s.starved && s.sent === undefined, 'nothing written to the servos');
  for (const s of steps) if (s.note !== '') out.push({ kind: 'note', tick: s.tick, toTick: s.tick, text: s.note });
  return out;
}
