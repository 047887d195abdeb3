// Episode records → a LeRobotDataset v3.0 folder, holding one episode at a time: its steps become one row group
// streamed into the data parquet, its frames stream through ffmpeg, and only its stats (merged as LeRobot merges
// them) and its episodes-table row are kept. A new dataset is written beside `out` and renamed into place; an
// append (--append, and the evaluation's per-episode append) writes the new episodes into new files (the next
// file index of data/, videos/ and meta/episodes/) and rewrites only the small meta files, reading nothing of
// the old episodes but meta/. Either way a failed or cancelled export (a full disk, a bad record, Ctrl-C) leaves
// the old dataset or nothing, never a half-written one that looks valid (see stagedWrites).
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  datasetInfo,
  dataFilePath,
  episodesFilePath,
  ImageStatsAccumulator,
  imageStatsForJson,
  mergeFeatureStats,
  videoFilePath,
  videoKey,
  videoSeconds,
  type DatasetShape,
  type EpisodeSpan,
  type FeatureStats,
  type FileLocation,
  dataFeatures,
  nextEpisodeSpan,
} from '../../core/lerobot';
import { readEpisodeRecord } from '../recording/episodeReader';
import { loadExportEpisode, type ExportEpisode } from './episodeSource';
import { columnStats, dataTable, episodeColumns, episodesTable, tasksTable, type EpisodeRow } from './episodeTables';
import { DatasetExportError } from './exportErrors';
import { readExistingDataset, SOURCES_FILE, type ExistingDataset, type SourceEntry } from './existingDataset';
import { parquetBytes, ParquetStreamWriter } from './parquetFiles';
import { moveInto, recoverInterruptedExport, swapInto, workFolder } from './stagedWrites';
import { CameraVideoEncoder, DATASET_VIDEO, ffmpegAvailable, writeEpisodeFrames } from './videoStreams';

export { SOURCES_FILE } from './existingDataset';

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
  /** Episodes and frames of the whole dataset (after an append: old and new). */
  readonly episodes: number;
  readonly frames: number;
  /** Episodes this call added. */
  readonly added: number;
  readonly skipped: readonly { readonly dir: string; readonly why: string }[];
  readonly cameras: readonly string[];
  readonly bytes: number;
  /** Why the dataset has no `action.policy` feature (some records predate the policy's raw rows); else undefined. */
  readonly noPolicyAction?: string;
  /** What reading the records noticed: an mp4 without its frame index, its frames read frame n = tick n. */
  readonly notes: readonly string[];
}

/** An episode checked and planned: everything but its steps, which are read again when it is written. */
type PlannedEpisode = Omit<ExportEpisode, 'steps'> & { readonly length: number };

