// The one source of an episode's progress on screen: the status bar, the side bar tree and the Dashboard all show
// the step this holds, so they agree at every moment. State changes and episode ends publish at once; ticks are
// folded in and published at most every PUBLISH_MS (a tree or status bar redrawn at 30 Hz is waste, and three views
// each throttling on their own drift apart). Free of `vscode`: tests drive it with their own clock and timer.
import type { EpisodeSummary, RuntimePhase, RuntimeStatus } from '../../core/rpc';
import type { TelemetrySource } from './telemetrySource';

/** Progress is published at most this often while ticks stream in (≤ 2 Hz). */
export const PROGRESS_PUBLISH_MS = 500;

export interface EpisodeProgress {
  readonly phase: RuntimePhase | undefined;
  readonly episode?: number;
  /** Ticks done in the current episode (the newest tick's index + 1). */
  readonly step?: number;
  readonly maxSteps?: number;
  /** The last episode that ended, until the next one starts. */
  readonly ended?: EpisodeSummary;
}

/** "69/900" while an episode runs or is paused, '' otherwise: every view words progress with this. */
export function progressText(p: EpisodeProgress): string {
  if ((p.phase !== 'running' && p.phase !== 'paused') || p.step === undefined) return '';
  return p.maxSteps ? `${p.step}/${p.maxSteps}` : `${p.step}`;
}

export interface ProgressSourceOptions {
  readonly publishMs?: number;
  readonly now?: () => number;
  readonly schedule?: (fn: () => void, ms: number) => { dispose(): void };
}

/** What this needs of the runtime: its events and status. */
export type ProgressEvents = Pick<TelemetrySource, 'onEvent' | 'status'>;

const defaultSchedule = (fn: () => void, ms: number): { dispose(): void } => {
  const t = setTimeout(fn, ms);
  return { dispose: () => clearTimeout(t) };
};

export class ProgressSource {
  private value: EpisodeProgress;
  private readonly listeners = new Set<(p: EpisodeProgress) => void>();
  private readonly subscriptions: { dispose(): void }[];
  private readonly publishMs: number;
  private readonly now: () => number;
  private readonly schedule: NonNullable<ProgressSourceOptions['schedule']>;
  private lastPublished = -Infinity;
  private pending: { dispose(): void } | undefined;

  constructor(events: ProgressEvents, options: ProgressSourceOptions = {}) {
    this.publishMs = options.publishMs ?? PROGRESS_PUBLISH_MS;
    this.now = options.now ?? (() => Date.now());
    this.schedule = options.schedule ?? defaultSchedule;
    this.value = fromStatus(events.status(), undefined);
    this.subscriptions = [
      events.onEvent('state', (s) => this.state(s)),
      events.onEvent('tick', (t) => this.tick(t)),
      events.onEvent('episodeEnded', (e) => this.ended(e)),
    ];
  }

  get current(): EpisodeProgress {
    return this.value;
  }

  /** Calls `listener` with every published progress; returns its disposer. */
  onChange(listener: (p: EpisodeProgress) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.pending?.dispose();
    this.pending = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.listeners.clear();
  }

  private state(s: RuntimeStatus): void {
    const next = fromStatus(s, this.value);
    // A state event carries the runtime's step as of the event; a tick already seen may be newer.
    if (
      next.episode !== undefined &&
      next.episode === this.value.episode &&
      this.value.step !== undefined &&
      (next.step ?? -1) < this.value.step
    )
      this.value = { ...next, step: this.value.step };
    else this.value = next;
    this.publish();
  }

  private tick(t: { readonly episode: number; readonly index: number }): void {
    const p = this.value;
    if (p.episode !== undefined && t.episode < p.episode) return; // late telemetry of an earlier episode
    const step = t.index + 1;
    if (t.episode === p.episode && p.step !== undefined && step <= p.step) return;
    this.value = { ...p, episode: t.episode, step, ended: t.episode === p.ended?.episode ? p.ended : undefined };
    const wait = this.lastPublished + this.publishMs - this.now();
    if (wait <= 0) this.publish();
    else
      this.pending ??= this.schedule(() => {
        this.pending = undefined;
        this.publish();
      }, wait);
  }

  private ended(e: EpisodeSummary): void {
    // The summary's step count is final: the views show it, not a tick that was still in flight.
    this.value = { ...this.value, episode: e.episode, step: e.steps, ended: e };
    this.publish();
  }

  private publish(): void {
    this.pending?.dispose();
    this.pending = undefined;
    this.lastPublished = this.now();
    const p = this.value;
    for (const l of [...this.listeners]) l(p);
  }
}

function fromStatus(s: RuntimeStatus | undefined, previous: EpisodeProgress | undefined): EpisodeProgress {
  if (!s) return { phase: undefined };
  const episode = s.episode ?? previous?.episode;
  return {
    phase: s.phase,
    episode,
    step: s.episode !== undefined ? s.step : previous?.step,
    maxSteps: s.maxSteps ?? previous?.maxSteps,
    ended: previous?.ended && previous.ended.episode === episode ? previous.ended : undefined,
  };
}
