// What the episode runner hands the recorder, and how each row becomes a line of text (done by the flusher,
// never on the control loop).
import type { MotorRecord } from '../../core/robots';
import { SO100_MOTORS, type MotorName } from '../../core/so100';
import { csvFlag, csvLine, csvNumber, csvText } from './csvCells';

/** One control tick of a robot with motors `M` (the recorder's columns are the SO-100's); a `TickReport` fits as is. */
export interface StepRow<M extends string = MotorName> {
  readonly index: number;
  /** performance.now() of the tick; stamped by the recorder when absent. */
  readonly atMs?: number;
  readonly positions: MotorRecord<M, number>;
  /** What was written to the servos; absent when the write was refused as unsafe. */
  readonly sent?: MotorRecord<M, number>;
  /** The policy's row for this tick before blending and smoothing (seam metrics); absent when starved. */
  readonly raw?: MotorRecord<M, number>;
  readonly starved: boolean;
  readonly chunkBoundary: boolean;
  /** Chunk the executed action came from; counted from the boundaries when absent. */
  readonly chunkIndex?: number;
  /** Free text for this tick (a warning, say). */
  readonly note?: string;
}

/** One predicted chunk, accepted or not, as the runner hands it over. Times are performance.now() readings. */
export interface ChunkRecord {
  /** The scheduler's request id (unique within the episode), when known. */
  readonly requestId?: number;
  readonly observationTick: number;
  readonly requestedAtMs: number;
  readonly receivedAtMs: number;
  readonly horizon: number;
  readonly dims: number;
  /** Row-major horizon × dims values (copied when recorded). */
  readonly values: ArrayLike<number>;
  readonly accepted?: boolean;
  /** Why the scheduler discarded it. */
  readonly discardReason?: string;
}

/** Stage durations of one tick, in milliseconds; stages that did not run are left out. */
export interface TimingRow {
  readonly tick: number;
  readonly ms: Readonly<Record<string, number>>;
}

/** The runner's stage names (episodeLoop.ts), in its order. */
export const TIMING_STAGES = [
  'read',
  'camera',
  'camera age',
  'convert',
  'encode',
  'network',
  'server infer',
  'decode',
  'policy total',
  'safety',
  'write',
  'tick',
] as const;

const POSITION_DECIMALS = 4;
const MS_DECIMALS = 3;

export const STEPS_HEADER = csvLine([
  'tick',
  'time_ms',
  ...SO100_MOTORS.map((m) => `${m}.pos`),
  ...SO100_MOTORS.map((m) => `${m}.sent`),
  ...SO100_MOTORS.map((m) => `${m}.raw`),
  'starved',
  'chunk',
  'chunk_boundary',
  'note',
]);

/** steps.csv as written before the `<motor>.raw` columns (the policy's targets before the seam remedy). */
export const STEPS_HEADER_BEFORE_RAW = STEPS_HEADER.trimEnd()
  .split(',')
  .filter((c) => !c.endsWith('.raw'))
  .join(',');

/** A step as stored: the chunk index and time resolved at record time. */
export interface StoredStep {
  readonly row: StepRow;
  readonly timeMs: number;
  readonly chunk: number;
}

export function stepLine({ row, timeMs, chunk }: StoredStep): string {
  const cells = [String(row.index), csvNumber(timeMs, MS_DECIMALS)];
  for (const m of SO100_MOTORS) cells.push(csvNumber(row.positions[m], POSITION_DECIMALS));
  for (const m of SO100_MOTORS) cells.push(csvNumber(row.sent?.[m], POSITION_DECIMALS));
  for (const m of SO100_MOTORS) cells.push(csvNumber(row.raw?.[m], POSITION_DECIMALS));
  cells.push(
    csvFlag(row.starved),
    chunk >= 0 ? String(chunk) : '',
    csvFlag(row.chunkBoundary),
    csvText(row.note ?? ''),
  );
  return csvLine(cells);
}

/** Column name of a stage: `server infer` → `server_infer_ms`. */
export function timingColumn(stage: string): string {
  return `${stage.replace(/\s+/g, '_')}_ms`;
}

export function timingHeader(stages: readonly string[]): string {
  return csvLine(['tick', ...stages.map((s) => csvText(timingColumn(s)))]);
}

export function timingLine(row: TimingRow, stages: readonly string[]): string {
  return csvLine([String(row.tick), ...stages.map((s) => csvNumber(row.ms[s], MS_DECIMALS))]);
}

/**
 * One line of chunks.jsonl (written by chunkLine, read back by episodeReader): a ChunkRecord's fields, its times in
 * ms since the episode started, its values as rows, its sequence number and latency added.
 */
export interface RecordedChunk extends Omit<ChunkRecord, 'values'> {
  readonly chunk: number;
  /** horizon rows of dims values; null where the policy sent a non-finite number. */
  readonly actions: readonly (readonly (number | null)[])[];
  readonly latencyMs: number;
}

/** A chunk as stored: its sequence number and times relative to the episode start. */
export interface StoredChunk {
  readonly chunk: number;
  readonly record: ChunkRecord;
  readonly values: Float64Array;
  readonly originMs: number;
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

export function chunkLine({ chunk, record: r, values, originMs }: StoredChunk): string {
  const actions: (number | null)[][] = [];
  for (let i = 0; i < r.horizon; i++) {
    // JSON has no NaN; null keeps the row length and says "not a number".
    actions.push(Array.from(values.subarray(i * r.dims, (i + 1) * r.dims), (v) => (Number.isFinite(v) ? v : null)));
  }
  // Typed as the reader's type, so writer and reader cannot disagree on a field; the key order is the file's.
  const line: RecordedChunk = {
    chunk,
    requestId: r.requestId,
    observationTick: r.observationTick,
    requestedAtMs: roundMs(r.requestedAtMs - originMs),
    receivedAtMs: roundMs(r.receivedAtMs - originMs),
    latencyMs: roundMs(r.receivedAtMs - r.requestedAtMs),
    accepted: r.accepted,
    discardReason: r.discardReason,
    horizon: r.horizon,
    dims: r.dims,
    actions,
  };
  return `${JSON.stringify(line)}\n`;
}
