// The runtime's one session: an arm, a scene, the policy clients and at most one episode at a time, driven by
// the commands of runtimeProtocol.ts and reporting through an event sink. The RPC server and the CLI both use it.
import { ChunkScheduler, type ChunkSchedulerOptions } from '../core/chunking';
import type { Converter } from '../core/convert';
import type {
  EpisodeSummary, RuntimeEventName, RuntimeEvents, RuntimeHotSettings, RuntimePhase, RuntimeSetup, RuntimeStatus, TickTelemetry,
} from '../core/rpc';
import { SO100_MOTORS, toMotorVector, type PerMotor } from '../core/so100';
import { summarizeStages } from '../core/timing/percentiles';
import type { PolicyClient } from '../io/policy/policyClient';
import { EpisodeRecorder } from '../io/recording';
import { glideTo } from './armGlide';
import { EpisodeLoop, type EpisodeResult, type TickReport } from './episodeLoop';
import { connectArm, makeConverter, newScene, policyClient, type ConnectedArm, type SceneParts } from './sessionParts';

/** Where the session's events go; the RPC server drops telemetry for slow readers. */
export interface RuntimeEventSink {
  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void;
  /** Camera frames per second wanted by the most demanding listener; 0 = none. */
  frameFps(): number;
}

/** A command that cannot run in the session's current phase; the message says what to do first. */
export class RuntimePhaseError extends Error {
  override readonly name = 'RuntimePhaseError';
}

interface Connection {
  readonly setup: RuntimeSetup;
  readonly arm: ConnectedArm;
  readonly clients: Map<string, PolicyClient>;
  readonly converter: Converter & Partial<Disposable>;
  /** Where the arm was at connect: reset glides back here. */
  readonly startPose: PerMotor<number>;
  scene: SceneParts;
}

interface Running {
  readonly number: number;
  readonly loop: EpisodeLoop;
  readonly done: Promise<EpisodeSummary>;
}

export class RuntimeSession {
  private phase: RuntimePhase = 'idle';
  private conn: Connection | undefined;
  private episode: Running | undefined;
  private episodes = 0;
  private activeModel: string | undefined;
  private hot: Required<Pick<RuntimeHotSettings, 'fps' | 'task' | 'maxSteps'>> & { chunking?: ChunkSchedulerOptions; requestTimeoutMs?: number } =
    { fps: 30, task: '', maxSteps: 900 };
  private lastFrameMs = -Infinity;
  droppedTelemetry = 0;

  constructor(private readonly sink: RuntimeEventSink, private readonly workspace: string = process.cwd()) {}

  status(): RuntimeStatus {
    return {
      phase: this.phase,
      activeModel: this.activeModel,
      models: this.conn ? [...this.conn.clients.keys()] : [],
      episode: this.episode?.number,
      step: this.episode?.loop.stepCount,
      maxSteps: this.conn ? this.hot.maxSteps : undefined,
      fps: this.conn ? this.hot.fps : undefined,
      robot: this.conn?.arm.label,
      droppedTelemetry: this.droppedTelemetry,
    };
  }

  /** The active model's client, once connected. */
  activeClient(): PolicyClient | undefined {
    return this.activeModel === undefined ? undefined : this.conn?.clients.get(this.activeModel);
  }

  /** Firmware version of the connected arm's servos. */
  get firmware(): string | undefined {
    return this.conn?.arm.robot.firmware;
  }

  /** Connects the arm, the scene, the converter and a client per model; the active model's server must answer. */
  async connect(setup: RuntimeSetup): Promise<RuntimeStatus> {
    if (this.phase !== 'idle' && this.phase !== 'estopped') throw new RuntimePhaseError(`already ${this.phase}; disconnect first`);
    if (!(setup.activeModel in setup.models)) {
      throw new RuntimePhaseError(`activeModel "${setup.activeModel}" is not one of the models (${Object.keys(setup.models).join(', ') || 'none'})`);
    }
    await this.release();
    this.setPhase('connecting');
    const clients = new Map<string, PolicyClient>();
    let arm: ConnectedArm | undefined;
    try {
      for (const [name, endpoint] of Object.entries(setup.models)) clients.set(name, policyClient(name, endpoint, setup.requestTimeoutMs));
      const converter = await makeConverter(setup, this.workspace);
      arm = await connectArm(setup);
      await clients.get(setup.activeModel)!.connect();
      const startPose = (await arm.robot.observe()).positions;
      this.conn = { setup, arm, clients, converter, startPose, scene: newScene(sceneSeed(setup)) };
      this.activeModel = setup.activeModel;
      this.hot = { fps: setup.fps, task: setup.task, maxSteps: setup.maxSteps, chunking: setup.chunking, requestTimeoutMs: setup.requestTimeoutMs };
      this.setPhase('connected');
      return this.status();
    } catch (err) {
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
      await arm?.robot.disconnect().catch(() => {});
      this.setPhase('idle');
      throw err;
    }
  }

