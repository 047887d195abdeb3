// Decides, once per control tick, which queued action to execute and when to ask the policy for a new chunk.
// Pure and clock-free: the episode loop passes the tick index and time; nothing here sleeps or starts timers.
//
// Time is counted in action steps (actions actually executed since reset), not in ticks: a chunk predicted from
// the observation taken before step s has row i for step s + i. Ticks on which the arm holds do not move it, so
// they must not use up rows (LeRobot's timestep also advances only when an action runs). Without starvation a
// step is a tick, which is the "chunk from observation k covers ticks k, k+1, …" rule.
import { ActionChunk, ActionShapeError } from './actionChunk';
import { ActionQueue, type QueuedSource } from './actionQueue';
import { aggregateInto, newActionWeight } from './chunkAggregation';
import { ChunkSchedulerConfigError } from './chunkSchedulerConfigError';
import { type ChunkSchedulerOptions, type ResolvedChunkOptions, resolveChunkOptions } from './chunkSchedulerOptions';
import { ActionSmoother } from './actionSmoothing';

/** One control tick as the episode loop sees it. */
export interface SchedulerTick {
  /** Tick number; strictly increasing within an episode (gaps allowed when the loop overran). */
  readonly index: number;
  /** Loop time of the tick, used as the request time. */
  readonly timeMs: number;
  /** Measured joint positions — the arm holds here when no action is returned (the `limit` remedy restarts from them). */
  readonly measured?: Float64Array;
}

/** Ask the policy for a chunk from this tick's observation; hand the reply back with deliver(chunk, request). */
export interface ChunkRequest {
  /** Unique for the scheduler's lifetime (across resets and model swaps). */
  readonly id: number;
  /** Model epoch the request belongs to (see swapModel). */
  readonly epoch: number;
  /** Tick whose observation must be sent. */
  readonly observationIndex: number;
  /** Nothing is queued: the arm is holding (LeRobot's must_go). */
  readonly queueEmpty: boolean;
}

/** Where an executed action came from. */
export type ActionSource = QueuedSource;

export interface TickResult {
  /** Target to send, or null: hold the measured position (a stale action is never repeated). */
  readonly action: Float64Array | null;
  /** The newest chunk's row for this step as the policy sent it, before blending and smoothing (seam metrics). */
  readonly raw?: Float64Array;
  readonly starved: boolean;
  readonly source?: ActionSource;
  /** This action is the first executed from its chunk (the UI marks these ticks). */
  readonly chunkBoundary: boolean;
  /** Set when the caller must send this tick's observation to the policy. */
  readonly request?: ChunkRequest;
}

/** Wall-clock times of a request, as measured by the caller; used only for latency statistics. */
export interface ChunkReceiptTiming {
  readonly requestedAtMs: number;
  readonly receivedAtMs: number;
}

export type DiscardReason = 'other-epoch' | 'after-reset' | 'older-observation' | 'not-in-flight' | 'non-finite';

export type DeliveryResult =
  | {
      readonly accepted: true;
      /** Rows not queued: their step had already run (or, in sync mode, belongs to the chunk in progress). */
      readonly droppedSteps: number;
      /** Rows combined with an action already queued for the same step. */
      readonly mergedSteps: number;
      /** Rows added behind the queued ones. */
      readonly appendedSteps: number;
      /** Queued actions thrown away because the new chunk ends before them (LeRobot replaces the queue). */
      readonly supersededSteps: number;
      /** Actions executed between the observation and the delivery. */
      readonly latencySteps: number;
    }
  | { readonly accepted: false; readonly reason: DiscardReason; readonly message: string };

