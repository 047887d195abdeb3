// One episode's rows of data/*.parquet and its row of meta/episodes/*.parquet, as apache-arrow tables.
import * as arrow from 'apache-arrow';
import {
  dataFeatures,
  frameTimestamp,
  JOINT_NAMES,
  STAT_NAMES,
  vectorStats,
  videoKey,
  type DatasetShape,
  type EpisodeSpan,
  type FeatureStats,
  type FileLocation,
} from '../../core/lerobot';
import { SO100_MOTORS } from '../../core/so100';
import type { ExportEpisode } from './episodeSource';
import { fixedFloatList, float64List } from './parquetFiles';

export interface EpisodeColumns {
  /** Non-video feature → row-major values (vectors) or one value per frame. */
  readonly values: Record<string, Float32Array | Float64Array>;
  readonly length: number;
}

/** `action` is what the arm was sent after safety; a tick that wrote nothing keeps the last goal (the servos
 *  keep driving to it), or the measured position before any write. `action.policy` (when the shape has it) is the
 *  policy's raw row of the tick, before seam remedies, smoothing and safety; a starved tick repeats the policy's
 *  last row, or the measured position before its first. */
export function episodeColumns(
  ep: ExportEpisode,
  span: EpisodeSpan,
  taskIndex: number,
  fps: number,
  shape: DatasetShape,
): EpisodeColumns {
  const n = ep.steps.length;
  const w = JOINT_NAMES.length;
  const state = new Float32Array(n * w);
  const action = new Float32Array(n * w);
  const policy = shape.policyAction ? new Float32Array(n * w) : undefined;
  let goal: Float32Array | undefined;
  let row: Float32Array | undefined;
  ep.steps.forEach((s, i) => {
    SO100_MOTORS.forEach((m, j) => (state[i * w + j] = s.positions[m]));
    const measured = state.subarray(i * w, (i + 1) * w);
    if (s.sent) goal = Float32Array.from(SO100_MOTORS, (m) => s.sent![m]);
    action.set(goal ?? measured, i * w);
    if (s.raw) row = Float32Array.from(SO100_MOTORS, (m) => s.raw![m]);
    policy?.set(row ?? measured, i * w);
  });
  const values: Record<string, Float32Array | Float64Array> = { 'observation.state': state, action };
  if (policy) values['action.policy'] = policy;
  if (shape.evaluation) {
    const success = ep.evaluation?.success ?? false;
    const last = (v: boolean) => Float64Array.from({ length: n }, (_, i) => (i === n - 1 && v ? 1 : 0));
    values['next.reward'] = Float32Array.from(last(success));
    values['next.success'] = last(success);
    values['next.done'] = last(true);
  }
  values.timestamp = Float32Array.from({ length: n }, (_, i) => frameTimestamp(i, fps));
  values.frame_index = Float64Array.from({ length: n }, (_, i) => i);
  values.episode_index = new Float64Array(n).fill(span.episodeIndex);
  values.index = Float64Array.from({ length: n }, (_, i) => span.from + i);
  values.task_index = new Float64Array(n).fill(taskIndex);
  return { values, length: n };
}

export function dataTable(cols: EpisodeColumns, shape: DatasetShape): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const [name, f] of Object.entries(dataFeatures(shape))) {
    const v = cols.values[name];
    if (f.dtype === 'float32' && f.shape[0] > 1) {
      const width = f.shape[0];
      const child = arrow.makeData({ type: new arrow.Float32(), length: cols.length * width, data: v as Float32Array });
      vectors[name] = arrow.makeVector(
        arrow.makeData({ type: fixedFloatList(width), length: cols.length, nullCount: 0, child }),
      );
    } else if (f.dtype === 'float32') {
      vectors[name] = arrow.makeVector(Float32Array.from(v));
    } else if (f.dtype === 'int64') {
      vectors[name] = arrow.makeVector(BigInt64Array.from(v, (x) => BigInt(x)));
    } else {
      vectors[name] = arrow.vectorFromArray(
        Array.from(v, (x) => x !== 0),
        new arrow.Bool(),
      );
    }
  }
  return new arrow.Table(vectors);
}

