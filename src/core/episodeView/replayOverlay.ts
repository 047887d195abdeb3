// Replayed chunks (`replay-<model>.jsonl`) placed on a recorded episode's ticks for the viewer: which replayed chunk
// covers a tick and which of its rows lands there. Rows follow executed steps as replay compares them
// (core/replay/replayPlan): row i of a chunk asked at tick t is the i-th non-starved tick from t on, so a starved
// tick inside a chunk's reach has no row.
// The replay files' own modules, not core/replay's index: that one pulls in the converter, which the page must not.
import type { ChunkDeviation } from '../replay/replayDeviation';
import { ExecutedTicks, rowAt, type StepExecution } from '../replay/rowAlignment';
import { FAN_CHUNKS } from './episodeTimeline';

/** A replayed chunk's deviation as the replay file holds it (mean / max per joint, joint units). */
export type ReplayDeviation = ChunkDeviation;

/** One recorded tick as the overlay needs it. */
export type OverlayStep = StepExecution;

/** One line of a replay file as the overlay reads it. */
export interface OverlayChunkInput {
  readonly tick: number;
  readonly horizon: number;
  /** horizon rows of joint targets (null: not a number). */
  readonly targets: readonly (readonly (number | null)[])[];
  readonly deviation?: ReplayDeviation;
  readonly vsRecorded?: ReplayDeviation;
}

/** A replayed chunk covering the cursor, its rows placed on the ticks they would have executed at. */
export interface ReplayedChunkAtTick {
  /** The recorded tick whose observation was replayed. */
  readonly tick: number;
  readonly horizon: number;
  /** The tick each row lands on (rows past the end of the record are left out). */
  readonly rowTicks: readonly number[];
  /** The rows, as many as rowTicks. */
  readonly targets: readonly (readonly (number | null)[])[];
  /** The row executed at the cursor's tick; undefined when that tick is starved. */
  readonly row?: number;
  readonly deviation?: ReplayDeviation;
  readonly vsRecorded?: ReplayDeviation;
}

/** One replay model's chunks at the cursor: those covering it, oldest first, the newest being the one in force. */
export interface ReplayAtTick {
  readonly model: string;
  readonly chunks: readonly ReplayedChunkAtTick[];
}

interface PlacedChunk {
  readonly input: OverlayChunkInput;
  readonly rowTicks: readonly number[];
}

export class ReplayOverlay {
  private readonly executed: ExecutedTicks;
  private readonly placed: readonly PlacedChunk[];

  /** `steps` in any order; chunks in any order (a malformed row counts as all nulls). */
  constructor(
    readonly model: string,
    steps: readonly OverlayStep[],
    chunks: readonly OverlayChunkInput[],
  ) {
    this.executed = new ExecutedTicks(steps);
    this.placed = [...chunks]
      .sort((a, b) => a.tick - b.tick)
      .map((input) => ({ input, rowTicks: this.rowTicks(input.tick, input.horizon) }));
  }

  get chunkCount(): number {
    return this.placed.length;
  }

  /** The ticks the rows of a chunk asked at `tick` land on (rowAlignment.ts). */
  rowTicks(tick: number, horizon: number): number[] {
    return this.executed.rowTicks(tick, horizon);
  }

  /** Chunks asked at or before `tick` whose rows reach it (starved ticks between rows included), newest last. */
  coveringAt(tick: number, most = FAN_CHUNKS): ReplayAtTick {
    const out: ReplayedChunkAtTick[] = [];
    for (const p of this.placed) {
      const { input, rowTicks } = p;
      if (input.tick > tick) break;
      const last = rowTicks.at(-1);
      if (last === undefined || last < tick) continue;
      const row = rowAt(rowTicks, tick);
      out.push({
        tick: input.tick,
        horizon: input.horizon,
        rowTicks,
        targets: rowTicks.map((_, i) => cleanRow(input.targets[i])),
        ...(row !== undefined ? { row } : {}),
        ...(input.deviation ? { deviation: input.deviation } : {}),
        ...(input.vsRecorded ? { vsRecorded: input.vsRecorded } : {}),
      });
    }
    return { model: this.model, chunks: out.slice(-most) };
  }
}

/** A row as numbers or nulls; anything else in a file becomes null rather than a broken plot. */
function cleanRow(row: unknown): (number | null)[] {
  if (!Array.isArray(row)) return [];
  return row.map((v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
}
