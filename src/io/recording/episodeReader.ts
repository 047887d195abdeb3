// Reads an episode record back (the folder EpisodeRecorder writes): the header and result, every step, chunk and
// timing row. Strict, so that a record cut short by a crash reads up to its last whole line and anything else
// that is wrong is named by file and line.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SO100_MOTORS, type PerMotor } from '../../core/so100';
import type { SeamRow } from '../../core/metrics/seams';
import { EPISODE_FILES, type EpisodeEventKind, type RecordedEvent } from './episodeRecorder';
import { STEPS_HEADER, STEPS_HEADER_BEFORE_RAW, type RecordedChunk } from './episodeRows';

export type { RecordedChunk };

/** A record that cannot be read; `file` and `line` (1-based, when known) say where. */
export class EpisodeRecordReadError extends Error {
  override readonly name = 'EpisodeRecordReadError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
  }
}

export interface RecordedStep {
  readonly tick: number;
  readonly timeMs: number;
  readonly positions: PerMotor<number>;
  /** Absent when nothing was written that tick (refused, starved, paused). */
  readonly sent?: PerMotor<number>;
  /** The policy's row before blending and smoothing; absent when starved. */
  readonly raw?: PerMotor<number>;
  readonly starved: boolean;
  readonly chunk?: number;
  readonly chunkBoundary: boolean;
  readonly note: string;
}

export interface EpisodeRecordResult {
  readonly success: boolean;
  readonly reason: string;
  readonly steps: number;
}

export interface EpisodeRecord {
  readonly dir: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** null while the episode runs, or when the process died before it ended. */
  readonly result: EpisodeRecordResult | null;
  readonly config: unknown;
  readonly model: unknown;
  readonly steps: readonly RecordedStep[];
  /** Whether steps.csv has the `<motor>.raw` columns (the policy's rows); records made before them do not. */
  readonly policyRows: boolean;
  readonly chunks: readonly RecordedChunk[];
  /** Stage durations per tick, in ms; stages that did not run that tick are left out. */
  readonly timing: readonly { readonly tick: number; readonly ms: Readonly<Record<string, number>> }[];
  /** events.jsonl (warnings, clamps, swaps, faults, reconnects); empty for records made before it existed. */
  readonly events: readonly RecordedEvent[];
}

/** Reads the record in `dir`. A last line without its newline (a write cut short) is left out, not an error. */
export async function readEpisodeRecord(dir: string): Promise<EpisodeRecord> {
  const header = await readEpisodeJson(dir);
  const { steps, policyRows } = parseSteps(await readLines(dir, EPISODE_FILES.steps));
  const chunks = parseChunks(await readLines(dir, EPISODE_FILES.chunks));
  const timing = parseTiming(await readLines(dir, EPISODE_FILES.timing));
  return { dir, ...header, steps, policyRows, chunks, timing, events: await readEvents(dir) };
}

const EVENT_KINDS: ReadonlySet<string> = new Set<EpisodeEventKind>(['warning', 'clamp', 'swap', 'fault', 'reconnect']);

/** events.jsonl, or none when the record has no such file (made before it existed); a bad line is named. */
async function readEvents(dir: string): Promise<RecordedEvent[]> {
  const file = EPISODE_FILES.events;
  const present = await access(join(dir, file)).then(
    () => true,
    () => false,
  );
  if (!present) return [];
  const { lines } = await readLines(dir, file);
  return lines
    .filter((l) => l.text !== '')
    .map(({ n, text }) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new EpisodeRecordReadError(file, n, `not JSON (${(err as Error).message})`);
      }
      if (
        typeof e.tick !== 'number' ||
        typeof e.kind !== 'string' ||
        !EVENT_KINDS.has(e.kind) ||
        typeof e.message !== 'string'
      )
        throw new EpisodeRecordReadError(file, n, 'an event needs a tick, a known kind and a message');
      return e as unknown as RecordedEvent;
    });
}

/** A record read as far as its files exist: `missing` names the files that do not (the rest is empty). */
export interface AvailableEpisodeRecord extends EpisodeRecord {
  readonly missing: readonly string[];
}

