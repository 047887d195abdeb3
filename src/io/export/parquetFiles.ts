// Parquet through parquet-wasm (Rust's parquet writer compiled to WebAssembly: pure wasm, so a universal VSIX
// keeps working) from apache-arrow tables. One record batch per episode and a 1-byte row-group byte limit make
// the writer close a row group after every batch: one row group per episode, as LeRobot expects.
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';

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
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.SNAPPY)
    .setMaxRowGroupBytes(1)
    // The Arrow schema's metadata travels inside ARROW:schema only; pandas reads its index from the file's own
    // key-value metadata, so it is set there too.
    .setKeyValueMetadata(new Map(metadata))
    .build();
  const bytes = parquet.writeParquet(wasmTable, props);
  // Guard the row-group rule against a library change: read the footer back with the same library.
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  const groups = file.metadata().numRowGroups();
  file.free();
  if (groups !== batches.length)
    throw new Error(`the parquet writer made ${groups} row groups for ${batches.length} episodes`);
  return bytes;
}

/** The arrow type of a joint vector: fixed_size_list<float32>[6], child field "item" as pyarrow names it. */
export function fixedFloatList(width: number): arrow.FixedSizeList<arrow.Float32> {
  return new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), true));
}

export function float64List(): arrow.List<arrow.Float64> {
  return new arrow.List(new arrow.Field('item', new arrow.Float64(), true));
}