/** Counters of one episode (since construction or the last reset). */
export interface ChunkSchedulerStats {
  readonly ticks: number;
  readonly executedTicks: number;
  /** Ticks without an action (the arm held); includes warmupTicks. */
  readonly starvedTicks: number;
  /** Starved ticks before the first action of the episode. */
  readonly warmupTicks: number;
  readonly longestStarvation: number;
  readonly currentStarvation: number;
  readonly requests: number;
  readonly deliveries: number;
  /** Requests the caller gave up on (abandon). */
  readonly abandonedRequests: number;
  readonly droppedSteps: number;
  readonly mergedSteps: number;
  readonly supersededSteps: number;
  readonly discardedChunks: Readonly<Record<DiscardReason, number>>;
  readonly chunkBoundaries: number;
  /** Tick indices of the most recent chunk boundaries, oldest first (at most RECENT_BOUNDARY_LIMIT). */
  readonly recentBoundaryTicks: readonly number[];
  readonly queuedSteps: number;
  readonly requestInFlight: boolean;
  readonly epoch: number;
  /** receivedAtMs − requestedAtMs of the last accepted chunk; NaN before the first. */
  readonly lastLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly lastLatencySteps: number;
}

export const RECENT_BOUNDARY_LIMIT = 32;

/**
 * Which step a reply's row 0 is for. `observation`: the step of the tick whose observation was sent (openpi, LeRobot
 * async: rows for steps that ran meanwhile are dropped). `next`: the first step after that tick's own action — for
 * servers that answer with the next action of their own queue (awesome-lerobot's select_action), whose single row
 * would otherwise always arrive too late to be used.
 */
export type RowZeroAlignment = 'observation' | 'next';

interface InFlight {
  readonly request: ChunkRequest;
  /** Actions executed before the observation's tick: row 0 of the reply is for this step. */
  readonly observationStep: number;
}

type Counters = {
  -readonly [
    K in Exclude<
      keyof ChunkSchedulerStats,
      'discardedChunks' | 'recentBoundaryTicks' | 'queuedSteps' | 'requestInFlight' | 'epoch'
    >
  ]: number;
};

function freshCounters(): Counters {
  return {
    ticks: 0,
    executedTicks: 0,
    starvedTicks: 0,
    warmupTicks: 0,
    longestStarvation: 0,
    currentStarvation: 0,
    requests: 0,
    deliveries: 0,
    abandonedRequests: 0,
    droppedSteps: 0,
    mergedSteps: 0,
    supersededSteps: 0,
    chunkBoundaries: 0,
    lastLatencyMs: NaN,
    maxLatencyMs: NaN,
    lastLatencySteps: NaN,
  };
}

function freshDiscards(): Record<DiscardReason, number> {
  return { 'other-epoch': 0, 'after-reset': 0, 'older-observation': 0, 'not-in-flight': 0, 'non-finite': 0 };
}

const DISCARD_MESSAGES: Record<DiscardReason, string> = {
  'other-epoch': 'the chunk was computed by a model that has since been swapped out',
  'after-reset': 'the chunk was asked for before the episode was reset',
  'older-observation': 'the chunk is for an observation no newer than one already delivered',
  'not-in-flight': 'the chunk answers a request that was abandoned or never made',
  'non-finite': 'the chunk holds NaN or infinite values; the policy output is broken',
};

/** Action-chunk scheduler: call tick() once per control tick and deliver() when a requested chunk arrives. */
export class ChunkScheduler {
  private optionsValue: ResolvedChunkOptions;
  private smoother: ActionSmoother | null = null;
  /** The last action executed: where a cross-fade starts when nothing of the outgoing chunk is left. */
  private lastAction: Float64Array | null = null;
  private readonly queue = new ActionQueue();
  private epochValue = 0;
  private nextRequestId = 1;
  private sessionFirstId = 1;
  private inFlight: InFlight | null = null;
  private executedSteps = 0;
  private lastTickIndex = -Infinity;
  private lastDeliveredObservation = -Infinity;
  private lastChunkRows = 0;
  private lastSourceId = -1;
  private counters = freshCounters();
  private discards = freshDiscards();
  private recentBoundaries: number[] = [];

  constructor(
    options: ChunkSchedulerOptions,
    private readonly rowZero: RowZeroAlignment = 'observation',
  ) {
    this.optionsValue = resolveChunkOptions(options);
  }

  get options(): ResolvedChunkOptions {
    return this.optionsValue;
  }