export async function exportLeRobotDataset(
  refs: readonly EpisodeRef[],
  options: DatasetExportOptions,
): Promise<DatasetExportSummary> {
  const out = resolve(options.out);
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const ffprobe = options.ffprobePath ?? ffprobeBeside(ffmpeg);
  await recoverInterruptedExport(out);
  let existing: ExistingDataset | undefined;
  if (await stat(out).catch(() => undefined)) {
    if (!options.append)
      throw new DatasetExportError(
        `${out} already exists; choose a new folder, or add --append to add the episodes to it`,
      );
    existing = await readExistingDataset(out);
  }
  // An episode already in the dataset (or named twice) is not added again.
  const seen = new Set((existing?.sources ?? []).map((r) => resolve(r.dir)));
  const todo = refs.filter((r) => !seen.has(resolve(r.dir)) && seen.add(resolve(r.dir)));
  if (!existing && todo.length === 0) throw new DatasetExportError('no episodes to export');

  // ffmpeg first: without it no episode with frames can be read or written, and nothing must be started.
  if ((await Promise.all(todo.map((r) => hasFrames(r.dir)))).some(Boolean) && !(await ffmpegAvailable(ffmpeg)))
    throw new DatasetExportError(
      `ffmpeg is needed to write the dataset's videos and was not found ("${ffmpeg}"); install it (e.g. sudo apt install ffmpeg) or set so100.ffmpegPath; nothing was written`,
    );
  const skipped: { dir: string; why: string }[] = [];
  const planned: PlannedEpisode[] = [];
  for (const ref of todo) {
    if (options.signal?.aborted) throw explain(options.signal.reason, out);
    const { steps, ...ep } = await loadExportEpisode(
      ref.dir,
      ffprobe,
      ref.evaluation ?? (await recordVerdict(ref.dir)),
    );
    if (options.onlySuccess && !ep.evaluation?.success) skipped.push({ dir: ref.dir, why: 'not a success' });
    else planned.push({ ...ep, length: steps.length });
  }
  if (planned.length === 0) {
    if (existing) return summary(out, existing, 0, skipped, existing.shape);
    throw new DatasetExportError('no episodes left to export (--only-success kept none)');
  }
  const shape = existing
    ? checkAppendShape(existing.shape, planned, out)
    : checkShape(
        planned,
        refs.some((r) => r.evaluation !== undefined),
      );

  const work = workFolder(out);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const encoders: CameraVideoEncoder[] = [];
  let data: ParquetStreamWriter | undefined;
  try {
    const at: FileLocation = existing?.next ?? { chunk: 0, file: 0 };
    for (const c of planned[0].cameras) {
      const path = join(work, videoFilePath(c.camera, at));
      await mkdir(dirname(path), { recursive: true });
      encoders.push(new CameraVideoEncoder(c.camera, c.width, c.height, shape.fps, path, ffmpeg));
    }
    await mkdir(dirname(join(work, dataFilePath(at))), { recursive: true });
    data = new ParquetStreamWriter(join(work, dataFilePath(at)));
    const tasks = [...(existing?.tasks ?? [])];
    const rows: EpisodeRow[] = [];
    let span: EpisodeSpan | undefined = existing
      ? { episodeIndex: existing.episodes - 1, length: 0, from: existing.frames, to: existing.frames }
      : undefined;
    for (const [i, plan] of planned.entries()) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: i, total: planned.length, episode: plan.dir });
      const ep: ExportEpisode = { ...plan, steps: (await readEpisodeRecord(plan.dir)).steps };
      if (ep.steps.length !== plan.length)
        throw new DatasetExportError(`${plan.dir}: the record changed while it was being exported`);
      span = nextEpisodeSpan(span, ep.steps.length);
      let taskIndex = tasks.indexOf(ep.task);
      if (taskIndex < 0) taskIndex = tasks.push(ep.task) - 1;
      const cols = episodeColumns(ep, span, taskIndex, shape.fps, shape);
      await data.write(dataTable(cols, shape));
      const stats: Record<string, FeatureStats> = columnStats(cols, shape);
      const videos: EpisodeRow['videos'] = {};
      for (const enc of encoders) {
        const source = ep.cameras.find((c) => c.camera === enc.camera)!;
        const acc = new ImageStatsAccumulator();
        const from = videoSeconds(enc.framesWritten, shape.fps);
        await writeEpisodeFrames(source, span.length, enc, acc, ffmpeg, options.signal);
        const key = videoKey(enc.camera);
        videos[key] = { at, from, to: videoSeconds(enc.framesWritten, shape.fps) };
        stats[key] = acc.stats();
      }
      rows.push({ span, task: ep.task, data: at, videos, stats });
    }
    for (const enc of encoders) await enc.finish();
    await data.close();
    options.onProgress?.({ done: planned.length, total: planned.length, episode: '' });

    const written = [dataFilePath(at), ...encoders.map((e) => videoFilePath(e.camera, at))];
    const put = async (rel: string, bytes: Uint8Array | string) => {
      await mkdir(dirname(join(work, rel)), { recursive: true });
      await writeFile(join(work, rel), bytes);
      written.push(rel);
    };
    await put(episodesFilePath(at), await parquetBytes([episodesTable(rows, shape, at)]));
    const t = tasksTable(tasks);
    await put('meta/tasks.parquet', await parquetBytes([t.table], t.metadata));
    const datasetStats: Record<string, unknown> = {};
    const features = [...shape.videos.map((v) => videoKey(v.camera)), ...Object.keys(dataFeatures(shape))];
    for (const k of features) {
      const parts = [...(existing ? [existing.stats[k]] : []), ...rows.map((r) => r.stats[k])];
      const merged = mergeFeatureStats(parts);
      datasetStats[k] = k.startsWith('observation.images.') ? imageStatsForJson(merged) : merged;
    }
    await put('meta/stats.json', `${JSON.stringify(datasetStats, null, 2)}\n`);
    const sources: SourceEntry[] = [
      ...(existing?.sources ?? []),
      ...planned.map((e) => ({ dir: resolve(e.dir), evaluation: e.evaluation })),
    ];
    const repoId = options.repoId ?? existing?.repoId ?? null;
    await put(SOURCES_FILE, `${JSON.stringify({ repoId, episodes: sources }, null, 2)}\n`);
    const totals = { episodes: span!.episodeIndex + 1, frames: span!.to, tasks: tasks.length };
    await put('meta/info.json', `${JSON.stringify(datasetInfo(shape, totals), null, 4)}\n`);
    options.signal?.throwIfAborted();
    if (existing) await moveInto(work, out, written);
    else await swapInto(work, out);
    const noPolicy = planned.filter((e) => !e.policyRows).map((e) => e.dir);
    const notes = planned.flatMap((e) => e.notes);
    return summary(out, { episodes: totals.episodes, frames: totals.frames }, planned.length, skipped, shape, {
      noPolicy,
      notes,
    });
  } catch (err) {
    for (const enc of encoders) enc.kill();
    data?.abort();
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    throw explain(err, out);
  }
}

