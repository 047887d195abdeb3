// `replay-<model>.jsonl` beside an episode record: the chunks a model predicted when the record's observations were
// replayed through it. Line 1 is the header, then one line per chunk. The file is written as `….partial` and renamed
// only when the replay finished, so a cancelled or failed replay never looks like a complete one.
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkDeviation } from '../../core/replay';

export const REPLAY_FORMAT = 1;

/** The file a replay of `model` writes in the episode folder (a model name is a config key: kept to safe chars). */
export function replayFileName(model: string): string {
  return `replay-${model.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`;
}

export interface ReplayHeader {
  readonly format: typeof REPLAY_FORMAT;
  readonly model: string;
  readonly protocol: string;
  readonly url: string;
  readonly converter: string;
  /** null: at the ticks where the episode asked for chunks. */
  readonly every: number | null;
  readonly startedAt: string;
}

export interface ReplayedChunk {
  /** The recorded tick whose observation was sent. */
  readonly tick: number;
  readonly horizon: number;
  /** Round trip of the request, ms. */
  readonly latencyMs: number;
  /** horizon rows of joint targets (motor order, the joints' units), after the converter's back-conversion. */
  readonly targets: readonly (readonly (number | null)[])[];
  /** Against the commands the arm received over the chunk's horizon. */
  readonly deviation: ChunkDeviation;
  /** Against the chunk the episode received for this same observation; absent at ticks it did not ask at. */
  readonly vsRecorded?: ChunkDeviation;
}

/** Appends chunks to `<dir>/replay-<model>.jsonl.partial`; `finish()` renames it into place. */
export class ReplayFileWriter {
  private constructor(
    private readonly handle: FileHandle,
    private readonly partial: string,
    readonly file: string,
  ) {}

  static async create(dir: string, header: ReplayHeader): Promise<ReplayFileWriter> {
    const file = join(dir, replayFileName(header.model));
    const partial = `${file}.partial`;
    const handle = await open(partial, 'w');
    const w = new ReplayFileWriter(handle, partial, file);
    await w.line(header);
    return w;
  }

  async append(chunk: ReplayedChunk): Promise<void> {
    await this.line(chunk);
  }

  /** Closes the file and gives it its final name (replacing an earlier replay of the same model). */
  async finish(): Promise<string> {
    await this.handle.sync();
    await this.handle.close();
    await rename(this.partial, this.file);
    return this.file;
  }

  /** Closes without renaming; the `.partial` file stays for a look (`discard` removes it). */
  async abandon(discard = false): Promise<void> {
    await this.handle.close().catch(() => undefined);
    if (discard) await rm(this.partial, { force: true });
  }

  get partialFile(): string {
    return this.partial;
  }

  private async line(value: unknown): Promise<void> {
    // JSON has no NaN: a non-finite target is written as null, as chunks.jsonl does.
    await this.handle.write(
      `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`,
    );
  }
}

/** A replay file that cannot be read; names the file and line. */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

export interface ReplayFile {
  readonly header: ReplayHeader;
  readonly chunks: readonly ReplayedChunk[];
}

/** Reads a finished replay file (a last line cut short is left out). */
export async function readReplayFile(file: string): Promise<ReplayFile> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.pop();
  const parse = (text: string, n: number): Record<string, unknown> => {
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch (err) {
      throw new ReplayFileError(`${file}:${n}: ${(err as Error).message}`);
    }
  };
  if (lines.length === 0) throw new ReplayFileError(`${file}: empty (no header line)`);
  const header = parse(lines[0], 1);
  if (header.format !== REPLAY_FORMAT)
    throw new ReplayFileError(
      `${file}:1: replay format ${String(header.format)}; this version reads format ${REPLAY_FORMAT}`,
    );
  const chunks = lines.slice(1).map((t, i) => {
    const c = parse(t, i + 2);
    if (typeof c.tick !== 'number' || typeof c.horizon !== 'number' || !Array.isArray(c.targets))
      throw new ReplayFileError(`${file}:${i + 2}: a chunk line needs tick, horizon and targets`);
    return c as unknown as ReplayedChunk;
  });
  return { header: header as unknown as ReplayHeader, chunks };
}