/** Like readEpisodeRecord, but a missing file leaves its part empty and is named in `missing`; a bad one throws. */
export async function readAvailableEpisodeRecord(dir: string): Promise<AvailableEpisodeRecord> {
  const missing: string[] = [];
  const part = async <T>(file: string, read: () => Promise<T>, empty: T): Promise<T> => {
    try {
      await access(join(dir, file));
    } catch {
      missing.push(file);
      return empty;
    }
    return read();
  };
  const header = await part(EPISODE_FILES.episode, () => readEpisodeJson(dir), {
    startedAt: '',
    endedAt: null,
    result: null,
    config: undefined,
    model: undefined,
  });
  const { steps, policyRows } = await part(
    EPISODE_FILES.steps,
    async () => parseSteps(await readLines(dir, EPISODE_FILES.steps)),
    { steps: [] as RecordedStep[], policyRows: false },
  );
  const chunks = await part(
    EPISODE_FILES.chunks,
    async () => parseChunks(await readLines(dir, EPISODE_FILES.chunks)),
    [],
  );
  const timing = await part(
    EPISODE_FILES.timing,
    async () => parseTiming(await readLines(dir, EPISODE_FILES.timing)),
    [],
  );
  // events.jsonl is optional (records made before it have none), so it is never named missing.
  return { dir, ...header, steps, policyRows, chunks, timing, events: await readEvents(dir), missing };
}

async function readText(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8');
  } catch (err) {
    throw new EpisodeRecordReadError(file, undefined, `cannot read it (${(err as Error).message})`);
  }
}

async function readEpisodeJson(
  dir: string,
): Promise<Pick<EpisodeRecord, 'startedAt' | 'endedAt' | 'result' | 'config' | 'model'>> {
  const file = EPISODE_FILES.episode;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(await readText(dir, file)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof EpisodeRecordReadError) throw err;
    throw new EpisodeRecordReadError(file, undefined, `not JSON (${(err as Error).message})`);
  }
  if (body === null || typeof body !== 'object' || !('format' in body))
    throw new EpisodeRecordReadError(file, undefined, 'not an episode record of format 1');
  if (body.format !== 1)
    throw new EpisodeRecordReadError(
      file,
      undefined,
      `the record is format ${JSON.stringify(body.format)}; this version of SO-100 Policy Lab reads format 1 — open it with the version that recorded it, or a newer one`,
    );
  if (typeof body.startedAt !== 'string') throw new EpisodeRecordReadError(file, undefined, 'startedAt is missing');
  const r = body.result as Record<string, unknown> | null;
  if (
    r !== null &&
    (typeof r !== 'object' ||
      typeof r.success !== 'boolean' ||
      typeof r.reason !== 'string' ||
      typeof r.steps !== 'number')
  ) {
    throw new EpisodeRecordReadError(file, undefined, 'result must be null or have success, reason and steps');
  }
  return {
    startedAt: body.startedAt,
    endedAt: typeof body.endedAt === 'string' ? body.endedAt : null,
    result: r && { success: r.success as boolean, reason: r.reason as string, steps: r.steps as number },
    config: body.config,
    model: body.model,
  };
}

/** Whole lines with their 1-based numbers; the first line must exist (the header). */
async function readLines(dir: string, file: string): Promise<{ file: string; lines: { n: number; text: string }[] }> {
  const text = await readText(dir, file);
  const parts = text.split('\n');
  parts.pop(); // after the last newline: empty, or a line whose write was cut short
  return { file, lines: parts.map((t, i) => ({ n: i + 1, text: t })) };
}

