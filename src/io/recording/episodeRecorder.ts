// The episode record on disk (<workspace>/.so100/episodes/<timestamp>/), written off the control loop: the
// record* methods only push into bounded buffers; a background flusher appends batches with async fs. So a
// crash loses at most the last batch, a slow disk loses the oldest rows (counted), and the loop never waits.
import type { MotorName } from '../../core/so100';
import type { SeamReport } from '../../core/metrics/seams';
import { join } from 'node:path';
import { summarizeStages } from '../../core/timing/percentiles';
import type { StageSamples } from '../../core/timing/stageSamples';
import { createEpisodeFolder } from './episodeFolder';
import {
  chunkLine,
  STEPS_HEADER,
  stepLine,
  TIMING_STAGES,
  timingHeader,
  timingLine,
  type ChunkRecord,
  type StepRow,
  type StoredChunk,
  type StoredStep,
  type TimingRow,
} from './episodeRows';
import { createFsRecordWriter, type RecordFileWriter } from './recordFileWriter';
import { RecordRing } from './recordRing';
import { recordError, type EpisodeRecordError } from './recordingErrors';

export const EPISODE_FILES = {
  episode: 'episode.json',
  steps: 'steps.csv',
  chunks: 'chunks.jsonl',
  timing: 'timing.csv',
  /** What happened beside the ticks: warnings, clamps, swaps, faults, reconnects (one JSON object a line). */
  events: 'events.jsonl',
} as const;

/** Kinds of the events a record keeps beside its ticks (the Episode Viewer marks them on its timeline). */
export type EpisodeEventKind = 'warning' | 'clamp' | 'swap' | 'fault' | 'reconnect';

/**
 * What the episode loop writes to a record of a robot with motors `M`. EpisodeRecorder is the SO-100's (its
 * steps.csv columns are the six motors); a robot of other motors needs a recorder of its columns.
 */
export interface EpisodeRecordSink<M extends string = MotorName> {
  recordStep(row: StepRow<M>): void;
  recordChunk(record: ChunkRecord): void;
  recordEvent(kind: EpisodeEventKind, message: string, tick?: number): void;
  recordTiming(row: TimingRow): void;
}

/** One line of events.jsonl: the tick it happened at (or the last recorded before it) and what. */
export interface RecordedEvent {
  readonly tick: number;
  readonly kind: EpisodeEventKind;
  readonly message: string;
}

export interface EpisodeRecorderStart {
  /** Snapshot of the effective config (copied as JSON at start). */
  readonly config: unknown;
  /** The model / policy server in use (name, profile, address …). */
  readonly model: unknown;
  readonly startedAt?: Date;
}

export interface EpisodeRecorderOptions {
  /** Rows each buffer holds before the oldest give way (default 4096). */
  readonly bufferRows?: number;
  /** A buffer this full is flushed without waiting for the timer (default 256). */
  readonly batchRows?: number;
  readonly flushIntervalMs?: number;
  /** Columns of timing.csv (default: the runner's stages). */
  readonly stages?: readonly string[];
  /** performance.now() of the episode start; times in the files are relative to it (default: now). */
  readonly originMs?: number;
  readonly writer?: RecordFileWriter;
  /** Called once, on the first failed write; later rows are still tried. */
  readonly onWriteError?: (err: EpisodeRecordError) => void;
}

/** The end of an episode as the record stores it; the runner's EpisodeResult fits. */
export interface RecordedResult {
  readonly success: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly starvedTicks: number;
  readonly chunks?: number;
  readonly clampedTicks?: number;
  readonly lateTicks?: number;
  readonly seams?: SeamReport;
  readonly timing?: ReadonlyMap<string, readonly number[] | StageSamples>;
}

type Stream = 'steps' | 'chunks' | 'timing' | 'events';
const STREAMS: readonly Stream[] = ['steps', 'chunks', 'timing', 'events'];

export class EpisodeRecorder implements AsyncDisposable, EpisodeRecordSink {
  private readonly rings: {
    steps: RecordRing<StoredStep>;
    chunks: RecordRing<StoredChunk>;
    timing: RecordRing<TimingRow>;
    events: RecordRing<RecordedEvent>;
  };
  private readonly written: Record<Stream, number> = { steps: 0, chunks: 0, timing: 0, events: 0 };
  /** Rows handed to a write that failed. */
  private readonly lost: Record<Stream, number> = { steps: 0, chunks: 0, timing: 0, events: 0 };
  /** The last tick recorded: the tick an event belongs to. */
  private lastTick = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly batchRows: number;
  private readonly stages: readonly string[];
  private readonly originMs: number;
  private chunkCount = 0;
  private boundaries = 0;
  private active: Promise<void> | undefined;
  private again = false;
  private kickPending = false;
  private droppedInFile = 0;
  private closing: Promise<void> | undefined;
  private firstError: EpisodeRecordError | undefined;

