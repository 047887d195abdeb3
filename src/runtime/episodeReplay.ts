// Offline replay: a recorded episode's observations (joint positions from steps.csv, frames from the record, the task
// from episode.json) go through the converter to a policy at the ticks where the episode asked for chunks (or every K
// ticks); each predicted chunk is saved beside the episode with its deviation from what the arm was actually sent.
// No arm is involved.
import { basename } from 'node:path';
import { toConverterOptions, type So100Config } from '../core/config';
import type { RgbFrame } from '../core/convert';
import { ConverterError, layoutByName } from '../core/convert';
import {
  chunkDeviation,
  chunkDifference,
  ExecutedTicks,
  replayCameraProblem,
  replayTicks,
  ReplayPlanError,
  type ChunkDeviation,
} from '../core/replay';
import type { RuntimeModelEndpoint } from '../core/rpc';
import { SO100_MOTORS, type MotorName, type PerMotor } from '../core/so100';
import type { PolicyClient } from '../io/policy/policyClient';
import {
  readAvailableEpisodeRecord,
  type AvailableEpisodeRecord,
  type RecordedStep,
} from '../io/recording/episodeReader';
import { EPISODE_FILES } from '../io/recording/episodeRecorder';
import { otherTickNote, readRecordedFrame, RecordedFrameReader } from '../io/recording/recordedFrames';
import { ReplayFileWriter } from '../io/recording/replayFile';
import { makeConverter, policyClient } from './sessionParts';

export { ReplayPlanError };

export interface ReplaySource {
  /** The episode folder (the one holding episode.json). */
  readonly dir: string;
  /** The workspace's config: its converter and request timeout are used (the record's own may be older). */
  readonly config: So100Config;
  /** Ask every K ticks instead of at the episode's own request ticks. */
  readonly every?: number;
  readonly ffmpegPath?: string;
  /** Said once each: files the record lacks, cameras without frames. */
  onNote?(message: string): void;
}

/** A replay that can run: the record read, the ticks to ask at, the cameras checked against the layout. */
export interface ReplayPlan {
  readonly source: ReplaySource;
  readonly record: AvailableEpisodeRecord;
  readonly ticks: readonly number[];
  /** Recorded cameras that have frames. */
  readonly cameras: readonly string[];
  readonly task: string;
}

export interface ReplayRun {
  readonly workspace: string;
  readonly model: string;
  readonly endpoint: RuntimeModelEndpoint;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** Said once each: frames taken from an earlier tick, the converter's warnings. */
  onNote?(message: string): void;
}

export interface ReplayOutcome {
  readonly file: string;
  readonly chunks: number;
  /** Per joint over all chunks: the mean of the chunks' mean deviations and the largest deviation, joint units. */
  readonly perJoint: PerMotor<{ readonly mean: number; readonly max: number } | null>;
}

/**
 * Reads and checks everything a replay needs before any server is started or contacted, so a record that cannot be
 * replayed is refused with its reason and nothing half-runs.
 */
export async function planReplay(source: ReplaySource): Promise<ReplayPlan> {
  const { dir, config } = source;
  const record = await readAvailableEpisodeRecord(dir);
  for (const required of [EPISODE_FILES.episode, EPISODE_FILES.steps])
    if (record.missing.includes(required))
      throw new ReplayPlanError(
        `${basename(dir)} has no ${required}${required === EPISODE_FILES.episode ? ': not an episode folder' : ': no joint positions to replay'}`,
      );
  for (const f of record.missing) source.onNote?.(`the record has no ${f}`);
  if (record.steps.length === 0) throw new ReplayPlanError(`${basename(dir)} recorded no steps; nothing to replay`);
  if (source.every === undefined && record.chunks.length === 0)
    throw new ReplayPlanError(
      `${basename(dir)} holds no chunk requests${record.missing.length ? ` (${record.missing.join(', ')} is missing)` : ''}; pass --every K to ask every K ticks`,
    );
  const ticks = replayTicks(
    record.steps.map((s) => s.tick),
    record.chunks.map((c) => c.observationTick),
    source.every,
  );
  const recorded = record.config as { cameras?: Record<string, unknown>; task?: unknown } | null;
  // Cameras whose frames the record holds (at the first tick asked), checked against what the layout needs.
  const cameras: string[] = [];
  for (const camera of Object.keys(recorded?.cameras ?? config.cameras)) {
    if (await readRecordedFrame(dir, camera, ticks[0], source.ffmpegPath)) cameras.push(camera);
    else source.onNote?.(`the record has no frames of camera ${camera}`);
  }
  const layout = layoutByName(config.converter.layout);
  const cameraProblem = replayCameraProblem(layout, cameras, toConverterOptions(config.converter));
  if (cameraProblem) throw new ReplayPlanError(`model "${config.activeModel}": ${cameraProblem}`);
  return { source, record, ticks, cameras, task: typeof recorded?.task === 'string' ? recorded.task : config.task };
}

