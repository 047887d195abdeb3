// Building an episode from a connection: its recorder and camera-frame recorder (when the config records), and the
// loop wired to the connection's arm, cameras, converter, scene and the given policy client.
import { ChunkScheduler } from '../core/chunking';
import { toChunkSchedulerOptions } from '../core/config';
import { POLICY_PROTOCOLS } from '../core/protocols';
import type { Clock } from '../core/timing/clock';
import type { PolicyClient } from '../io/policy/policyClient';
import { CameraFrameRecorder, EpisodeRecorder } from '../io/recording';
import { EpisodeLoop, type ChunkReport, type TickReport } from './episodeLoop';
import type { Connection } from './sessionConnection';
import { sceneWorld } from './sessionParts';

/** An episode's loop and where it is recorded. */
export interface AssembledEpisode {
  readonly loop: EpisodeLoop;
  readonly recorder: EpisodeRecorder | undefined;
  readonly frames: CameraFrameRecorder | undefined;
}

export interface EpisodeSpec {
  readonly number: number;
  /** The active model's name (the recording's metadata) and its client. */
  readonly model: string | undefined;
  readonly client: PolicyClient;
  readonly startPaused?: boolean;
}

export interface EpisodeHooks {
  readonly clock: Clock;
  readonly warn: (message: string) => void;
  /** The episode begins (its recorder exists, its frames recorder not yet): per-episode state starts afresh. */
  readonly onBegin: () => void;
  /** Every tick, after its frames went to the recorder. */
  readonly onTick: (tick: TickReport) => void;
  readonly onChunk: (chunk: ChunkReport) => void;
}

/** Creates the recorders (as `conn.config.record` asks), starts the exchange's episode and builds the loop. */
export async function assembleEpisode(
  conn: Connection,
  spec: EpisodeSpec,
  hooks: EpisodeHooks,
): Promise<AssembledEpisode> {
  const { config } = conn;
  const { clock, warn } = hooks;
  const recorder =
    conn.recordDir === undefined
      ? undefined
      : await EpisodeRecorder.create(
          conn.recordDir,
          {
            config,
            model: spec.model,
          },
          { onWriteError: (e) => warn(e.message), originMs: clock.now() },
        );
  conn.exchange.beginEpisode(spec.number);
  hooks.onBegin();
  const frames =
    recorder && config.record.frames !== 'none'
      ? await CameraFrameRecorder.create(recorder.dir, conn.cameras.descriptors, {
          fps: config.fps,
          mode: config.record.frames,
          pngEvery: config.record.pngEvery,
          ffmpegPath: conn.ffmpegPath,
          // Under virtual time the loop waits for the encoders: tune them for speed, not for leaving it CPU.
          pace: clock.kind === 'virtual' ? 'throughput' : 'realtime',
          onError: (e) => warn(e.message),
        })
      : undefined;
  const loop = new EpisodeLoop(
    {
      robot: conn.arm.robot,
      client: spec.client,
      converter: conn.converter,
      world: conn.scene && sceneWorld(conn.scene, conn.arm),
      cameras: conn.cameras,
      // Where a reply's row 0 belongs is the protocol's (awesome-lerobot: the next action of the server's queue).
      scheduler: new ChunkScheduler(
        toChunkSchedulerOptions(config.chunking),
        POLICY_PROTOCOLS[spec.client.protocol].alignment,
      ),
    },
    {
      fps: config.fps,
      maxSteps: config.maxSteps,
      task: config.task,
      requestTimeoutMs: config.requestTimeoutMs,
      maxPolicyFailures: config.maxPolicyFailures,
      startPaused: spec.startPaused,
      recorder,
      exchange: conn.exchange,
      jointRanges: conn.jointRanges,
      clock,
      onTick: (t) => {
        frames?.record(t.index, t.images);
        // Virtual time outruns the real encoder: the clock waits until the next frame has room.
        if (frames && clock.kind === 'virtual') void clock.track(frames.room());
        hooks.onTick(t);
      },
      onChunk: hooks.onChunk,
      onWarning: warn,
    },
  );
  return { loop, recorder, frames };
}
