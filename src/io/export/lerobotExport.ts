// Episode records → a LeRobotDataset v3.0 folder. Everything is written into a sibling folder and renamed into
// place at the end, so a failed or cancelled export (a full disk, a bad record, Ctrl-C) leaves either the old
// dataset or nothing, never a half-written one that looks valid. --append (and the evaluation's per-episode
// append) re-exports the dataset's recorded sources plus the new episodes the same way: indices stay consistent
// and every file is complete after each append.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  datasetInfo,
  dataFilePath,
  episodesFilePath,
  ImageStatsAccumulator,
  imageStatsForJson,
  nextEpisodeSpan,
  videoFilePath,
  videoKey,
  videoSeconds,
  type DatasetShape,
  type EpisodeSpan,
  type FeatureStats,
  type FileLocation,
  vectorStats,
  dataFeatures,
} from '../../core/lerobot';
import { loadExportEpisode, type ExportEpisode } from './episodeSource';
import { columnStats, dataTable, episodeColumns, episodesTable, tasksTable, type EpisodeRow } from './episodeTables';
import { DatasetExportError } from './exportErrors';
import { parquetBytes } from './parquetFiles';
import { CameraVideoEncoder, DATASET_VIDEO, ffmpegAvailable, writeEpisodeFrames } from './videoStreams';
import * as arrow from 'apache-arrow';

/** An episode to export; `evaluation` carries the campaign's verdict for evaluation rollouts. */
export interface EpisodeRef {
  readonly dir: string;
  readonly evaluation?: { readonly success: boolean };
}

export interface DatasetExportOptions {
  readonly out: string;
  readonly append?: boolean;
  /** Keep successful episodes only (the campaign's verdict, else the record's result). */
  readonly onlySuccess?: boolean;
  readonly repoId?: string;
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { readonly done: number; readonly total: number; readonly episode: string }) => void;
}

export interface DatasetExportSummary {
  readonly out: string;
  readonly episodes: number;
  readonly frames: number;
  readonly skipped: readonly { readonly dir: string; readonly why: string }[];
  readonly cameras: readonly string[];
  readonly bytes: number;
}

/** Our own note of what a dataset was made from (LeRobot ignores unknown files in meta/). */
export const SOURCES_FILE = 'meta/so100_sources.json';