  /**
   * New parameters of the same mode, used from the next decision (the next request, the next merge, the next seam:
   * a hot-reloaded seam remedy starts afresh); what is queued stays. Another mode is refused: the queue was filled under the current mode's rules, so it waits for a new
   * scheduler (the next episode). Throws ChunkSchedulerConfigError and keeps the old options when they cannot be used.
   */
  reconfigure(options: ChunkSchedulerOptions): void {
    const resolved = resolveChunkOptions(options);
    if (resolved.mode !== this.optionsValue.mode) {
      throw new ChunkSchedulerConfigError(
        'mode',
        `the chunking mode cannot change during an episode (${this.optionsValue.mode} → ${resolved.mode}); it applies from the next episode.`,
      );
    }
    if (JSON.stringify(resolved.seam) !== JSON.stringify(this.optionsValue.seam)) this.smoother = null;
    this.optionsValue = resolved;
  }

  /** Current model epoch; chunks of other epochs are discarded. */
  get epoch(): number {
    return this.epochValue;
  }

  /** The request awaiting its chunk, if any (there is never more than one). */
  get pendingRequest(): ChunkRequest | null {
    return this.inFlight?.request ?? null;
  }

  /** Actions queued for the coming ticks. */
  get queuedSteps(): number {
    return this.queue.length;
  }

  /** Runs one tick: pops the action for it (or holds) and says whether to ask for a chunk. */
  tick(t: SchedulerTick): TickResult {
    if (!Number.isFinite(t.index) || t.index <= this.lastTickIndex) {
      throw new RangeError(
        `tick index ${t.index} is not after the previous tick ${this.lastTickIndex}; pass a strictly increasing index, or reset() between episodes`,
      );
    }
    this.lastTickIndex = t.index;
    const c = this.counters;
    c.ticks++;
    const observationStep = this.executedSteps;
    const queueWasEmpty = this.queue.length === 0;

    let action: Float64Array | null = null;
    let source: ActionSource | undefined;
    let chunkBoundary = false;
    let raw: Float64Array | undefined;
    const seam = this.optionsValue.seam;
    if (!queueWasEmpty) {
      action = new Float64Array(this.queue.dims);
      raw = new Float64Array(this.queue.dims);
      source = this.queue.shift(action, raw);
      if (seam.remedy === 'limit') {
        if (this.smoother?.dims !== action.length) {
          this.smoother = new ActionSmoother(action.length, seam.maxStep, seam.maxStepChange);
          // A limit switched on mid-episode starts from the last command, not with a free first step.
          if (this.lastAction?.length === action.length) this.smoother.hold(this.lastAction);
        }
        this.smoother.apply(action);
      }
      this.lastAction = action;
      this.executedSteps++;
      c.executedTicks++;
      c.currentStarvation = 0;
      if (source.requestId !== this.lastSourceId) {
        chunkBoundary = true;
        this.lastSourceId = source.requestId;
        c.chunkBoundaries++;
        this.recentBoundaries.push(t.index);
        if (this.recentBoundaries.length > RECENT_BOUNDARY_LIMIT) this.recentBoundaries.shift();
      }
    } else {
      if (t.measured && this.smoother?.dims === t.measured.length) this.smoother.hold(t.measured);
      c.starvedTicks++;
      c.currentStarvation++;
      c.longestStarvation = Math.max(c.longestStarvation, c.currentStarvation);
      if (c.executedTicks === 0) c.warmupTicks++;
    }

    let request: ChunkRequest | undefined;
    if (this.inFlight === null && this.wantsChunk(queueWasEmpty)) {
      request = {
        id: this.nextRequestId++,
        epoch: this.epochValue,
        observationIndex: t.index,
        queueEmpty: this.queue.length === 0,
      };
      this.inFlight = { request, observationStep: this.rowZero === 'next' ? this.executedSteps : observationStep };
      c.requests++;
    }
    return { action, raw, starved: action === null, source, chunkBoundary, request };
  }