export function columnStats(cols: EpisodeColumns, shape: DatasetShape): Record<string, FeatureStats> {
  const out: Record<string, FeatureStats> = {};
  for (const [name, f] of Object.entries(dataFeatures(shape))) out[name] = vectorStats(cols.values[name], f.shape[0]);
  return out;
}

export interface EpisodeRow {
  readonly span: EpisodeSpan;
  readonly task: string;
  readonly data: FileLocation;
  readonly videos: Record<string, { at: FileLocation; from: number; to: number }>;
  readonly stats: Record<string, FeatureStats>;
}

const int64 = (xs: number[]) => arrow.makeVector(BigInt64Array.from(xs, (x) => BigInt(x)));

/** meta/episodes rows: indices, tasks, video spans and per-feature stats (images shaped (3,1,1)). */
export function episodesTable(rows: readonly EpisodeRow[], shape: DatasetShape, meta: FileLocation): arrow.Table {
  const cols: Record<string, arrow.Vector> = {
    episode_index: int64(rows.map((r) => r.span.episodeIndex)),
    tasks: arrow.vectorFromArray(
      rows.map((r) => [r.task]),
      new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)),
    ),
    length: int64(rows.map((r) => r.span.length)),
    'data/chunk_index': int64(rows.map((r) => r.data.chunk)),
    'data/file_index': int64(rows.map((r) => r.data.file)),
    dataset_from_index: int64(rows.map((r) => r.span.from)),
    dataset_to_index: int64(rows.map((r) => r.span.to)),
  };
  for (const v of shape.videos) {
    const key = videoKey(v.camera);
    cols[`videos/${key}/chunk_index`] = int64(rows.map((r) => r.videos[key].at.chunk));
    cols[`videos/${key}/file_index`] = int64(rows.map((r) => r.videos[key].at.file));
    cols[`videos/${key}/from_timestamp`] = arrow.makeVector(Float64Array.from(rows, (r) => r.videos[key].from));
    cols[`videos/${key}/to_timestamp`] = arrow.makeVector(Float64Array.from(rows, (r) => r.videos[key].to));
  }
  cols['meta/episodes/chunk_index'] = int64(rows.map(() => meta.chunk));
  cols['meta/episodes/file_index'] = int64(rows.map(() => meta.file));
  const nested = new arrow.List(
    new arrow.Field('item', new arrow.List(new arrow.Field('item', float64List(), true)), true),
  );
  const countType = new arrow.List(new arrow.Field('item', new arrow.Int64(), true));
  const features = [...shape.videos.map((v) => videoKey(v.camera)), ...Object.keys(dataFeatures(shape))];
  for (const feature of features) {
    const image = feature.startsWith('observation.images.');
    for (const stat of STAT_NAMES) {
      const values = rows.map((r) => r.stats[feature][stat]);
      cols[`stats/${feature}/${stat}`] =
        stat === 'count'
          ? arrow.vectorFromArray(
              values.map((v) => v.map((x) => BigInt(x))),
              countType,
            )
          : image
            ? arrow.vectorFromArray(
                values.map((v) => v.map((x) => [[x]])),
                nested,
              )
            : arrow.vectorFromArray(values, float64List());
    }
  }
  return new arrow.Table(cols);
}

/** meta/tasks.parquet as pandas writes a frame indexed by `task`: a task_index column, the task strings as a
 *  column named `task`, and the pandas metadata naming `task` as the index, which LeRobot reads as `.name`. */
export function tasksTable(tasks: readonly string[]): { table: arrow.Table; metadata: Map<string, string> } {
  const table = new arrow.Table({
    task_index: int64(tasks.map((_, i) => i)),
    task: arrow.vectorFromArray([...tasks], new arrow.Utf8()),
  });
  const pandas = {
    index_columns: ['task'],
    column_indexes: [
      { name: null, field_name: null, pandas_type: 'unicode', numpy_type: 'object', metadata: { encoding: 'UTF-8' } },
    ],
    columns: [
      { name: 'task_index', field_name: 'task_index', pandas_type: 'int64', numpy_type: 'int64', metadata: null },
      { name: 'task', field_name: 'task', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'so100-policy-lab', version: '1' },
    pandas_version: '2.3.3',
  };
  return { table, metadata: new Map([['pandas', JSON.stringify(pandas)]]) };
}