/** Replays the plan through the model; the result file is complete only when this resolves. */
export async function replayEpisode(plan: ReplayPlan, req: ReplayRun): Promise<ReplayOutcome> {
  const { record, ticks, task } = plan;
  const { dir, config, ffmpegPath } = plan.source;
  const byTick = new Map<number, RecordedStep>(record.steps.map((s) => [s.tick, s]));
  const executed = new ExecutedTicks(record.steps);
  const converter = await makeConverter(config.converter, req.workspace);
  const client: PolicyClient = policyClient(req.model, req.endpoint, config.requestTimeoutMs);
  // The ticks rise, so each camera's video is decoded once, in order, across the whole replay.
  const frames = new RecordedFrameReader(dir, ffmpegPath);
  let writer: ReplayFileWriter | undefined;
  try {
    await client.connect(req.signal);
    await client.reset(req.signal);
    writer = await ReplayFileWriter.create(dir, {
      format: 1,
      model: req.model,
      protocol: req.endpoint.protocol,
      url: req.endpoint.url,
      converter: converter.name,
      every: plan.source.every ?? null,
      startedAt: new Date().toISOString(),
    });
    const noted = new Set<string>();
    const note = (m: string) => {
      if (noted.has(m)) return;
      noted.add(m);
      req.onNote?.(m);
    };
    const totals = SO100_MOTORS.map(() => ({ meanSum: 0, chunks: 0, max: 0 }));
    for (const [i, tick] of ticks.entries()) {
      req.signal?.throwIfAborted();
      const images: Record<string, RgbFrame> = {};
      for (const camera of plan.cameras) {
        const f = await frames.read(camera, tick, req.signal);
        if (!f) throw new ReplayPlanError(`the record has no frame of camera ${camera} at tick ${tick}`);
        for (const n of f.notes) note(n);
        // Once per camera and reason, except a tick before the camera's first frame (said with its ticks).
        if (f.tick !== tick) note(otherTickNote(camera, f, f.tick > tick ? tick : undefined)!);
        images[camera] = f.frame;
      }
      const step = byTick.get(tick)!;
      let converted;
      try {
        converted = converter.toPolicyAsync
          ? await converter.toPolicyAsync({ positions: step.positions, images, task })
          : converter.toPolicy({ positions: step.positions, images, task });
      } catch (err) {
        if (err instanceof ConverterError)
          throw new ReplayPlanError(
            `the converter ${converter.name} cannot build model "${req.model}"'s input from this record at tick ${tick}: ${err.message}`,
          );
        throw err;
      }
      for (const w of converted.warnings) note(w);
      const t0 = performance.now();
      const result = await client.infer(converted.input, { signal: req.signal });
      const latencyMs = performance.now() - t0;
      const back = converter.fromPolicy(result.actions);
      for (const w of back.warnings) note(w);
      const deviation: ChunkDeviation = chunkDeviation(
        executed.rowTicks(tick, back.horizon),
        back.targets,
        (t) => byTick.get(t)?.sent,
      );
      SO100_MOTORS.forEach((m: MotorName, j) => {
        const d = deviation.perJoint[m];
        if (!d) return;
        totals[j].meanSum += d.mean;
        totals[j].chunks++;
        totals[j].max = Math.max(totals[j].max, d.max);
      });
      const n = SO100_MOTORS.length;
      const targets = Array.from({ length: back.horizon }, (_, r) =>
        Array.from(back.targets.subarray(r * n, (r + 1) * n)),
      );
      const asked = record.chunks.find((c) => c.observationTick === tick && c.dims === SO100_MOTORS.length);
      const vsRecorded = asked && chunkDifference(back.horizon, back.targets, asked.actions);
      await writer.append({
        tick,
        horizon: back.horizon,
        latencyMs: Math.round(latencyMs * 1000) / 1000,
        targets,
        deviation,
        vsRecorded,
      });
      req.onProgress?.(i + 1, ticks.length);
    }
    const file = await writer.finish();
    writer = undefined;
    const perJoint = Object.fromEntries(
      SO100_MOTORS.map((m, j) => [
        m,
        totals[j].chunks === 0 ? null : { mean: totals[j].meanSum / totals[j].chunks, max: totals[j].max },
      ]),
    ) as ReplayOutcome['perJoint'];
    return { file, chunks: ticks.length, perJoint };
  } finally {
    await frames.close();
    await writer?.abandon();
    await client.close().catch(() => undefined);
    converter[Symbol.dispose]?.();
  }
}
