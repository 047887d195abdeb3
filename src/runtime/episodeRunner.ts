// One episode, tick by tick (DESIGN §3): read joints → cameras → converter → chunk scheduler (requests run in
// the background, never blocking the tick) → safety → one SYNC_WRITE; every stage timed.
import { ActionChunk } from '../core/chunking/actionChunk';
import type { ChunkRequest, ChunkScheduler } from '../core/chunking';
import type { Converter, RgbFrame } from '../core/convert';
import { SO100_MOTORS, fromMotorVector, toMotorVector, type PerMotor } from '../core/so100';
import type { PolicyClient } from '../io/policy/policyClient';
import type { EpisodeRecorder } from '../io/recording';
import type { So100Robot } from '../io/robot/so100Robot';
import { UnsafeActionError } from '../io/robot/robotErrors';

/** Something that judges the episode (the simulator's cube task); real arms have none. */
export interface EpisodeWorld {
  step(joints: ArrayLike<number>, dtMs: number): void;
  readonly succeeded: boolean;
  readonly reason: string;
}

export interface EpisodeParts {
  readonly robot: So100Robot;
  /** Newest frame of every camera for these joints; must not wait. */
  readonly cameras: { capture(joints: ArrayLike<number>): Readonly<Record<string, RgbFrame>> };
  readonly client: PolicyClient;
  readonly converter: Converter;
  readonly scheduler: ChunkScheduler;
  readonly world?: EpisodeWorld;
}

export interface EpisodeSettings {
  readonly fps: number;
  readonly maxSteps: number;
  readonly task: string;
  readonly requestTimeoutMs?: number;
  /** Policy failures in a row that end the episode (a dead server). */
  readonly maxPolicyFailures?: number;
  readonly signal?: AbortSignal;
  readonly onTick?: (tick: TickReport) => void;
  readonly onWarning?: (message: string) => void;
  /** Where steps, chunks and timing go on disk (written off the loop). */
  readonly recorder?: EpisodeRecorder;
}

export interface TickReport {
  readonly index: number;
  readonly positions: PerMotor<number>;
  readonly sent?: PerMotor<number>;
  readonly starved: boolean;
  readonly chunkBoundary: boolean;
}

export interface EpisodeResult {
  readonly success: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly starvedTicks: number;
  readonly chunks: number;
  readonly clampedTicks: number;
  readonly lateTicks: number;
  /** Milliseconds per stage, one sample per occurrence (requests for the policy stages). */
  readonly timing: ReadonlyMap<string, readonly number[]>;
}

