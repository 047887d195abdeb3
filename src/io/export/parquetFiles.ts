// Parquet through parquet-wasm (Rust's parquet writer compiled to WebAssembly: pure wasm, so a universal VSIX
// keeps working) from apache-arrow tables. One record batch per episode and a 1-byte row-group byte limit make
// the writer close a row group after every batch: one row group per episode, as LeRobot expects.
import { createWriteStream, openAsBlob } from 'node:fs';
import { Writable } from 'node:stream';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';

function writerProperties(metadata: ReadonlyMap<string, string>, dictionary: boolean): parquet.WriterProperties {
  return (
    new parquet.WriterPropertiesBuilder()
      .setCompression(parquet.Compression.SNAPPY)
      .setDictionaryEnabled(dictionary)
      .setMaxRowGroupBytes(1)
      // The Arrow schema's metadata travels inside ARROW:schema only; pandas reads its index from the file's own
      // key-value metadata, so it is set there too.
      .setKeyValueMetadata(new Map(metadata))
      .build()
  );
}

/** Guards the row-group rule against a library change: the footer read back with the same library. */
async function checkRowGroups(file: Blob, expected: number): Promise<void> {
  const f = await parquet.ParquetFile.fromFile(file);
  const groups = f.metadata().numRowGroups();
  f.free();
  if (groups !== expected) throw new Error(`the parquet writer made ${groups} row groups for ${expected} episodes`);
}

/**
 * A parquet file written one row group (one episode's table) at a time: each table crosses into wasm, is encoded
 * and flows to disk before the next is taken, so neither this process nor the wasm heap holds more than one
 * episode's rows. `close` writes the footer; `abort` stops without one (the caller removes the file).
 */
export class ParquetStreamWriter {
  private controller!: ReadableStreamDefaultController<parquet.RecordBatch>;
  private ready: Promise<void>;
  private wantMore: () => void = () => undefined;
  private readonly output: Promise<ReadableStream>;
  private piped?: Promise<void>;
  private groups = 0;

  constructor(readonly path: string) {
    this.ready = new Promise((r) => (this.wantMore = r));
    const input = new ReadableStream<parquet.RecordBatch>(
      {
        start: (c) => void (this.controller = c),
        // Called when the encoder has taken the previous batch: the next write may go.
        pull: () => this.wantMore(),
      },
      { highWaterMark: 1 },
    );
    // Resolves once the encoder has read the first batch (it needs the schema).
    this.output = parquet.transformParquetStream(input, writerProperties(new Map(), true));
    this.output.catch(() => undefined); // surfaced by write/close
  }

  async write(table: arrow.Table): Promise<void> {
    await this.ready;
    this.ready = new Promise((r) => (this.wantMore = r));
    const wasm = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
    const batches = wasm.recordBatches();
    wasm.free();
    if (batches.length !== 1) throw new Error('an episode table must be one record batch');
    this.controller.enqueue(batches[0]);
    this.groups++;
    if (!this.piped) {
      const bytes = await this.output;
      this.piped = bytes.pipeTo(Writable.toWeb(createWriteStream(this.path)) as WritableStream<Uint8Array>);
      this.piped.catch(() => undefined); // surfaced by write/close
    }
    await Promise.race([this.ready, this.piped]);
  }

  async close(): Promise<void> {
    if (!this.piped) throw new Error('a parquet file needs at least one row group');
    this.controller.close();
    await this.piped;
    await checkRowGroups(await openAsBlob(this.path), this.groups);
  }

  abort(): void {
    try {
      this.controller.error(new Error('export stopped'));
    } catch {
      // already closed or errored
    }
  }
}

/** Writes `batches` (each becomes one row group) as snappy parquet; `metadata` lands in the key-value metadata. */
export async function parquetBytes(
  batches: readonly arrow.Table[],
  metadata: ReadonlyMap<string, string> = new Map(),
): Promise<Uint8Array> {
  if (batches.length === 0) throw new Error('a parquet file needs at least one row group');
  const schema = new arrow.Schema(batches[0].schema.fields, new Map(metadata));
  const recordBatches = batches.map((t) => {
    if (t.batches.length !== 1) throw new Error('an episode table must be one record batch');
    return new arrow.RecordBatch(schema, t.batches[0].data);
  });
  const table = new arrow.Table(schema, recordBatches);
  const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  // No dictionaries: the episodes table has ~150 columns of one value per episode, and a dictionary encoder per
  // column grew the wasm heap (which never shrinks) by ~12 MB for 50 episodes, against ~1.4 MB without.
  const bytes = parquet.writeParquet(wasmTable, writerProperties(metadata, false));
  await checkRowGroups(new Blob([bytes]), batches.length);
  return bytes;
}

/** A small parquet file (meta/tasks.parquet) read back as an arrow table. */
export function readParquetTable(bytes: Uint8Array): arrow.Table {
  const table = parquet.readParquet(bytes);
  return arrow.tableFromIPC(table.intoIPCStream());
}

/** The arrow type of a joint vector: fixed_size_list<float32>[6], child field "item" as pyarrow names it. */
export function fixedFloatList(width: number): arrow.FixedSizeList<arrow.Float32> {
  return new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), true));
}

export function float64List(): arrow.List<arrow.Float64> {
  return new arrow.List(new arrow.Field('item', new arrow.Float64(), true));
}