  /** Hands over the chunk answering `request`; stale chunks are discarded and counted, never executed. */
  deliver(chunk: ActionChunk, request: ChunkRequest, timing?: ChunkReceiptTiming): DeliveryResult {
    const stale = this.staleReason(request);
    if (stale !== null) return this.discard(stale);
    const flight = this.inFlight as InFlight;
    this.inFlight = null;
    if (chunk.countNonFinite() > 0) return this.discard('non-finite');
    if (this.queue.length > 0 && chunk.dims !== this.queue.dims) {
      throw new ActionShapeError(
        `the chunk for request ${request.id} has ${chunk.dims} values per step but the queued actions have ${this.queue.dims}; every chunk of an episode must have the same action dims (check the converter's action layout)`,
      );
    }
    if (this.queue.length === 0) this.queue.clear(this.executedSteps);
    this.queue.setDims(chunk.dims);

    const c = this.counters;
    c.deliveries++;
    this.lastDeliveredObservation = request.observationIndex;
    const latencySteps = this.executedSteps - flight.observationStep;
    c.lastLatencySteps = latencySteps;
    if (timing !== undefined) {
      c.lastLatencyMs = timing.receivedAtMs - timing.requestedAtMs;
      c.maxLatencyMs = Number.isNaN(c.maxLatencyMs) ? c.lastLatencyMs : Math.max(c.maxLatencyMs, c.lastLatencyMs);
    }
    const placed = this.options.mode === 'sync' ? this.appendSync(chunk, flight) : this.mergeAsync(chunk, flight);
    c.droppedSteps += placed.droppedSteps;
    c.mergedSteps += placed.mergedSteps;
    c.supersededSteps += placed.supersededSteps;
    return { accepted: true, ...placed, latencySteps };
  }

  /** The caller gave up on `request` (timeout, error); a chunk arriving for it later is discarded. */
  abandon(request: ChunkRequest): boolean {
    if (this.inFlight === null || this.inFlight.request.id !== request.id) return false;
    this.inFlight = null;
    this.counters.abandonedRequests++;
    return true;
  }

  /** The model changed: drop queued actions and the pending request; chunks of earlier epochs are discarded. */
  swapModel(): number {
    this.epochValue++;
    this.inFlight = null;
    this.queue.clear(this.executedSteps);
    this.smoother?.reset();
    return this.epochValue;
  }

  /** Starts a new episode: empty queue, no pending request, fresh statistics; earlier requests become stale. */
  reset(): void {
    this.sessionFirstId = this.nextRequestId;
    this.inFlight = null;
    this.executedSteps = 0;
    this.queue.clear(0);
    this.lastTickIndex = -Infinity;
    this.lastDeliveredObservation = -Infinity;
    this.lastChunkRows = 0;
    this.lastSourceId = -1;
    this.counters = freshCounters();
    this.discards = freshDiscards();
    this.recentBoundaries = [];
    this.smoother = null;
    this.lastAction = null;
  }

  /** A snapshot of the episode's counters. */
  stats(): ChunkSchedulerStats {
    return {
      ...this.counters,
      discardedChunks: { ...this.discards },
      recentBoundaryTicks: [...this.recentBoundaries],
      queuedSteps: this.queue.length,
      requestInFlight: this.inFlight !== null,
      epoch: this.epochValue,
    };
  }

  private wantsChunk(queueWasEmpty: boolean): boolean {
    const o = this.options;
    const left = this.queue.length;
    if (o.mode === 'sync') {
      // Without prefetch the request waits for a tick that found the queue empty, so its observation shows the
      // arm after the whole chunk ran and row 0 is executed first, as with openpi's ActionChunkBroker.
      return queueWasEmpty || (o.prefetchSteps > 0 && left <= o.prefetchSteps);
    }
    const chunkSize = Math.min(o.actionsPerChunk, this.lastChunkRows);
    if (chunkSize === 0) return left === 0;
    return left / chunkSize <= o.threshold;
  }

  private staleReason(request: ChunkRequest): DiscardReason | null {
    if (request.epoch !== this.epochValue) return 'other-epoch';
    if (request.id < this.sessionFirstId) return 'after-reset';
    if (this.inFlight !== null && this.inFlight.request.id === request.id) return null;
    if (request.observationIndex <= this.lastDeliveredObservation) return 'older-observation';
    return 'not-in-flight';
  }

  private discard(reason: DiscardReason): DeliveryResult {
    this.discards[reason]++;
    return { accepted: false, reason, message: `chunk discarded: ${DISCARD_MESSAGES[reason]}` };
  }