/** Runs until the world reports success, maxSteps, abort, or a fault that makes going on unsafe. */
export async function runEpisode(parts: EpisodeParts, settings: EpisodeSettings): Promise<EpisodeResult> {
  const { robot, cameras, client, converter, scheduler, world } = parts;
  const periodMs = 1000 / settings.fps;
  const timing = new Map<string, number[]>(['read', 'camera', 'convert', 'encode', 'network', 'server infer', 'decode',
    'policy total', 'safety+write', 'tick'].map((s) => [s, []]));
  let tickMs: Record<string, number> = {};
  const sample = (stage: string, ms: number) => {
    timing.get(stage)?.push(ms);
    tickMs[stage] = (tickMs[stage] ?? 0) + ms;
  };
  const recorder = settings.recorder;
  const warn = settings.onWarning ?? (() => {});
  let chunks = 0;
  let clampedTicks = 0;
  let lateTicks = 0;
  let policyFailures = 0;
  let fatal: string | undefined;
  let inFlight: Promise<void> | undefined;

  const request = (req: ChunkRequest, positions: PerMotor<number>, images: Readonly<Record<string, RgbFrame>>) => {
    const t0 = performance.now();
    const { input, warnings } = converter.toPolicy({ positions, images, task: settings.task });
    sample('convert', performance.now() - t0);
    for (const w of warnings) warn(w);
    const requestedAt = performance.now();
    inFlight = client.infer(input, { timeoutMs: settings.requestTimeoutMs }).then((r) => {
      const t = r.clientTiming;
      sample('encode', t.encodeMs);
      if (t.networkMs !== undefined) sample('network', t.networkMs);
      if (r.serverTiming) sample('server infer', r.serverTiming.inferMs);
      sample('decode', t.decodeMs);
      sample('policy total', t.totalMs);
      const back = converter.fromPolicy(r.actions);
      for (const w of back.warnings) warn(w);
      const receivedAt = performance.now();
      const delivery = scheduler.deliver(new ActionChunk(back.horizon, SO100_MOTORS.length, back.targets), req,
        { requestedAtMs: requestedAt, receivedAtMs: receivedAt });
      recorder?.recordChunk({ requestId: req.id, observationTick: req.observationIndex, requestedAtMs: requestedAt,
        receivedAtMs: receivedAt, horizon: back.horizon, dims: SO100_MOTORS.length, values: back.targets,
        accepted: delivery.accepted, discardReason: delivery.accepted ? undefined : delivery.reason });
      if (delivery.accepted) chunks++;
      else warn(`a chunk was discarded: ${delivery.message}`);
      policyFailures = 0;
    }, (err: unknown) => {
      scheduler.abandon(req);
      policyFailures++;
      const message = err instanceof Error ? err.message : String(err);
      warn(`policy request failed: ${message}`);
      // The first verdict stands: a request issued in the same tick must not rewrite it.
      if (policyFailures >= (settings.maxPolicyFailures ?? 3)) fatal ??= `the policy failed ${policyFailures} times in a row; last: ${message}`;
    }).finally(() => { inFlight = undefined; });
  };

  const start = performance.now();
  let steps = 0;
  let reason = `stopped after ${settings.maxSteps} steps without success`;
  let success = false;
  try {
    for (let index = 0; index < settings.maxSteps; index++) {
      if (settings.signal?.aborted) { reason = 'stopped by the user'; break; }
      if (fatal) { reason = fatal; break; }
      const tickStart = performance.now();
      tickMs = {};
      const obs = await robot.observe();
      const tRead = performance.now();
      sample('read', tRead - tickStart);
      const joints = toMotorVector(obs.positions);
      world?.step(joints, periodMs);
      if (world?.succeeded) { success = true; reason = world.reason; steps = index; break; }
      const images = cameras.capture(joints);
      const tCam = performance.now();
      sample('camera', tCam - tRead);

      const measured = Float64Array.from(joints);
      const tick = scheduler.tick({ index, timeMs: tickStart - start, measured });
      if (tick.request && !inFlight && !fatal) request(tick.request, obs.positions, images);
      else if (tick.request) scheduler.abandon(tick.request);

      const tAct = performance.now();
      let sent: PerMotor<number> | undefined;
      try {
        // Starved: hold the measured position, never a stale action.
        const target = tick.action ? fromMotorVector(tick.action) : obs.positions;
        const r = await robot.act(target, obs.positions);
        sent = r.sent;
        if (r.clamped.length > 0) clampedTicks++;
      } catch (err) {
        if (!(err instanceof UnsafeActionError)) throw err;
        warn(`tick ${index}: ${err.message}`);
      }
      sample('safety+write', performance.now() - tAct);
      sample('tick', performance.now() - tickStart);
      const report = { index, positions: obs.positions, sent, starved: tick.starved, chunkBoundary: tick.chunkBoundary };
      recorder?.recordStep({ ...report, atMs: tickStart });
      recorder?.recordTiming({ tick: index, ms: tickMs });
      settings.onTick?.(report);
      steps = index + 1;

      // Drift-free: aim at start + (index + 1) · period, whatever this tick cost.
      const wait = start + (index + 1) * periodMs - performance.now();
      if (wait < 0) lateTicks++;
      else await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await inFlight;
  }
  const stats = scheduler.stats();
  return { success, reason, steps, starvedTicks: stats.starvedTicks, chunks, clampedTicks, lateTicks, timing };
}
