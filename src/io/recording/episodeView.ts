// An episode record opened for the Episode Viewer: the record as far as its files exist, its timeline (core
// model), its camera frames, its joints' units; a cursor move answers the cursor state and every camera's frame.
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { jointUnits } from '../../core/config/configMappers';
import {
  episodeLabel,
  EpisodeTimeline,
  type CursorState,
  type ReplayAtTick,
  type ReplayOverlay,
  type TimelineStep,
} from '../../core/episodeView';
import { SO100_MOTORS, type PerMotor } from '../../core/so100';
import { readAvailableEpisodeRecord, type AvailableEpisodeRecord } from './episodeReader';
import { EpisodeFrames, type EpisodeFrameResult } from './episodeFrames';
import { EPISODE_FILES } from './episodeRecorder';
import { readEpisodeReplays } from './episodeReplays';

/** The loop's rate assumed for a record whose episode.json does not say (the config default). */
const FALLBACK_FPS = 30;

/** A path that is not an episode record; the message says what was expected. */
export class EpisodeViewOpenError extends Error {
  override readonly name = 'EpisodeViewOpenError';
}

export interface EpisodeCursor {
  readonly cursor: CursorState;
  readonly frames: readonly EpisodeFrameResult[];
  /** Per replay model, the replayed chunks covering the cursor. */
  readonly replays: readonly ReplayAtTick[];
}

export class EpisodeView {
  private constructor(
    readonly dir: string,
    readonly record: AvailableEpisodeRecord,
    readonly timeline: EpisodeTimeline,
    readonly frames: EpisodeFrames,
    readonly fps: number,
    /** Each joint's unit, in SO100_MOTORS order (from the recorded robot.normMode). */
    readonly units: readonly string[],
    /** What is missing or assumed, one sentence each. */
    readonly notes: readonly string[],
    /** The finished replays beside the record (`replay-<model>.jsonl`). */
    readonly replays: readonly ReplayOverlay[],
  ) {}

  /** Opens an episode folder, or the folder of an `episode.json` given by path. */
  static async open(path: string, ffmpegPath = 'ffmpeg'): Promise<EpisodeView> {
    const info = await stat(path).catch(() => undefined);
    if (!info)
      throw new EpisodeViewOpenError(
        `${path} does not exist; give an episode folder (or its ${EPISODE_FILES.episode})`,
      );
    const dir = info.isDirectory() ? path : dirname(path);
    if (!info.isDirectory() && basename(path) !== EPISODE_FILES.episode)
      throw new EpisodeViewOpenError(
        `${path} is not an episode record; give its folder or its ${EPISODE_FILES.episode}`,
      );
    const record = await readAvailableEpisodeRecord(dir);
    // events.jsonl is optional (older records lack it), so it is neither required nor named missing.
    const required = Object.values(EPISODE_FILES).filter((f) => f !== EPISODE_FILES.events);
    if (required.every((f) => record.missing.includes(f)))
      throw new EpisodeViewOpenError(`${dir} holds none of an episode record's files (${required.join(', ')})`);
    const notes: string[] = [];
    if (record.missing.length > 0)
      notes.push(`missing from the record: ${record.missing.join(', ')} (shown: what the other files hold)`);
    if (record.steps.length > 0 && !record.policyRows)
      notes.push("recorded before steps.csv had the policy's rows (<motor>.raw): no policy line in the joint plots");
    const config = (record.config ?? {}) as { fps?: unknown; robot?: { normMode?: unknown } };
    let fps = FALLBACK_FPS;
    if (typeof config.fps === 'number' && config.fps > 0) fps = config.fps;
    else notes.push(`episode.json does not say the loop's rate; ${FALLBACK_FPS} fps assumed for the tick budget`);
    const normMode = config.robot?.normMode;
    let units: string[];
    if (normMode === 'degrees' || normMode === 'range_m100_100') {
      units = jointUnits(normMode);
    } else {
      units = SO100_MOTORS.map(() => '?');
      notes.push('episode.json does not say robot.normMode: joint units unknown');
    }
    const timeline = new EpisodeTimeline({
      steps: record.steps.map((s): TimelineStep => ({
        tick: s.tick,
        timeMs: s.timeMs,
        positions: vector(s.positions),
        ...(s.sent ? { sent: vector(s.sent) } : {}),
        ...(s.raw ? { raw: vector(s.raw) } : {}),
        starved: s.starved,
        ...(s.chunk !== undefined ? { chunk: s.chunk } : {}),
        chunkBoundary: s.chunkBoundary,
        note: s.note,
      })),
      chunks: record.chunks,
      timing: record.timing,
      fps,
      events: record.events,
    });
    const frames = await EpisodeFrames.open(dir, ffmpegPath);
    if (frames.cameraNames.length === 0) notes.push('no camera frames in the record (frames recorded: none?)');
    notes.push(...frames.notes);
    const replays = await readEpisodeReplays(dir, timeline.steps);
    notes.push(...replays.problems);
    return new EpisodeView(dir, record, timeline, frames, fps, units, notes, replays.overlays);
  }

  get name(): string {
    return basename(this.dir);
  }

  /** What the viewer calls this episode: its model and seed before its folder name (core's episodeLabel). */
  get label(): string {
    return episodeLabel({ name: this.name, model: this.record.model, config: this.record.config });
  }

  /** The cursor state, every camera's frame and the replayed chunks at `tick`. */
  async cursor(tick: number): Promise<EpisodeCursor> {
    const cursor = this.timeline.cursorAt(tick);
    return {
      cursor,
      frames: await this.frames.at(cursor.tick),
      replays: this.replays.map((r) => r.coveringAt(cursor.tick)),
    };
  }

  dispose(): void {
    this.frames.dispose();
  }
}

function vector(p: PerMotor<number>): number[] {
  return SO100_MOTORS.map((m) => p[m]);
}
