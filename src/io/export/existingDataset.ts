// What an append needs from a dataset already on disk, read from its meta files only (never its data rows or
// videos): the shape its features fix, its totals, task list and stats, the next free file, and what it was made
// from. An append then writes new files beside the old ones and rewrites only meta/.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  nextFileLocation,
  statsFromJson,
  type DatasetShape,
  type FeatureStats,
  type FileLocation,
} from '../../core/lerobot';
import { DatasetExportError } from './exportErrors';
import { readParquetTable } from './parquetFiles';

/** Our own note of what a dataset was made from (LeRobot ignores unknown files in meta/). */
export const SOURCES_FILE = 'meta/so100_sources.json';

export interface SourceEntry {
  readonly dir: string;
  readonly evaluation?: { readonly success: boolean };
}

export interface ExistingDataset {
  readonly shape: DatasetShape;
  readonly episodes: number;
  readonly frames: number;
  readonly tasks: readonly string[];
  readonly stats: Record<string, FeatureStats>;
  /** Where the appended episodes' data, videos and episodes rows go: the file after the last one. */
  readonly next: FileLocation;
  readonly sources: readonly SourceEntry[];
  readonly repoId: string | null;
}

interface InfoView {
  fps?: unknown;
  robot_type?: unknown;
  total_episodes?: unknown;
  total_frames?: unknown;
  features?: Record<string, { dtype?: string; shape?: number[]; info?: Record<string, unknown> }>;
}

export async function readExistingDataset(out: string): Promise<ExistingDataset> {
  let sourcesBody: { repoId?: string | null; episodes: SourceEntry[] };
  let info: InfoView;
  try {
    sourcesBody = JSON.parse(await readFile(join(out, SOURCES_FILE), 'utf8')) as typeof sourcesBody;
    info = JSON.parse(await readFile(join(out, 'meta/info.json'), 'utf8')) as InfoView;
  } catch {
    throw new DatasetExportError(
      `${out} is not a dataset this exporter made (no readable ${SOURCES_FILE} and meta/info.json); --append cannot extend it`,
    );
  }
  const features = info.features ?? {};
  const videos = Object.entries(features)
    .filter(([, f]) => f.dtype === 'video')
    .map(([key, f]) => ({
      camera: key.slice('observation.images.'.length),
      height: Number(f.shape?.[0]),
      width: Number(f.shape?.[1]),
      codec: String(f.info?.['video.codec']),
      pixFmt: String(f.info?.['video.pix_fmt']),
      encoderInfo: Object.fromEntries(
        Object.entries(f.info ?? {})
          .filter(([k]) => ['video.g', 'video.crf', 'video.preset'].includes(k))
          .map(([k, v]) => [k.slice('video.'.length), v as string | number]),
      ),
    }));
  const shape: DatasetShape = {
    fps: Number(info.fps),
    robotType: String(info.robot_type),
    evaluation: 'next.success' in features,
    policyAction: 'action.policy' in features,
    videos,
  };
  const tasksTable = readParquetTable(await readFile(join(out, 'meta/tasks.parquet')));
  const tasks: string[] = [];
  const ids = tasksTable.getChild('task_index')!.toArray() as BigInt64Array;
  const names = tasksTable.getChild('task')!.toArray() as string[];
  ids.forEach((id, k) => (tasks[Number(id)] = names[k]));
  const statsJson = JSON.parse(await readFile(join(out, 'meta/stats.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const stats = Object.fromEntries(Object.entries(statsJson).map(([k, v]) => [k, statsFromJson(v)]));
  return {
    shape,
    episodes: Number(info.total_episodes),
    frames: Number(info.total_frames),
    tasks,
    stats,
    next: nextFileLocation(await lastDataFile(out)),
    sources: sourcesBody.episodes,
    repoId: sourcesBody.repoId ?? null,
  };
}

/** The highest data/chunk-NNN/file-NNN.parquet there is. */
async function lastDataFile(out: string): Promise<FileLocation> {
  let last: FileLocation = { chunk: 0, file: 0 };
  for (const chunk of await readdir(join(out, 'data')).catch(() => [] as string[])) {
    const c = /^chunk-(\d+)$/.exec(chunk);
    if (!c) continue;
    for (const file of await readdir(join(out, 'data', chunk))) {
      const f = /^file-(\d+)\.parquet$/.exec(file);
      if (!f) continue;
      const at = { chunk: Number(c[1]), file: Number(f[1]) };
      if (at.chunk > last.chunk || (at.chunk === last.chunk && at.file > last.file)) last = at;
    }
  }
  return last;
}