  /**
   * The k-th executed row of an incoming chunk under a cross-fade: (k+1)/(ticks+1) of the incoming row, the rest of
   * `outgoing`; the row itself otherwise (or with nothing to fade from).
   */
  private handOver(row: Float64Array, k: number, outgoing: Float64Array | null): Float64Array {
    const seam = this.optionsValue.seam;
    if (seam.remedy !== 'crossfade' || outgoing === null || k >= seam.ticks || outgoing.length !== row.length)
      return row;
    const w = (k + 1) / (seam.ticks + 1);
    const out = new Float64Array(row.length);
    for (let j = 0; j < row.length; j++) out[j] = w * row[j] + (1 - w) * outgoing[j];
    return out;
  }

  /** Sync: the next nActionSteps rows after the queued ones, aligned to the observation's step. */
  private appendSync(
    chunk: ActionChunk,
    flight: InFlight,
  ): Omit<Extract<DeliveryResult, { accepted: true }>, 'accepted' | 'latencySteps'> {
    const o = this.options as Extract<ResolvedChunkOptions, { mode: 'sync' }>;
    this.lastChunkRows = chunk.horizon;
    const firstRow = this.queue.endStep - flight.observationStep;
    const endRow = Math.min(chunk.horizon, firstRow + o.nActionSteps);
    const outgoing =
      this.queue.length > 0 ? Float64Array.from(this.queue.valuesAt(this.queue.length - 1)) : this.lastAction;
    for (let r = firstRow; r < endRow; r++) {
      const row = chunk.row(r);
      this.queue.push(this.handOver(row, r - firstRow, outgoing), flight.request.id, r, false, row);
    }
    return {
      droppedSteps: Math.min(firstRow, chunk.horizon),
      mergedSteps: 0,
      appendedSteps: Math.max(0, endRow - firstRow),
      supersededSteps: 0,
    };
  }

  /** Async: drop rows whose step has run, merge the overlap, and let the chunk replace the rest of the queue. */
  private mergeAsync(
    chunk: ActionChunk,
    flight: InFlight,
  ): Omit<Extract<DeliveryResult, { accepted: true }>, 'accepted' | 'latencySteps'> {
    const o = this.options as Extract<ResolvedChunkOptions, { mode: 'async' }>;
    const rows = Math.min(chunk.horizon, o.actionsPerChunk);
    this.lastChunkRows = rows;
    const firstRow = this.executedSteps - flight.observationStep;
    if (firstRow >= rows) {
      // Nothing of it lies in the future; keep the queue rather than starve on a chunk that says nothing new.
      return { droppedSteps: rows, mergedSteps: 0, appendedSteps: 0, supersededSteps: 0 };
    }
    const id = flight.request.id;
    const overlap = Math.min(this.queue.length, rows - firstRow);
    const seam = o.seam;
    const weight = newActionWeight(o.aggregate, o.alpha);
    for (let k = 0; k < overlap; k++) {
      const queued = this.queue.valuesAt(k);
      const row = chunk.row(firstRow + k);
      if (seam.remedy === 'crossfade') queued.set(this.handOver(row, k, queued));
      else if (seam.remedy === 'ensemble') {
        // Weights exp(−decay·i), i = 0 for the oldest prediction; `queued` is the mean of the first n.
        const n = this.queue.votesAt(k);
        let before = 0;
        for (let i = 0; i < n; i++) before += Math.exp(-seam.decay * i);
        aggregateInto(queued, row, Math.exp(-seam.decay * n) / (before + Math.exp(-seam.decay * n)));
      } else aggregateInto(queued, row, weight);
      this.queue.markMerged(k, id, firstRow + k, row);
    }
    const supersededSteps = this.queue.length - overlap;
    // Past the overlap a cross-fade goes on from the last outgoing action, held.
    const outgoing =
      overlap > 0
        ? Float64Array.from(this.queue.valuesAt(overlap - 1))
        : this.queue.length > 0
          ? Float64Array.from(this.queue.valuesAt(0))
          : this.lastAction;
    this.queue.truncate(overlap);
    for (let r = firstRow + overlap; r < rows; r++) {
      const row = chunk.row(r);
      this.queue.push(this.handOver(row, r - firstRow, outgoing), id, r, false, row);
    }
    return { droppedSteps: firstRow, mergedSteps: overlap, appendedSteps: rows - firstRow - overlap, supersededSteps };
  }
}