  /** Starts an episode (paused when asked) and returns at once; `episodeEnded` tells how it went. */
  async runEpisode(options: { readonly startPaused?: boolean } = {}): Promise<RuntimeStatus> {
    const conn = this.requireConnected('run an episode');
    const number = ++this.episodes;
    const client = conn.clients.get(this.activeModel!)!;
    const recorder = conn.setup.recordDir === undefined ? undefined : await EpisodeRecorder.create(conn.setup.recordDir, {
      config: { ...conn.setup, ...this.hot }, model: this.activeModel,
    }, { onWriteError: (e) => this.warn(e.message) });
    const loop = new EpisodeLoop({
      robot: conn.arm.robot, client, converter: conn.converter, world: conn.scene.world, cameras: conn.scene.cameras,
      scheduler: new ChunkScheduler(this.hot.chunking ?? { mode: 'async' }),
    }, {
      fps: this.hot.fps, maxSteps: this.hot.maxSteps, task: this.hot.task, requestTimeoutMs: this.hot.requestTimeoutMs,
      startPaused: options.startPaused, recorder,
      onTick: (t) => this.onTick(number, t),
      onChunk: (c) => this.sink.emit('chunk', { episode: number, requestId: c.requestId, observationTick: c.observationTick,
        horizon: c.horizon, dims: c.dims, targets: Array.from(c.targets), accepted: c.accepted, latencyMs: c.latencyMs }),
      onWarning: (m) => this.warn(m),
    });
    const done = this.finishEpisode(number, loop, recorder);
    this.episode = { number, loop, done };
    this.setPhase(options.startPaused ? 'paused' : 'running');
    return this.status();
  }

  /** Resolves when the current episode ends (the CLI waits on it). */
  episodeEnded(): Promise<EpisodeSummary> | undefined {
    return this.episode?.done;
  }

  /** One tick while paused; when connected with no episode, starts one paused and runs its first tick. */
  async step(): Promise<TickTelemetry | null> {
    if (this.phase === 'connected') await this.runEpisode({ startPaused: true });
    if (this.phase !== 'paused' || !this.episode) throw new RuntimePhaseError(`step needs a paused episode; the session is ${this.phase} (pause first)`);
    const number = this.episode.number;
    const report = await this.episode.loop.step();
    return report ? tickTelemetry(number, report) : null;
  }

  pause(): RuntimeStatus {
    if (this.phase !== 'running') throw new RuntimePhaseError(`nothing to pause; the session is ${this.phase}`);
    this.episode!.loop.pause();
    this.setPhase('paused');
    return this.status();
  }

  resume(): RuntimeStatus {
    if (this.phase !== 'paused') throw new RuntimePhaseError(`nothing to resume; the session is ${this.phase}`);
    this.episode!.loop.resume();
    this.setPhase('running');
    return this.status();
  }

  /** Ends the running episode; the arm holds where it is. */
  async stop(): Promise<RuntimeStatus> {
    if (this.episode) {
      this.episode.loop.stop('stopped by the user');
      await this.episode.done;
    }
    return this.status();
  }

  /** Torque off first, then everything else; the arm stays limp until the next connect. */
  async estop(): Promise<{ readonly torqueOff: boolean; readonly failedMotors: readonly string[] }> {
    const conn = this.conn;
    if (!conn) return { torqueOff: false, failedMotors: [] };
    const { failed } = this.episode ? await this.episode.loop.estop() : await conn.arm.robot.torqueOff();
    this.setPhase('estopped');
    await this.episode?.done;
    this.setPhase('estopped');
    if (failed.length) this.warn(`emergency stop: ${failed.join(', ')} did not confirm torque off; switch the arm's power off`);
    return { torqueOff: failed.length === 0, failedMotors: failed };
  }

  /** Ends any episode, glides the arm back to its start pose, resets the policy and the scene. */
  async reset(): Promise<RuntimeStatus> {
    const conn = this.requireConnected('reset', true);
    await this.stop();
    this.setPhase('resetting');
    try {
      const glide = await glideTo(conn.arm.robot, conn.startPose, { fps: this.hot.fps });
      if (!glide.reached) this.warn(`reset: the arm stopped ${glide.remaining.toFixed(1)} units short of its start pose after ${glide.ticks} ticks`);
      await conn.clients.get(this.activeModel!)!.reset();
      conn.scene = newScene(sceneSeed(conn.setup));
    } finally {
      if (this.phase === 'resetting') this.setPhase('connected');
    }
    return this.status();
  }

  /** Uses another configured model from the next tick (or the next episode). */
  async swapModel(model: string): Promise<RuntimeStatus> {
    const conn = this.conn;
    if (!conn) throw new RuntimePhaseError('connect first');
    const client = conn.clients.get(model);
    if (!client) throw new RuntimePhaseError(`no model "${model}"; configured: ${[...conn.clients.keys()].join(', ')}`);
    if (model === this.activeModel) return this.status();
    await client.connect();
    this.episode?.loop.swapClient(client);
    this.activeModel = model;
    this.emitState();
    return this.status();
  }