async function summary(
  out: string,
  totals: { readonly episodes: number; readonly frames: number },
  added: number,
  skipped: DatasetExportSummary['skipped'],
  shape: DatasetShape,
  { noPolicy = [], notes = [] }: { readonly noPolicy?: readonly string[]; readonly notes?: readonly string[] } = {},
): Promise<DatasetExportSummary> {
  return {
    out,
    episodes: totals.episodes,
    frames: totals.frames,
    added,
    skipped,
    cameras: shape.videos.map((v) => v.camera),
    bytes: await folderBytes(out),
    noPolicyAction: shape.policyAction
      ? undefined
      : noPolicy.length > 0
        ? `recorded before the policy's raw rows were kept: ${noPolicy.join(', ')}`
        : 'the dataset being appended to has none',
    notes,
  };
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
function checkShape(episodes: readonly PlannedEpisode[], evaluation: boolean): DatasetShape {
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
    // Every frame of a dataset has every feature: the policy's rows only when every episode kept them.
    policyAction: episodes.every((e) => e.policyRows),
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

/** Appended episodes must fit the features the dataset already has: same fps, robot type and cameras, and the
 *  policy's raw rows when the dataset has `action.policy`. */
function checkAppendShape(old: DatasetShape, episodes: readonly PlannedEpisode[], out: string): DatasetShape {
  const fresh = checkShape(episodes, old.evaluation);
  const ep = episodes[0].dir;
  if (fresh.fps !== old.fps)
    throw new DatasetExportError(
      `episodes of different fps cannot share a dataset: ${out} runs at ${old.fps} fps, ${ep} at ${fresh.fps} fps`,
    );
  if (fresh.robotType !== old.robotType)
    throw new DatasetExportError(
      `episodes of different robot types cannot share a dataset: ${out} is ${old.robotType}, ${ep} is ${fresh.robotType}`,
    );
  const cams = (s: DatasetShape) => s.videos.map((v) => `${v.camera} ${v.width}×${v.height}`).join(', ') || 'none';
  if (cams(fresh) !== cams(old))
    throw new DatasetExportError(
      `episodes with different cameras cannot share a dataset: ${out} has ${cams(old)}, ${ep} has ${cams(fresh)}`,
    );
  const lacking = episodes.filter((e) => !e.policyRows).map((e) => e.dir);
  if (old.policyAction && lacking.length > 0)
    throw new DatasetExportError(
      `${out} has an action.policy feature, but ${lacking.join(', ')} were recorded before the policy's raw rows were kept; export them to a new dataset`,
    );
  return { ...fresh, policyAction: old.policyAction, videos: old.videos };
}

async function recordVerdict(dir: string): Promise<{ success: boolean } | undefined> {
  try {
    const body = JSON.parse(await readFile(join(dir, 'episode.json'), 'utf8')) as { result?: { success?: unknown } };
    return typeof body.result?.success === 'boolean' ? { success: body.result.success } : undefined;
  } catch {
    return undefined;
  }
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