  private constructor(
    /** The episode's folder. */
    readonly dir: string,
    private readonly header: Record<string, unknown>,
    private readonly writer: RecordFileWriter,
    private readonly options: EpisodeRecorderOptions,
  ) {
    const capacity = options.bufferRows ?? 4096;
    this.rings = {
      steps: new RecordRing(capacity),
      chunks: new RecordRing(capacity),
      timing: new RecordRing(capacity),
      events: new RecordRing(capacity),
    };
    this.batchRows = Math.max(1, Math.min(options.batchRows ?? 256, capacity));
    this.stages = options.stages ?? TIMING_STAGES;
    this.originMs = options.originMs ?? performance.now();
    // unref: a forgotten recorder must not keep the process alive.
    this.timer = setInterval(() => {
      if (this.pendingRows() > 0) void this.flush();
    }, options.flushIntervalMs ?? 250).unref();
  }

  /** Creates the episode folder under rootDir with headers and an episode.json whose result is null. */
  static async create(
    rootDir: string,
    start: EpisodeRecorderStart,
    options: EpisodeRecorderOptions = {},
  ): Promise<EpisodeRecorder> {
    const startedAt = start.startedAt ?? new Date();
    let dir: string;
    try {
      dir = await createEpisodeFolder(rootDir, startedAt);
    } catch (err) {
      throw recordError(rootDir, err);
    }
    const header = {
      format: 1,
      startedAt: startedAt.toISOString(),
      // Copy now: a config edited during the episode must not change what this one ran with.
      config: snapshot(start.config),
      model: snapshot(start.model),
    };
    const writer = options.writer ?? createFsRecordWriter();
    const recorder = new EpisodeRecorder(dir, header, writer, options);
    try {
      await writer.append(join(dir, EPISODE_FILES.steps), STEPS_HEADER);
      await writer.append(join(dir, EPISODE_FILES.timing), timingHeader(recorder.stages));
      await writer.append(join(dir, EPISODE_FILES.chunks), '');
      await writer.append(join(dir, EPISODE_FILES.events), '');
      await recorder.writeEpisodeJson(null, undefined);
    } catch (err) {
      clearInterval(recorder.timer);
      await writer.close().catch(() => {});
      throw recordError(dir, err);
    }
    return recorder;
  }

  /** Queues one tick; O(1), never touches the disk. */
  recordStep(row: StepRow): void {
    if (this.closing) return;
    if (row.chunkBoundary) this.boundaries++;
    this.lastTick = row.index;
    const timeMs = (row.atMs ?? performance.now()) - this.originMs;
    this.push(this.rings.steps, { row, timeMs, chunk: row.chunkIndex ?? this.boundaries - 1 });
  }

  /** Queues one predicted chunk (its values are copied: the caller may reuse the buffer). */
  recordChunk(record: ChunkRecord): void {
    if (this.closing) return;
    const values = Float64Array.from(record.values);
    this.push(this.rings.chunks, { chunk: this.chunkCount++, record, values, originMs: this.originMs });
  }

  /** Queues an event at `tick` (default: the last recorded tick); O(1), never touches the disk. */
  recordEvent(kind: EpisodeEventKind, message: string, tick = this.lastTick): void {
    if (this.closing) return;
    this.push(this.rings.events, { tick, kind, message });
  }

  /** Queues the stage durations of one tick. */
  recordTiming(row: TimingRow): void {
    if (this.closing) return;
    this.push(this.rings.timing, row);
  }

  /** Rows pushed out of full buffers so far, per file. */
  get droppedRows(): Readonly<Record<Stream, number>> {
    return {
      steps: this.rings.steps.dropped,
      chunks: this.rings.chunks.dropped,
      timing: this.rings.timing.dropped,
      events: this.rings.events.dropped,
    };
  }

  /** Writes the remaining rows and the final episode.json; resolves when everything is on disk. */
  finish(result: RecordedResult): Promise<void> {
    this.closing ??= this.close(result);
    return this.closing;
  }