  /** Hot settings now; the rest at the next episode or connect, as the reply says. */
  applyConfig(update: RuntimeHotSettings): { readonly applied: readonly string[]; readonly deferred: readonly string[] } {
    const applied: string[] = [];
    const deferred: string[] = [];
    const now = { fps: update.fps, task: update.task, maxSteps: update.maxSteps, requestTimeoutMs: update.requestTimeoutMs };
    for (const [k, v] of Object.entries(now)) {
      if (v === undefined) continue;
      (this.hot as Record<string, unknown>)[k] = v;
      applied.push(k);
    }
    this.episode?.loop.applySettings(Object.fromEntries(Object.entries(now).filter(([, v]) => v !== undefined)));
    if (update.chunking !== undefined) {
      this.hot.chunking = update.chunking;
      (this.episode ? deferred : applied).push('chunking');
    }
    if (update.maxStep !== undefined) deferred.push('maxStep');
    return { applied, deferred };
  }

  /** Ends any episode, leaves the arm as configured (limp by default) and closes the clients. */
  async disconnect(): Promise<RuntimeStatus> {
    await this.stop();
    await this.release();
    this.setPhase('idle');
    return this.status();
  }

  private async release(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    conn.converter[Symbol.dispose]?.();
    await Promise.allSettled([...conn.clients.values()].map((c) => c.close()));
    await conn.arm.robot.disconnect().catch((e: unknown) => this.warn(`disconnecting the arm: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async finishEpisode(number: number, loop: EpisodeLoop, recorder: EpisodeRecorder | undefined): Promise<EpisodeSummary> {
    let result: EpisodeResult;
    try {
      result = await loop.run();
    } catch (err) {
      // The arm or its bus failed mid-tick: make it safe if it still answers, and drop the connection.
      const message = err instanceof Error ? err.message : String(err);
      await this.conn?.arm.robot.torqueOff().catch(() => undefined);
      await recorder?.abort(message, loop.stepCount);
      const summary: EpisodeSummary = { episode: number, success: false, reason: `the arm failed: ${message}`, steps: loop.stepCount,
        starvedTicks: 0, chunks: 0, clampedTicks: 0, lateTicks: 0, timing: [], recordDir: recorder?.dir };
      this.episode = undefined;
      await this.release();
      this.setPhase('idle');
      this.sink.emit('episodeEnded', summary);
      return summary;
    }
    await recorder?.finish(result);
    const summary: EpisodeSummary = {
      episode: number, success: result.success, reason: result.reason, steps: result.steps, starvedTicks: result.starvedTicks,
      chunks: result.chunks, clampedTicks: result.clampedTicks, lateTicks: result.lateTicks,
      timing: summarizeStages(result.timing).filter((s) => s.count > 0), recordDir: recorder?.dir,
    };
    if (this.episode?.number === number) this.episode = undefined;
    if (this.phase === 'running' || this.phase === 'paused') this.setPhase('connected');
    this.sink.emit('episodeEnded', summary);
    return summary;
  }

  private onTick(episode: number, t: TickReport): void {
    this.sink.emit('tick', tickTelemetry(episode, t));
    const fps = this.sink.frameFps();
    if (fps <= 0) return;
    const now = performance.now();
    if (now - this.lastFrameMs < 1000 / fps) return;
    this.lastFrameMs = now;
    for (const [camera, f] of Object.entries(t.images)) {
      // The loop reuses its buffers; the sink gets its own copy.
      this.sink.emit('frame', { episode, tick: t.index, camera, width: f.width, height: f.height, rgb: f.data.slice() });
    }
  }

  private requireConnected(what: string, allowRunning = false): Connection {
    const ok = this.phase === 'connected' || (allowRunning && (this.phase === 'running' || this.phase === 'paused'));
    if (!ok || !this.conn) {
      const hint = this.phase === 'estopped' ? 'the arm was emergency-stopped; connect again to re-enable torque'
        : this.phase === 'idle' ? 'connect first' : `the session is ${this.phase}`;
      throw new RuntimePhaseError(`cannot ${what}: ${hint}`);
    }
    return this.conn;
  }

  private setPhase(phase: RuntimePhase): void {
    this.phase = phase;
    this.emitState();
  }

  private emitState(): void {
    this.sink.emit('state', this.status());
  }

  private warn(message: string): void {
    this.sink.emit('warning', { message });
  }
}

function sceneSeed(setup: RuntimeSetup): number {
  return setup.robot.kind === 'sim' ? setup.robot.seed ?? 1 : 1;
}

function tickTelemetry(episode: number, t: TickReport): TickTelemetry {
  return {
    episode, index: t.index, measured: Array.from(toMotorVector(t.positions)),
    sent: t.sent ? SO100_MOTORS.map((m) => t.sent![m]) : undefined, starved: t.starved, chunkBoundary: t.chunkBoundary,
    clamped: t.clamped.map((c) => ({ motor: c.motor, reason: c.reason })), stageMs: { ...t.stageMs },
  };
}
