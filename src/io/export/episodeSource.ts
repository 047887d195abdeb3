// An episode record as the exporter sees it: its steps, fps, robot type, task, cameras and, for evaluation
// rollouts, the campaign's verdict. Only metadata, steps and frame indexes are read here; frames stream later, one
// at a time.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SO100_ROBOT_TYPE } from '../../core/lerobot';
import { readEpisodeRecord, type RecordedStep } from '../recording/episodeReader';
import { readFrameIndex } from '../recording/frameIndex';
import { pngFramesDir, videoFileName } from '../recording/frameRecorder';
import { decodePngFrame } from '../recording/pngFrameReader';
import { DatasetExportError } from './exportErrors';

export type CameraSource =
  | {
      readonly camera: string;
      readonly kind: 'mp4';
      readonly file: string;
      readonly width: number;
      readonly height: number;
      readonly frames: number;
      /** Frame → tick from the frame index; undefined for a record made before it (read frame n = tick n). */
      readonly frameTicks: readonly number[] | undefined;
    }
  | {
      readonly camera: string;
      readonly kind: 'png';
      readonly dir: string;
      readonly width: number;
      readonly height: number;
      readonly ticks: readonly number[];
    };

export interface ExportEpisode {
  readonly dir: string;
  readonly fps: number;
  readonly robotType: string;
  readonly task: string;
  readonly steps: readonly RecordedStep[];
  /** The record keeps the policy's raw rows (`<motor>.raw` in steps.csv); older records do not. */
  readonly policyRows: boolean;
  readonly cameras: readonly CameraSource[];
  /** Set for evaluation rollouts: the campaign's verdict on this episode. */
  readonly evaluation?: { readonly success: boolean };
  /** What reading the record noticed (an mp4 without its frame index), each naming the episode folder. */
  readonly notes: readonly string[];
}

interface EpisodeConfigView {
  fps?: unknown;
  task?: unknown;
  robot?: { type?: unknown };
  record?: { pngEvery?: unknown };
}

export async function loadExportEpisode(
  dir: string,
  ffprobePath: string,
  evaluation?: { success: boolean },
): Promise<ExportEpisode> {
  let record;
  try {
    record = await readEpisodeRecord(dir);
  } catch (err) {
    throw new DatasetExportError(`${dir}: not a readable episode record (${(err as Error).message})`);
  }
  const config = (record.config ?? {}) as EpisodeConfigView;
  const fps = Number(config.fps);
  if (!Number.isInteger(fps) || fps <= 0) throw new DatasetExportError(`${dir}: episode.json has no whole-number fps`);
  if (record.steps.length === 0) throw new DatasetExportError(`${dir}: the record has no steps`);
  const robotType = typeof config.robot?.type === 'string' ? config.robot.type : SO100_ROBOT_TYPE;
  const task = typeof config.task === 'string' && config.task !== '' ? config.task : 'unspecified task';
  const pngEvery = Number(config.record?.pngEvery);
  const notes: string[] = [];
  const cameras = await findCameras(
    dir,
    record.steps.length,
    ffprobePath,
    Number.isInteger(pngEvery) && pngEvery > 0 ? pngEvery : undefined,
    notes,
  );
  return {
    dir,
    fps,
    robotType,
    task,
    steps: record.steps,
    policyRows: record.policyRows,
    cameras,
    evaluation,
    notes: notes.map((n) => `${dir}: ${n}`),
  };
}

async function findCameras(
  dir: string,
  length: number,
  ffprobePath: string,
  pngEvery: number | undefined,
  notes: string[],
): Promise<CameraSource[]> {
  const names = new Set<string>();
  for (const f of await readdir(dir)) if (f.endsWith('.mp4')) names.add(f.slice(0, -4));
  for (const f of await readdir(join(dir, 'frames')).catch(() => [] as string[])) names.add(f);
  const out: CameraSource[] = [];
  for (const camera of [...names].sort()) {
    const video = join(dir, videoFileName(camera));
    if (await stat(video).catch(() => undefined)) {
      const probe = await probeVideo(video, ffprobePath);
      if (probe.frames === 0)
        throw new DatasetExportError(`${video}: the video holds no frames (a record missing frames)`);
      out.push({ camera, kind: 'mp4', file: video, ...probe, frameTicks: await readFrameIndex(dir, camera, notes) });
      continue;
    }
    const pngDir = join(dir, pngFramesDir(camera));
    const ticks = (await readdir(pngDir))
      .map((n) => /^(\d+)\.png$/.exec(n))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    checkPngTicks(pngDir, ticks, length, pngEvery);
    const first = await decodePngFrame(await readFile(join(pngDir, pngName(ticks[0]))), pngDir);
    out.push({ camera, kind: 'png', dir: pngDir, width: first.width, height: first.height, ticks });
  }
  return out;
}

export function pngName(tick: number): string {
  return `${String(tick).padStart(6, '0')}.png`;
}

/** PNGs are kept every Nth tick from tick 0; a hole in that pattern is a record missing frames. */
function checkPngTicks(pngDir: string, ticks: readonly number[], length: number, pngEvery: number | undefined): void {
  if (ticks.length === 0) throw new DatasetExportError(`${pngDir}: no frames (a record missing frames)`);
  if (ticks[0] !== 0) throw new DatasetExportError(`${pngDir}: the frame of tick 0 is missing`);
  const every = pngEvery ?? (ticks.length > 1 ? ticks[1] - ticks[0] : Math.max(1, length));
  for (let t = 0, i = 0; t < length; t += every, i++) {
    if (ticks[i] !== t)
      throw new DatasetExportError(
        `${pngDir}: the frame of tick ${t} is missing (frames are kept every ${every} ticks)`,
      );
  }
}

function probeVideo(file: string, ffprobePath: string): Promise<{ width: number; height: number; frames: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffprobePath,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-count_packets',
        '-show_entries',
        'stream=width,height,nb_read_packets',
        '-of',
        'json',
        file,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (e) =>
      reject(new DatasetExportError(`cannot run ${ffprobePath} (${e.message}); install ffmpeg`)),
    );
    child.on('close', (code) => {
      const s = code === 0 ? (JSON.parse(out) as { streams?: Record<string, unknown>[] }).streams?.[0] : undefined;
      if (!s)
        return reject(
          new DatasetExportError(`${file}: not a readable video (${err.trim() || `ffprobe exit ${code}`})`),
        );
      resolve({ width: Number(s.width), height: Number(s.height), frames: Number(s.nb_read_packets) });
    });
  });
}