/** RFC 4180 cells of one line (the recorder never writes line breaks inside a cell). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        cell += line.slice(i, q);
        if (line[q + 1] === '"') {
          cell += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(cell);
    } else {
      const c = line.indexOf(',', i);
      cells.push(line.slice(i, c < 0 ? line.length : c));
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) return cells;
    if (line[i] !== ',') throw new Error(`expected a comma at column ${i + 1}`);
    i++;
  }
}

function csvNumberCell(cell: string): number {
  if (cell === 'nan') return Number.NaN;
  if (cell === 'inf') return Number.POSITIVE_INFINITY;
  if (cell === '-inf') return Number.NEGATIVE_INFINITY;
  const n = Number(cell);
  if (cell.trim() === '' || Number.isNaN(n)) throw new Error(`"${cell}" is not a number`);
  return n;
}

function parseSteps({ file, lines }: Awaited<ReturnType<typeof readLines>>): {
  steps: RecordedStep[];
  policyRows: boolean;
} {
  // Records made before the `<motor>.raw` columns existed have the same header without them; both read.
  const header = lines[0]?.text;
  const withRaw = header === STEPS_HEADER.trimEnd();
  if (!withRaw && header !== STEPS_HEADER_BEFORE_RAW)
    throw new EpisodeRecordReadError(file, 1, 'the header is not the steps.csv header');
  const motors = SO100_MOTORS.length;
  const cells = 6 + (withRaw ? 3 : 2) * motors;
  const steps = lines.slice(1).map(({ n, text }): RecordedStep => {
    try {
      const c = csvCells(text);
      if (c.length !== cells) throw new Error(`${c.length} cells, expected ${cells}`);
      const per = (from: number) =>
        Object.fromEntries(SO100_MOTORS.map((m, i) => [m, csvNumberCell(c[from + i])])) as PerMotor<number>;
      const empty = (from: number) => c.slice(from, from + motors).every((x) => x === '');
      const at = 2 + (withRaw ? 3 : 2) * motors;
      return {
        tick: csvNumberCell(c[0]),
        timeMs: csvNumberCell(c[1]),
        positions: per(2),
        sent: empty(2 + motors) ? undefined : per(2 + motors),
        raw: !withRaw || empty(2 + 2 * motors) ? undefined : per(2 + 2 * motors),
        starved: c[at] === '1',
        chunk: c[at + 1] === '' ? undefined : csvNumberCell(c[at + 1]),
        chunkBoundary: c[at + 2] === '1',
        note: c[at + 3],
      };
    } catch (err) {
      throw new EpisodeRecordReadError(file, n, (err as Error).message);
    }
  });
  return { steps, policyRows: withRaw };
}

function parseChunks({ file, lines }: Awaited<ReturnType<typeof readLines>>): RecordedChunk[] {
  return lines
    .filter((l) => l.text !== '')
    .map(({ n, text }) => {
      let c: Record<string, unknown>;
      try {
        c = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new EpisodeRecordReadError(file, n, `not JSON (${(err as Error).message})`);
      }
      const actions = c.actions;
      if (
        typeof c.chunk !== 'number' ||
        typeof c.horizon !== 'number' ||
        typeof c.dims !== 'number' ||
        !Array.isArray(actions) ||
        actions.length !== c.horizon ||
        actions.some((row) => !Array.isArray(row) || row.length !== c.dims)
      ) {
        throw new EpisodeRecordReadError(file, n, 'a chunk needs chunk, horizon, dims and horizon × dims actions');
      }
      return {
        chunk: c.chunk,
        requestId: typeof c.requestId === 'number' ? c.requestId : undefined,
        observationTick: Number(c.observationTick),
        requestedAtMs: Number(c.requestedAtMs),
        receivedAtMs: Number(c.receivedAtMs),
        horizon: c.horizon,
        dims: c.dims,
        actions: actions as (number | null)[][],
        accepted: c.accepted as boolean | undefined,
        discardReason: c.discardReason as string | undefined,
        latencyMs: Number(c.latencyMs),
      };
    });
}

function parseTiming({ file, lines }: Awaited<ReturnType<typeof readLines>>): EpisodeRecord['timing'] {
  if (lines.length === 0) throw new EpisodeRecordReadError(file, 1, 'the header is missing');
  const columns = csvCells(lines[0].text);
  if (columns[0] !== 'tick') throw new EpisodeRecordReadError(file, 1, 'the first column must be tick');
  const stages = columns.slice(1).map((c) => c.replace(/_ms$/, '').replace(/_/g, ' '));
  return lines.slice(1).map(({ n, text }) => {
    try {
      const c = csvCells(text);
      if (c.length !== columns.length) throw new Error(`${c.length} cells, expected ${columns.length}`);
      const ms: Record<string, number> = {};
      stages.forEach((s, i) => {
        if (c[i + 1] !== '') ms[s] = csvNumberCell(c[i + 1]);
      });
      return { tick: csvNumberCell(c[0]), ms };
    } catch (err) {
      throw new EpisodeRecordReadError(file, n, (err as Error).message);
    }
  });
}

/** A record's steps as seam-metric rows (core/metrics/seams.ts: measureSeams). */
export function seamRows(steps: readonly RecordedStep[]): SeamRow[] {
  const vec = (p: PerMotor<number> | undefined) => p && SO100_MOTORS.map((m) => p[m]);
  return steps.map((s) => ({
    tick: s.tick,
    sent: vec(s.sent),
    raw: vec(s.raw),
    chunkBoundary: s.chunkBoundary,
    starved: s.starved,
  }));
}
