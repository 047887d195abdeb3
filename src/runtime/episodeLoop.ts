// One episode, tick by tick (DESIGN §3): read joints → cameras → converter → chunk scheduler (requests run in
// the background, never blocking the tick: chunkRequests.ts) → safety → one SYNC_WRITE; every stage timed. The
// loop can be paused, stepped one tick at a time, stopped, emergency-stopped and handed another policy between ticks.
import type { ChunkScheduler, ChunkSchedulerOptions } from '../core/chunking';
import type { Converter, RgbFrame } from '../core/convert';
import { recordOf, vectorOf, type MotorRecord, type RobotDescription } from '../core/robots';
import type { ClampEvent, JointRange, MotorName } from '../core/so100';
import type { PolicyClient } from '../io/policy/policyClient';
import { wallClock } from '../io/clock/wallClock';
import type { Clock } from '../core/timing/clock';
import { TIMING_STAGES, type EpisodeRecordSink } from '../io/recording';
import type { Robot } from '../io/robot/robot';
import { UnsafeActionError } from '../io/robot/robotErrors';
import type { ExchangeSink } from './lastExchange';
import { ChunkRequests } from './chunkRequests';
import { PrecisionWait } from './precisionWait';
import { StageSamples } from '../core/timing/stageSamples';
import type { EpisodeSummary } from '../core/rpc/runtimeProtocol';
import { ROUGH_SEAM_RATIO, SeamMeter, type SeamReport } from '../core/metrics/seams';

/** The longest the warm-up before the first tick may take. */
const WARM_UP_LIMIT_MS = 1000;

/** Something that judges the episode (the simulator's cube task); real arms have none. */
export interface EpisodeWorld {
  step(joints: ArrayLike<number>, dtMs: number): void;
  readonly succeeded: boolean;
  readonly reason: string;
}

/** Newest frame of every camera; must not wait. Synthetic cameras render the scene for these joints. */
export interface CameraSource {
  capture(joints: ArrayLike<number>): Readonly<Record<string, RgbFrame>>;
  /** Age of the oldest frame the last capture returned, ms (real cameras; rendered views are 0 old). */
  readonly lastFrameAgeMs?: number;
  /** Set while the last capture left out a camera (frames stale, or none yet): the policy is not asked until it streams. */
  readonly staleCamera?: string;
  /** Set once a camera can send no more frames (its ffmpeg died): the episode ends with this reason. */
  readonly failure?: string;
  /** Frames to warm the code paths with before the first tick (rendered at a neutral pose; no side effects). */
  warmUpFrames?(): Readonly<Record<string, RgbFrame>>;
}

/**
 * What an episode runs on. `M` are the robot's motor names (the SO-100's by default): the loop builds its vectors
 * (the world's and cameras' joints, the scheduler's rows) in the order of `robot.description.motors`.
 */
export interface EpisodeParts<M extends string = MotorName> {
  readonly robot: Robot<M>;
  readonly cameras: CameraSource;
  readonly client: PolicyClient;
  readonly converter: Converter<M>;
  readonly scheduler: ChunkScheduler;
  readonly world?: EpisodeWorld;
}

export interface EpisodeSettings<M extends string = MotorName> {
  readonly fps: number;
  readonly maxSteps: number;
  readonly task: string;
  readonly requestTimeoutMs?: number;
  /** Policy failures in a row that end the episode (a dead server). */
  readonly maxPolicyFailures?: number;
  /** Start paused: nothing moves until resume() or step(). */
  readonly startPaused?: boolean;
  readonly signal?: AbortSignal;
  readonly onTick?: (tick: TickReport<M>) => void;
  /** Every chunk the policy returned, accepted or discarded (for the dashboard's fan of predictions). */
  readonly onChunk?: (chunk: ChunkReport) => void;
  readonly onWarning?: (message: string) => void;
  /** Where steps, chunks and timing go on disk (written off the loop). */
  readonly recorder?: EpisodeRecordSink<M>;
  /** Keeps the last observation, input, reply, targets and safety outcome for the Converter Inspector. */
  readonly exchange?: ExchangeSink<M>;
  /** Calibrated range of every joint in the targets' units (motor order); targets far outside are reported once. */
  readonly jointRanges?: readonly JointRange[];
  /**
   * The clock ticks are scheduled and stamped on (default: wall time). Under a virtual clock nothing sleeps: the loop
   * drives the clock from tick to tick, and stage timings stay wall-clock measurements of the work.
   */
  readonly clock?: Clock;
}

