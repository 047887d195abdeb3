// The Converter Inspector on a recorded tick: the observation rebuilt from an episode record (joint positions from
// steps.csv, camera frames from the PNGs or the mp4s, the task from episode.json), then a converter run on it as
// "Run on last observation" does.
import { basename } from 'node:path';
import type { So100Config } from '../core/config';
import type { RgbFrame } from '../core/convert';
import type { InspectionReport } from '../core/convert/inspectionReport';
import { readEpisodeRecord } from '../io/recording/episodeReader';
import { otherTickNote, readRecordedFrame } from '../io/recording/recordedFrames';
import { runConverterOnExchange } from './converterRun';
import { LastExchange } from './lastExchange';

/** A tick the record does not hold. */
export class RecordedTickError extends Error {
  override readonly name = 'RecordedTickError';
}

export interface RecordedTickRequest {
  readonly workspace: string;
  /** The episode folder (the one holding episode.json). */
  readonly dir: string;
  readonly tick: number;
  /** The config whose converter runs (the workspace's current one, not the record's). */
  readonly config: So100Config;
  readonly module?: string;
  readonly ffmpegPath?: string;
}

export async function inspectRecordedTick(req: RecordedTickRequest): Promise<InspectionReport> {
  const record = await readEpisodeRecord(req.dir);
  const step = record.steps.find((s) => s.tick === req.tick);
  if (!step) {
    const last = record.steps.at(-1)?.tick;
    throw new RecordedTickError(
      `${basename(req.dir)} has no tick ${req.tick}; ${last === undefined ? 'it recorded no steps' : `its ticks are 0–${last}`}`,
    );
  }
  const recorded = record.config as { cameras?: Record<string, unknown>; task?: unknown } | null;
  const cameras = Object.keys(recorded?.cameras ?? req.config.cameras);
  const images: Record<string, RgbFrame> = {};
  const notes: string[] = [];
  for (const camera of cameras) {
    const f = await readRecordedFrame(req.dir, camera, req.tick, req.ffmpegPath);
    if (!f) notes.push(`the record has no frames of camera ${camera}`);
    else {
      images[camera] = f.frame;
      notes.push(...f.notes);
      const other = otherTickNote(camera, f, req.tick);
      if (other) notes.push(other);
    }
  }
  const exchange = new LastExchange();
  exchange.observe(req.tick, {
    positions: step.positions,
    images,
    task: typeof recorded?.task === 'string' ? recorded.task : req.config.task,
  });
  const report = await runConverterOnExchange({
    workspace: req.workspace,
    config: req.config,
    exchange,
    module: req.module,
  });
  return { ...report, recorded: { dir: req.dir, tick: req.tick }, notes: [...report.notes, ...notes] };
}