export async function exportLeRobotDataset(
  refs: readonly EpisodeRef[],
  options: DatasetExportOptions,
): Promise<DatasetExportSummary> {
  const out = resolve(options.out);
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const ffprobe = options.ffprobePath ?? ffprobeBeside(ffmpeg);
  await recoverInterruptedSwap(out);
  const exists = await stat(out).catch(() => undefined);
  let all = [...refs];
  if (exists) {
    if (!options.append)
      throw new DatasetExportError(
        `${out} already exists; choose a new folder, or add --append to add the episodes to it`,
      );
    const previous = await readSources(out);
    const seen = new Set(previous.map((r) => resolve(r.dir)));
    all = [...previous, ...refs.filter((r) => !seen.has(resolve(r.dir)))];
  }
  if (all.length === 0) throw new DatasetExportError('no episodes to export');

  // ffmpeg first: without it no episode with frames can be read or written, and nothing must be started.
  if ((await Promise.all(all.map((r) => hasFrames(r.dir)))).some(Boolean) && !(await ffmpegAvailable(ffmpeg)))
    throw new DatasetExportError(
      `ffmpeg is needed to write the dataset's videos and was not found ("${ffmpeg}"); install it (e.g. sudo apt install ffmpeg) or set so100.ffmpegPath; nothing was written`,
    );
  const skipped: { dir: string; why: string }[] = [];
  const episodes: ExportEpisode[] = [];
  for (const ref of all) {
    const ep = await loadExportEpisode(ref.dir, ffprobe, ref.evaluation ?? (await recordVerdict(ref.dir)));
    if (options.onlySuccess && !ep.evaluation?.success) skipped.push({ dir: ref.dir, why: 'not a success' });
    else episodes.push({ ...ep, evaluation: ref.evaluation ?? ep.evaluation });
  }
  if (episodes.length === 0) throw new DatasetExportError('no episodes left to export (--only-success kept none)');
  const shape = checkShape(
    episodes,
    all.some((r) => r.evaluation !== undefined),
  );

  const work = `${out}.so100-partial-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const encoders: CameraVideoEncoder[] = [];
  try {
    const at: FileLocation = { chunk: 0, file: 0 };
    for (const c of episodes[0].cameras) {
      const path = join(work, videoFilePath(c.camera, at));
      await mkdir(dirname(path), { recursive: true });
      encoders.push(new CameraVideoEncoder(c.camera, c.width, c.height, shape.fps, path, ffmpeg));
    }
    const tasks: string[] = [];
    const rows: EpisodeRow[] = [];
    const tables: arrow.Table[] = [];
    const imageTotals = new Map(shape.videos.map((v) => [videoKey(v.camera), new ImageStatsAccumulator()]));
    const numeric: Record<string, number[]> = {};
    let span: EpisodeSpan | undefined;
    for (const [i, ep] of episodes.entries()) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: i, total: episodes.length, episode: ep.dir });
      span = nextEpisodeSpan(span, ep.steps.length);
      let taskIndex = tasks.indexOf(ep.task);
      if (taskIndex < 0) taskIndex = tasks.push(ep.task) - 1;
      const cols = episodeColumns(ep, span, taskIndex, shape.fps, shape);
      tables.push(dataTable(cols, shape));
      const stats: Record<string, FeatureStats> = columnStats(cols, shape);
      for (const [k, v] of Object.entries(cols.values)) (numeric[k] ??= []).push(...v);
      const videos: EpisodeRow['videos'] = {};
      for (const enc of encoders) {
        const source = ep.cameras.find((c) => c.camera === enc.camera)!;
        const acc = new ImageStatsAccumulator();
        const from = videoSeconds(enc.framesWritten, shape.fps);
        await writeEpisodeFrames(source, span.length, enc, acc, ffmpeg, options.signal);
        const key = videoKey(enc.camera);
        videos[key] = { at, from, to: videoSeconds(enc.framesWritten, shape.fps) };
        stats[key] = acc.stats();
        imageTotals.get(key)!.merge(acc);
      }
      rows.push({ span, task: ep.task, data: at, videos, stats });
    }
    for (const enc of encoders) await enc.finish();
    options.onProgress?.({ done: episodes.length, total: episodes.length, episode: '' });

    const put = async (rel: string, bytes: Uint8Array | string) => {
      await mkdir(dirname(join(work, rel)), { recursive: true });
      await writeFile(join(work, rel), bytes);
    };
    await put(dataFilePath(at), await parquetBytes(tables));
    await put(episodesFilePath(at), await parquetBytes([episodesTable(rows, shape, at)]));
    const t = tasksTable(tasks);
    await put('meta/tasks.parquet', await parquetBytes([t.table], t.metadata));
    const datasetStats: Record<string, unknown> = {};
    for (const [k, acc] of imageTotals) datasetStats[k] = imageStatsForJson(acc.stats());
    for (const [k, f] of Object.entries(dataFeatures(shape))) datasetStats[k] = vectorStats(numeric[k], f.shape[0]);
    await put('meta/stats.json', `${JSON.stringify(datasetStats, null, 2)}\n`);
    const frames = span!.to;
    const info = datasetInfo(shape, { episodes: episodes.length, frames, tasks: tasks.length });
    await put('meta/info.json', `${JSON.stringify(info, null, 4)}\n`);
    const sources = episodes.map((e) => ({ dir: resolve(e.dir), evaluation: e.evaluation }));
    await put(SOURCES_FILE, `${JSON.stringify({ repoId: options.repoId ?? null, episodes: sources }, null, 2)}\n`);
    options.signal?.throwIfAborted();
    await swapInto(work, out);
    return {
      out,
      episodes: episodes.length,
      frames,
      skipped,
      cameras: shape.videos.map((v) => v.camera),
      bytes: await folderBytes(out),
    };
  } catch (err) {
    for (const enc of encoders) enc.kill();
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    throw explain(err, out);
  }
}

function explain(err: unknown, out: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || /No space left/i.test((err as Error).message))
    return new DatasetExportError(
      `the disk is full where ${out} is being written; free some space and export again (nothing was left behind)`,
    );
  if ((err as Error).name === 'AbortError') return new DatasetExportError('export cancelled; nothing was written');
  return err as Error;
}

/** Fps, robot type and cameras must agree across episodes; the message names the episodes that differ. */
function checkShape(episodes: readonly ExportEpisode[], evaluation: boolean): DatasetShape {
  const first = episodes[0];
  for (const ep of episodes) {
    if (ep.fps !== first.fps)
      throw new DatasetExportError(
        `episodes of different fps cannot share a dataset: ${first.dir} runs at ${first.fps} fps, ${ep.dir} at ${ep.fps} fps`,
      );
    if (ep.robotType !== first.robotType)
      throw new DatasetExportError(
        `episodes of different robot types cannot share a dataset: ${first.dir} is ${first.robotType}, ${ep.dir} is ${ep.robotType}`,
      );
    const a = first.cameras.map((c) => `${c.camera} ${c.width}×${c.height}`).join(', ');
    const b = ep.cameras.map((c) => `${c.camera} ${c.width}×${c.height}`).join(', ');
    if (a !== b)
      throw new DatasetExportError(
        `episodes with different cameras cannot share a dataset: ${first.dir} has ${a || 'none'}, ${ep.dir} has ${b || 'none'}`,
      );
  }
  return {
    fps: first.fps,
    robotType: first.robotType,
    evaluation,
    policyAction: false,
    videos: first.cameras.map((c) => ({
      camera: c.camera,
      width: c.width + (c.width % 2),
      height: c.height + (c.height % 2),
      codec: DATASET_VIDEO.codec,
      pixFmt: DATASET_VIDEO.pixFmt,
      encoderInfo: DATASET_VIDEO.encoderInfo,
    })),
  };
}

async function recordVerdict(dir: string): Promise<{ success: boolean } | undefined> {
  try {
    const body = JSON.parse(await readFile(join(dir, 'episode.json'), 'utf8')) as { result?: { success?: unknown } };
    return typeof body.result?.success === 'boolean' ? { success: body.result.success } : undefined;
  } catch {
    return undefined;
  }
}

async function readSources(out: string): Promise<EpisodeRef[]> {
  try {
    const body = JSON.parse(await readFile(join(out, SOURCES_FILE), 'utf8')) as { episodes: EpisodeRef[] };
    for (const r of body.episodes)
      if (!(await stat(join(r.dir, 'episode.json')).catch(() => undefined)))
        throw new DatasetExportError(
          `${out} was made from ${r.dir}, which is gone; --append needs the dataset's episode records`,
        );
    return body.episodes;
  } catch (err) {
    if (err instanceof DatasetExportError) throw err;
    throw new DatasetExportError(
      `${out} is not a dataset this exporter made (no readable ${SOURCES_FILE}); --append cannot extend it`,
    );
  }
}

/** old → .so100-old, new → out, old removed. A crash in between is repaired by recoverInterruptedSwap. */
async function swapInto(work: string, out: string): Promise<void> {
  const old = `${out}.so100-old`;
  const had = await stat(out).catch(() => undefined);
  if (had) await rename(out, old);
  await rename(work, out);
  if (had) await rm(old, { recursive: true, force: true });
}

async function recoverInterruptedSwap(out: string): Promise<void> {
  const old = `${out}.so100-old`;
  if (!(await stat(old).catch(() => undefined))) return;
  if (await stat(out).catch(() => undefined)) await rm(old, { recursive: true, force: true });
  else await rename(old, out);
}

async function hasFrames(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes('frames') || names.some((n) => n.endsWith('.mp4'));
}

function ffprobeBeside(ffmpeg: string): string {
  return ffmpeg.replace(/ffmpeg(\.exe)?$/, (_m, exe: string | undefined) => `ffprobe${exe ?? ''}`);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}