export interface TickReport<M extends string = MotorName> {
  readonly index: number;
  /** When the tick started, ms since the episode started (on the episode's clock). */
  readonly atMs: number;
  /** How much later than its drift-free schedule (start + index · period) the tick started; 0 for stepped ticks. */
  readonly lateMs: number;
  readonly positions: MotorRecord<M, number>;
  readonly sent?: MotorRecord<M, number>;
  readonly starved: boolean;
  readonly chunkBoundary: boolean;
  /** On a chunk boundary: its step ÷ the in-chunk p99 step so far (rough from ROUGH_SEAM_RATIO on). */
  readonly seamRatio?: number;
  /** Safety's changes to this tick's action. */
  readonly clamped: readonly ClampEvent<M>[];
  /** Milliseconds per stage of this tick (policy stages appear on the tick their reply arrived). */
  readonly stageMs: Readonly<Record<string, number>>;
  /** The camera frames of this tick; valid only during the callback (buffers are reused). */
  readonly images: Readonly<Record<string, RgbFrame>>;
}

export interface ChunkReport {
  readonly requestId: number;
  readonly observationTick: number;
  readonly horizon: number;
  readonly dims: number;
  /** Joint targets, row-major horizon × dims, motor order. */
  readonly targets: Float64Array;
  readonly accepted: boolean;
  readonly latencyMs: number;
}

/**
 * How an episode ended, as the loop knows it: the counts of the runtime's EpisodeSummary (one definition, in
 * core/rpc), before the session numbers the episode, summarises its timing and adds where it was recorded.
 */
export interface EpisodeResult extends Omit<EpisodeSummary, 'episode' | 'seams' | 'timing' | 'recordDir'> {
  /** Seam ratio and tracking lag of the sent commands (core/metrics/seams.ts); a loop that ends always has them. */
  readonly seams: SeamReport;
  /** Per stage: exact count and max, percentiles from a bounded sample (an episode's memory stays flat). */
  readonly timing: ReadonlyMap<string, StageSamples>;
}

export type EpisodeLoopState = 'ready' | 'running' | 'paused' | 'ended';

/** Runs until the world reports success, maxSteps, stop, e-stop, abort, or a fault that makes going on unsafe. */
export class EpisodeLoop<M extends string = MotorName> {
  private stateValue: EpisodeLoopState = 'ready';
  private client: PolicyClient;
  private converter: Converter<M>;
  private settings: EpisodeSettings<M>;
  private readonly timing = new Map<string, StageSamples>(TIMING_STAGES.map((s) => [s, new StageSamples()]));
  private tickMs: Record<string, number> = {};
  /** Stages timed between ticks (a policy reply): they belong to the next tick's record. */
  private betweenTicksMs: Record<string, number> = {};
  private inTick = false;
  private clampedTicks = 0;
  /** The previous tick was clamped: a run of clamped ticks is one event in the record. */
  private clampRun = false;
  private lateTicks = 0;
  private steps = 0;
  private index = 0;
  /** Set once: the reason the episode must end (first verdict stands). */
  private endReason: string | undefined;
  private emergency = false;
  private success = false;
  private pendingClient: PolicyClient | undefined;
  private stepsRequested = 0;
  private wake: (() => void) | undefined;
  private parkedValue = false;
  private stepWaiters: Array<(r: TickReport<M> | undefined) => void> = [];
  private anchorMs = 0;
  private startMs = 0;

  /** The robot's description: its motors' order is every vector's. */
  private readonly robot: RobotDescription<M>;
  private readonly requests: ChunkRequests<M>;
  private readonly seams = new SeamMeter();
  /** The wait to the next tick's start (wall time). */
  private readonly tickWait = new PrecisionWait();