  /** Ends the record as a failure (a crash, a stop before the runner returned a result). */
  abort(reason: string, steps = this.written.steps + this.rings.steps.size, starvedTicks?: number): Promise<void> {
    return this.finish({ success: false, reason, steps, starvedTicks: starvedTicks ?? NaN });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort('the recorder was disposed before the episode finished');
  }

  /** Writes what is buffered now; concurrent calls share one write loop. */
  flush(): Promise<void> {
    if (this.active) {
      this.again = true;
      return this.active;
    }
    this.active = (async () => {
      do {
        this.again = false;
        // Never reject: the timer and setImmediate callers do not wait, and a stray rejection would end the process.
        await this.writeBatches().catch((err: unknown) => this.report(err));
      } while (this.again);
    })().finally(() => {
      this.active = undefined;
    });
    return this.active;
  }

  private push<T>(ring: RecordRing<T>, item: T): void {
    ring.push(item);
    if (ring.size >= this.batchRows && !this.kickPending) {
      // Start the write after this tick's work, never inside it.
      this.kickPending = true;
      setImmediate(() => {
        this.kickPending = false;
        void this.flush();
      });
    }
  }

  private pendingRows(): number {
    return this.rings.steps.size + this.rings.chunks.size + this.rings.timing.size + this.rings.events.size;
  }

  private async writeBatches(): Promise<void> {
    const steps = this.rings.steps.drain();
    const chunks = this.rings.chunks.drain();
    const timing = this.rings.timing.drain();
    const events = this.rings.events.drain();
    await this.appendRows('steps', steps.map(stepLine));
    await this.appendRows('chunks', chunks.map(chunkLine));
    await this.appendRows(
      'timing',
      timing.map((r) => timingLine(r, this.stages)),
    );
    await this.appendRows(
      'events',
      events.map((e) => `${JSON.stringify(e)}\n`),
    );
    const dropped = this.totalDropped();
    // An interrupted episode still tells how many rows its files are missing.
    if (dropped !== this.droppedInFile && !this.closing)
      await this.writeEpisodeJson(null, undefined).catch((e) => this.report(e));
  }

  private async appendRows(stream: Stream, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const path = join(this.dir, EPISODE_FILES[stream]);
    try {
      await this.writer.append(path, lines.join(''));
      this.written[stream] += lines.length;
    } catch (err) {
      this.lost[stream] += lines.length;
      this.report(recordError(path, err));
    }
  }

  private report(err: unknown): void {
    if (this.firstError) return;
    this.firstError = recordError(this.dir, err);
    this.options.onWriteError?.(this.firstError);
  }

  private totalDropped(): number {
    return STREAMS.reduce((n, s) => n + this.rings[s].dropped + this.lost[s], 0);
  }

  private async close(result: RecordedResult): Promise<void> {
    clearInterval(this.timer);
    try {
      while (this.active || this.pendingRows() > 0) await this.flush();
      await this.writeEpisodeJson(result, new Date());
    } finally {
      await this.writer.close();
    }
  }

  private async writeEpisodeJson(result: RecordedResult | null, endedAt: Date | undefined): Promise<void> {
    this.droppedInFile = this.totalDropped();
    const recording = {
      rows: { ...this.written },
      droppedRows: this.droppedRows,
      failedWriteRows: { ...this.lost },
      timeUnit: 'ms since the episode start',
    };
    const body = {
      ...this.header,
      endedAt: endedAt?.toISOString() ?? null,
      result: result && {
        success: result.success,
        reason: result.reason,
        steps: result.steps,
        starvedTicks: finiteOrNull(result.starvedTicks),
        chunks: result.chunks,
        clampedTicks: result.clampedTicks,
        lateTicks: result.lateTicks,
        seams: result.seams && seamsJson(result.seams),
        timing:
          result.timing &&
          summarizeStages(result.timing).map((s) => ({
            stage: s.stage,
            count: s.count,
            p50: finiteOrNull(s.p50),
            p95: finiteOrNull(s.p95),
            p99: finiteOrNull(s.p99),
            max: finiteOrNull(s.max),
          })),
      },
      recording,
    };
    await this.writer.replace(join(this.dir, EPISODE_FILES.episode), `${JSON.stringify(body, null, 2)}\n`);
  }
}

/** The seam report with NaN (nothing measured) as null, as JSON has no NaN. */
export function seamsJson(r: SeamReport): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function snapshot(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}