  constructor(
    private readonly parts: EpisodeParts<M>,
    settings: EpisodeSettings<M>,
  ) {
    this.client = parts.client;
    this.converter = parts.converter;
    this.settings = settings;
    this.robot = parts.robot.description;
    this.requests = new ChunkRequests<M>({
      robot: this.robot,
      scheduler: parts.scheduler,
      settings: () => this.settings,
      currentClient: () => this.client,
      ended: () => this.endReason !== undefined,
      sample: (stage, ms) => this.sample(stage, ms),
      warn: (message) => this.warn(message),
      stop: (reason) => this.stop(reason),
    });
  }

  get state(): EpisodeLoopState {
    return this.stateValue;
  }

  /**
   * True while a paused loop waits for resume() or step(): no tick is in progress and none starts until one of
   * them is called. (`state` turns 'paused' at once; the tick in progress may still finish after it.)
   */
  get parked(): boolean {
    return this.parkedValue;
  }

  /** Ticks executed so far. */
  get stepCount(): number {
    return this.steps;
  }

  get currentClient(): PolicyClient {
    return this.pendingClient ?? this.client;
  }

  /** Runs the episode to its end; call once. */
  async run(): Promise<EpisodeResult> {
    if (this.stateValue !== 'ready') throw new Error('an episode loop runs once; make a new one for the next episode');
    this.stateValue = this.settings.startPaused ? 'paused' : 'running';
    const { signal } = this.settings;
    const onAbort = () => this.stop('stopped by the user');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    await this.warmUp();
    this.startMs = this.clock.now();
    this.anchorMs = this.startMs;
    try {
      while (this.endReason === undefined && this.index < this.settings.maxSteps) {
        if (this.stateValue === 'paused' && this.stepsRequested === 0) {
          this.parkedValue = true;
          await new Promise<void>((r) => {
            this.wake = r;
          });
          this.parkedValue = false;
          this.wake = undefined;
          continue;
        }
        const single = this.stateValue === 'paused';
        if (single) this.stepsRequested--;
        const report = await this.tick();
        for (const w of this.stepWaiters.splice(0)) w(report);
        if (report === undefined || single) continue;
        // Drift-free: aim at anchor + (index) · period, whatever this tick cost.
        if (this.clock.kind === 'virtual') {
          await this.clock.advanceTo(this.anchorMs + this.index * this.periodMs);
          continue;
        }
        const wait = this.anchorMs + this.index * this.periodMs - performance.now();
        if (wait < 0) this.lateTicks++;
        else {
          // stop / pause-then-step may cut the wait short.
          this.wake = this.tickWait.cutShort;
          await this.tickWait.sleepUntil(this.anchorMs + this.index * this.periodMs);
          this.wake = undefined;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.stateValue = 'ended';
      for (const w of this.stepWaiters.splice(0)) w(undefined);
      // Under virtual time a reply in flight waits on the clock, which no tick drives any more.
      if (this.requests.inFlight) await this.clock.drain();
      await this.requests.inFlight;
    }
    const stats = this.parts.scheduler.stats();
    const reason = this.endReason ?? `stopped after ${this.settings.maxSteps} steps without success`;
    return {
      success: this.success,
      reason,
      steps: this.steps,
      starvedTicks: stats.starvedTicks,
      warmupTicks: stats.warmupTicks,
      chunks: this.requests.chunks,
      clampedTicks: this.clampedTicks,
      lateTicks: this.lateTicks,
      seams: this.seams.report(),
      timing: this.timing,
    };
  }

  pause(): void {
    if (this.stateValue === 'running') this.stateValue = 'paused';
  }

  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    // Re-anchor so the loop does not rush through the ticks it "missed" while paused.
    this.anchorMs = this.clock.now() - this.index * this.periodMs;
    this.wake?.();
  }

  /** Executes exactly one tick while paused; resolves with its report (undefined when the episode ended). */
  step(): Promise<TickReport<M> | undefined> {
    if (this.stateValue !== 'paused')
      return Promise.reject(new Error(`step needs a paused episode; it is ${this.stateValue}`));
    this.stepsRequested++;
    const done = new Promise<TickReport<M> | undefined>((r) => this.stepWaiters.push(r));
    this.wake?.();
    return done;
  }

  /** Ends the episode after the tick in progress; the arm holds its last goal. */
  stop(reason = 'stopped by the user'): void {
    this.endReason ??= reason;
    this.wake?.();
  }

  /** Torque off now (no further goal is written), then the episode ends. */
  async estop(): Promise<{ readonly failed: readonly string[] }> {
    this.emergency = true;
    this.stop('emergency stop: torque off');
    return this.parts.robot.torqueOff();
  }

  /** Uses another policy from the next tick: queued actions are dropped and the arm holds until its first chunk. */
  swapClient(client: PolicyClient): void {
    this.pendingClient = client;
  }

  /** Converts the next request with `converter` (a reloaded user module, a new camera mapping). */
  setConverter(converter: Converter<M>): void {
    this.converter = converter;
  }

  /** Chunking parameters of the same mode, from the next request or merge (see ChunkScheduler.reconfigure). */
  setChunking(options: ChunkSchedulerOptions): void {
    this.parts.scheduler.reconfigure(options);
  }

  /** Settings that apply from the next tick. */
  applySettings(
    update: Partial<Pick<EpisodeSettings<M>, 'fps' | 'task' | 'maxSteps' | 'requestTimeoutMs' | 'maxPolicyFailures'>>,
  ): void {
    const fpsChanged = update.fps !== undefined && update.fps !== this.settings.fps;
    this.settings = { ...this.settings, ...update };
    if (fpsChanged) this.anchorMs = this.clock.now() - this.index * this.periodMs;
  }

  private get periodMs(): number {
    return 1000 / this.settings.fps;
  }

  private get clock(): Clock {
    return this.settings.clock ?? wallClock;
  }

  /**
   * The first render and the converter thread's first conversion run cold (unoptimised code, a thread starting):
   * tens of ms, once per episode, which made the first ticks 30–70 ms late and the first request slow. Paid here,
   * before the schedule starts. Bounded: a converter that does not answer in time is left to finish on its own.
   */
  private async warmUp(): Promise<void> {
    const frames = this.parts.cameras.warmUpFrames?.();
    const converter = this.converter;
    // Under virtual time a cold first conversion makes no tick late: nothing to warm.
    if (!frames || !converter.toPolicyAsync || this.endReason !== undefined || this.clock.kind === 'virtual') return;
    const positions = recordOf(this.robot, new Float64Array(this.robot.motors.length));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      converter.toPolicyAsync({ positions, images: frames, task: this.settings.task }).catch(() => undefined),
      new Promise((r) => {
        timer = setTimeout(r, WARM_UP_LIMIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private sample(stage: string, ms: number): void {
    this.timing.get(stage)?.push(ms);
    // A reply lands between ticks; its stages go into the next tick, not one already reported.
    const into = this.inTick ? this.tickMs : this.betweenTicksMs;
    into[stage] = (into[stage] ?? 0) + ms;
  }

  private warn(message: string): void {
    this.settings.onWarning?.(message);
  }

  /** One tick; undefined when the world ended the episode before acting. */
  private async tick(): Promise<TickReport<M> | undefined> {
    this.tickMs = this.betweenTicksMs;
    this.betweenTicksMs = {};
    this.inTick = true;
    try {
      return await this.tickBody();
    } finally {
      this.inTick = false;
    }
  }

  private async tickBody(): Promise<TickReport<M> | undefined> {
    const { robot, cameras, scheduler, world } = this.parts;
    const recorder = this.settings.recorder;
    const index = this.index++;
    // Stages are timed in wall time (what the work costs); the tick is placed and stamped on the episode's clock.
    const wallStart = performance.now();
    const tickStart = this.clock.kind === 'wall' ? wallStart : this.clock.now();
    const lateMs = this.stateValue === 'running' ? tickStart - (this.anchorMs + index * this.periodMs) : 0;
    if (this.pendingClient !== undefined) {
      // The old model's reply, if it still comes, belongs to the previous epoch and is discarded.
      scheduler.swapModel();
      this.client = this.pendingClient;
      this.pendingClient = undefined;
      this.requests.swapped();
    }
    const obs = await robot.observe();
    const tRead = performance.now();
    this.sample('read', tRead - wallStart);
    const joints = vectorOf(this.robot, obs.positions);
    world?.step(joints, this.periodMs);
    if (world?.succeeded) {
      this.success = true;
      this.stop(world.reason);
      return undefined;
    }
    const images = cameras.capture(joints);
    const tCam = performance.now();
    this.sample('camera', tCam - tRead);
    if (cameras.lastFrameAgeMs !== undefined) this.sample('camera age', cameras.lastFrameAgeMs);
    if (cameras.failure !== undefined) this.stop(cameras.failure);

    const tick = scheduler.tick({ index, timeMs: tickStart - this.startMs, measured: Float64Array.from(joints) });
    // A stale camera: no request (the policy would act on an old picture, or a black one); queued actions run out and the arm holds.
    const canAsk = !this.requests.inFlight && this.endReason === undefined && cameras.staleCamera === undefined;
    if (tick.request && canAsk)
      this.requests.send(
        tick.request,
        { positions: obs.positions, images, task: this.settings.task },
        this.converter,
        this.client,
      );
    else if (tick.request) scheduler.abandon(tick.request);
    if (tick.starved) this.requests.noteStarvation(index, this.periodMs);

    const tAct = performance.now();
    let sent: MotorRecord<M, number> | undefined;
    let clamped: readonly ClampEvent<M>[] = [];
    if (!this.emergency) {
      try {
        // Starved: hold the measured position, never a stale action.
        const target = tick.action ? recordOf(this.robot, tick.action) : obs.positions;
        const r = await robot.act(target, obs.positions);
        sent = r.sent;
        clamped = r.clamped;
        if (r.clamped.length > 0) this.clampedTicks++;
        if (r.clamped.length > 0 && !this.clampRun)
          recorder?.recordEvent(
            'clamp',
            `safety ${r.clamped.map((c) => `${c.reason === 'step' ? 'step-capped' : 'range-limited'} ${c.motor}`).join(', ')}`,
            index,
          );
        this.clampRun = r.clamped.length > 0;
        this.sample('safety', r.timing.safetyMs);
        this.sample('write', r.timing.writeMs);
      } catch (err) {
        if (!(err instanceof UnsafeActionError)) throw err;
        this.sample('safety', performance.now() - tAct); // refused: nothing was written
        this.warn(`tick ${index}: ${err.message}`);
      }
    }
    this.settings.exchange?.acted(index, obs.positions, sent, clamped);
    const seamRatio = this.seams.add({
      tick: index,
      sent: sent && vectorOf(this.robot, sent),
      raw: tick.raw,
      chunkBoundary: tick.chunkBoundary,
      starved: tick.starved,
    });
    this.sample('tick', performance.now() - wallStart);
    const report: TickReport<M> = {
      index,
      atMs: tickStart - this.startMs,
      lateMs,
      positions: obs.positions,
      sent,
      starved: tick.starved,
      chunkBoundary: tick.chunkBoundary,
      seamRatio,
      clamped,
      stageMs: this.tickMs,
      images,
    };
    recorder?.recordStep({
      index,
      atMs: tickStart,
      positions: obs.positions,
      sent,
      raw: tick.raw && recordOf(this.robot, tick.raw),
      starved: tick.starved,
      chunkBoundary: tick.chunkBoundary,
      note:
        seamRatio !== undefined && seamRatio >= ROUGH_SEAM_RATIO
          ? `rough seam: ${seamRatio.toFixed(1)}× the in-chunk p99 step`
          : undefined,
    });
    recorder?.recordTiming({ tick: index, ms: this.tickMs });
    this.settings.onTick?.(report);
    this.steps = index + 1;
    return report;
  }
}

/** Runs one episode start to end (the CLI's headless path). */
export function runEpisode<M extends string = MotorName>(
  parts: EpisodeParts<M>,
  settings: EpisodeSettings<M>,
): Promise<EpisodeResult> {
  return new EpisodeLoop<M>(parts, settings).run();
}
