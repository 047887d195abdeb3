// The runtime's one session: an arm, the cameras (and the simulated scene they may look at), the policy clients
// and at most one episode at a time, driven by the commands of runtimeProtocol.ts and reporting through an event
// sink. The RPC server and the CLI both use it.
import { ChunkScheduler } from '../core/chunking';
import {
  classifyChanges,
  toActionSafetyOptions,
  jointUnits,
  toChunkSchedulerOptions,
  type So100Config,
} from '../core/config';
import { inspectionReport, type Converter, type InspectionReport } from '../core/convert';
import type {
  CalibrationAnswer,
  CalibrationStarted,
  ConfigApplied,
  ConverterCompiled,
  EpisodeSummary,
  RuntimeEventName,
  RuntimeEvents,
  RuntimeMethod,
  RuntimeModelEndpoint,
  RuntimePhase,
  RuntimeSetup,
  RuntimeStatus,
  TickTelemetry,
} from '../core/rpc';
import { endedEarlySummary, METHOD_PHASES, phaseRefusal } from '../core/rpc';
import { POLICY_PROTOCOLS } from '../core/protocols';
import type { FeetechBusSim } from '../core/sim';
import { SO100_MOTORS, fromMotorVector, toMotorVector, type ServoErrorReport } from '../core/so100';
import { summarizeStages } from '../core/timing/percentiles';
import { UserConverter, UserConverterError } from '../io/convert';
import type { PolicyClient } from '../io/policy/policyClient';
import type { FeetechBusStats } from '../io/serial/feetechBus';
import { CameraFrameRecorder, EpisodeRecorder } from '../io/recording';
import { glideTo } from './armGlide';
import { EpisodeLoop, type EpisodeResult, type TickReport } from './episodeLoop';
import { CalibrationRun } from './calibrationRun';
import { inspectRecordedTick, type RecordedTickRequest } from './recordedTick';
import { runConverterOnExchange } from './converterRun';
import {
  EmergencyStopError,
  newConnectAttempt,
  openConnection,
  type ConnectAttempt,
  type Connection,
} from './sessionConnection';
import {
  endpointOf,
  inProcessClient,
  makeConverter,
  placeGripperObstacle,
  policyClient,
  sceneTask,
  sceneWorld,
} from './sessionParts';
import type { Clock } from '../core/timing/clock';
import { wallClock } from '../io/clock/wallClock';

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

interface Running {
  readonly number: number;
  readonly loop: EpisodeLoop;
  readonly done: Promise<EpisodeSummary>;
}

export class RuntimeSession {
  private phase: RuntimePhase = 'idle';
  private conn: Connection | undefined;
  /** Why the converter module the connection's config names did not load (the previous converter is still in place). */
  private converterFailed: UserConverterError | undefined;
  private episode: Running | undefined;
  private calibration: CalibrationRun | undefined;
  private episodes = 0;
  private activeModel: string | undefined;
  /** When the next telemetry frame is due (performance.now() clock). */
  private nextFrameMs = -Infinity;
  droppedTelemetry = 0;
  /** droppedTelemetry when the current (or last) episode started. */
  private droppedBeforeEpisode = 0;
  /** The connect in progress: `disconnect` aborts it and waits until it has cleaned up; an e-stop makes the arm limp. */
  private connecting: ConnectAttempt | undefined;
  /** Aborted by every emergency stop: policy connects (connect, swap) and the reset glide listen to it. */
  private estops = new AbortController();
  /** Tolerated servo error reports already told this episode (id:errorByte). */
  private readonly servoWarned = new Set<string>();

  constructor(
    private readonly sink: RuntimeEventSink,
    private readonly workspace: string = process.cwd(),
    /**
     * The clock episodes, resets and the simulated parts run on. A virtual one (campaigns on the simulator and the
     * built-in policies) runs them faster than real time; the caller checks it applies (core/evaluation/clockChoice).
     */
    readonly clock: Clock = wallClock,
  ) {}

  status(): RuntimeStatus {
    const c = this.conn?.config;
    return {
      phase: this.phase,
      activeModel: this.activeModel,
      models: c ? Object.keys(c.models) : [],
      episode: this.episode?.number,
      step: this.episode?.loop.stepCount,
      maxSteps: c?.maxSteps,
      fps: c?.fps,
      robot: this.conn?.arm.label,
      jointRanges: this.conn?.jointRanges,
      ...(c && {
        jointUnits: jointUnits(c.robot.normMode),
      }),
      droppedTelemetry: this.droppedTelemetry,
      episodeDroppedTelemetry: this.episodes > 0 ? this.droppedTelemetry - this.droppedBeforeEpisode : 0,
    };
  }

  /** The active model's client, once connected. */
  activeClient(): PolicyClient | undefined {
    return this.activeModel === undefined ? undefined : this.conn?.clients.get(this.activeModel);
  }

  /** The simulated arm's bus when the arm is the embedded simulator: faults are injected and goals read here. */
  get simulatedBus(): FeetechBusSim | undefined {
    return this.conn?.arm.sim ?? this.connecting?.arm?.sim;
  }

  /** Firmware version of the connected arm's servos. */
  get firmware(): string | undefined {
    return this.conn?.arm.robot.firmware;
  }

  /** Connects the arm, the cameras, the converter and the active model's client (whose server must answer). */
  async connect(setup: RuntimeSetup): Promise<RuntimeStatus> {
    this.allow('connect');
    await this.release();
    this.setPhase('connecting');
    const attempt = newConnectAttempt();
    this.connecting = attempt;
    try {
      this.conn = await openConnection(setup, attempt, {
        workspace: this.workspace,
        estop: this.estops.signal,
        warn: (m) => this.warn(m),
        onServoWarning: (r) => this.servoWarning(r),
        makeConverter: (config) => this.makeWatchedConverter(config),
        clock: this.clock,
      });
      this.activeModel = setup.config.activeModel;
      this.setPhase('connected');
      return this.status();
    } catch (err) {
      this.setPhase(attempt.estopped ? 'estopped' : 'idle');
      throw err;
    } finally {
      if (this.connecting === attempt) this.connecting = undefined;
      attempt.done();
    }
  }

  /** Starts an episode (paused when asked) and returns at once; `episodeEnded` tells how it went. */
  async runEpisode(options: { readonly startPaused?: boolean } = {}): Promise<RuntimeStatus> {
    const conn = this.connectionFor('runEpisode');
    await this.retryFailedConverter(conn);
    const config = conn.config;
    const number = ++this.episodes;
    this.droppedBeforeEpisode = this.droppedTelemetry;
    // Every episode starts with the cube back on the table (the arm stays where it is: Reset moves it).
    if (number > 1) this.newScene(conn);
    const client = conn.clients.get(this.activeModel!)!;
    const recorder =
      conn.recordDir === undefined
        ? undefined
        : await EpisodeRecorder.create(
            conn.recordDir,
            {
              config,
              model: this.activeModel,
            },
            { onWriteError: (e) => this.warn(e.message), originMs: this.clock.now() },
          );
    conn.exchange.beginEpisode(number);
    this.servoWarned.clear();
    const frames =
      recorder && config.record.frames !== 'none'
        ? await CameraFrameRecorder.create(recorder.dir, conn.cameras.descriptors, {
            fps: config.fps,
            mode: config.record.frames,
            pngEvery: config.record.pngEvery,
            ffmpegPath: conn.ffmpegPath,
            onError: (e) => this.warn(e.message),
          })
        : undefined;
    const loop = new EpisodeLoop(
      {
        robot: conn.arm.robot,
        client,
        converter: conn.converter,
        world: conn.scene && sceneWorld(conn.scene, conn.arm),
        cameras: conn.cameras,
        // Where a reply's row 0 belongs is the protocol's (awesome-lerobot: the next action of the server's queue).
        scheduler: new ChunkScheduler(
          toChunkSchedulerOptions(config.chunking),
          POLICY_PROTOCOLS[client.protocol].alignment,
        ),
      },
      {
        fps: config.fps,
        maxSteps: config.maxSteps,
        task: config.task,
        requestTimeoutMs: config.requestTimeoutMs,
        maxPolicyFailures: config.maxPolicyFailures,
        startPaused: options.startPaused,
        recorder,
        exchange: conn.exchange,
        jointRanges: conn.jointRanges,
        clock: this.clock,
        onTick: (t) => {
          frames?.record(t.index, t.images);
          // Virtual time outruns the real encoder: the clock waits until the next frame has room.
          if (frames && this.clock.kind === 'virtual') void this.clock.track(frames.room());
          this.onTick(number, t);
        },
        onChunk: (c) =>
          this.sink.emit('chunk', {
            episode: number,
            requestId: c.requestId,
            observationTick: c.observationTick,
            horizon: c.horizon,
            dims: c.dims,
            targets: Array.from(c.targets),
            accepted: c.accepted,
            latencyMs: c.latencyMs,
          }),
        onWarning: (m) => this.warn(m),
      },
    );
    const done = this.finishEpisode(number, loop, recorder, frames);
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
    this.allow('step');
    if (this.phase === 'connected') await this.runEpisode({ startPaused: true });
    // The episode may have ended (or been e-stopped) meanwhile.
    if (this.phase !== 'paused' || !this.episode)
      throw new RuntimePhaseError(phaseRefusal('step', this.phase) ?? 'cannot step: the episode ended');
    const number = this.episode.number;
    const report = await this.episode.loop.step();
    return report ? tickTelemetry(number, report) : null;
  }

  pause(): RuntimeStatus {
    this.allow('pause');
    this.episode!.loop.pause();
    this.setPhase('paused');
    return this.status();
  }

  resume(): RuntimeStatus {
    this.allow('resume');
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
    // First stop whatever is about to move the arm or bring a policy in: a reset glide, a connect, a swap.
    this.estops.abort();
    this.estops = new AbortController();
    // Calibration turns torque off as its first step: ending it leaves the arm limp.
    if (this.calibration) {
      await this.endCalibration();
      return { torqueOff: true, failedMotors: [] };
    }
    const conn = this.conn;
    if (!conn) return this.estopWhileConnecting();
    const { failed } = this.episode ? await this.episode.loop.estop() : await conn.arm.robot.torqueOff();
    this.setPhase('estopped');
    await this.episode?.done;
    this.setPhase('estopped');
    if (failed.length)
      this.warn(`emergency stop: ${failed.join(', ')} did not confirm torque off; switch the arm's power off`);
    return { torqueOff: failed.length === 0, failedMotors: failed };
  }

  /** E-stop during connect: the arm, once its connect settles, goes limp; connect() then fails saying why. */
  private async estopWhileConnecting(): Promise<{
    readonly torqueOff: boolean;
    readonly failedMotors: readonly string[];
  }> {
    const attempt = this.connecting;
    if (!attempt) return { torqueOff: false, failedMotors: [] };
    attempt.estopped = true;
    const arm = attempt.arm ?? (await attempt.armConnect?.catch(() => undefined));
    const { failed } = arm ? await arm.robot.torqueOff() : { failed: [] };
    this.setPhase('estopped');
    if (failed.length)
      this.warn(`emergency stop: ${failed.join(', ')} did not confirm torque off; switch the arm's power off`);
    return { torqueOff: failed.length === 0, failedMotors: failed };
  }

  /** Ends any episode, glides the arm back to its start pose, resets the policy and the scene. */
  async reset(): Promise<RuntimeStatus> {
    const conn = this.connectionFor('reset');
    await this.stop();
    this.setPhase('resetting');
    const estop = this.estops.signal;
    try {
      // A varied scene decides the arm's start pose too (degrees; in other units the pose measured at connect).
      this.newScene(conn);
      const seeded = conn.scene?.scene?.armStart;
      const pose =
        seeded && conn.config.robot.normMode === 'degrees'
          ? fromMotorVector(Float64Array.from(seeded))
          : conn.startPose;
      const glide = await glideTo(conn.arm.robot, pose, { fps: conn.config.fps, signal: estop, clock: this.clock });
      if (estop.aborted) return this.status(); // the e-stop left the arm limp where it was
      if (!glide.reached)
        this.warn(
          `reset: the arm stopped ${glide.remaining.toFixed(1)} units short of its start pose after ${glide.ticks} ticks`,
        );
      await conn.clients.get(this.activeModel!)!.reset();
    } finally {
      if (this.phase === 'resetting') this.setPhase('connected');
    }
    return this.status();
  }

  /** Uses another configured model from the next tick (or the next episode). */
  async swapModel(model: string, endpoint?: RuntimeModelEndpoint): Promise<RuntimeStatus> {
    const conn = this.connectionFor('swapModel');
    let client = conn.clients.get(model);
    if (endpoint) {
      conn.endpoints.set(model, endpoint);
      // The host restarted that model's server elsewhere: the old client points at nothing.
      if (client && client.url !== endpoint.url) {
        void client.close();
        conn.clients.delete(model);
        client = undefined;
      }
    }
    if (!client) {
      client =
        inProcessClient(conn.config, model, this.clock) ??
        policyClient(
          model,
          endpointOf(conn.config, model, Object.fromEntries(conn.endpoints)),
          conn.config.requestTimeoutMs,
          (m) => this.warn(m),
        );
      conn.clients.set(model, client);
    }
    if (model === this.activeModel) return this.status();
    const estop = this.estops.signal;
    const stopped = (cause?: unknown) =>
      new EmergencyStopError(
        `emergency stop during the swap to "${model}": the arm is limp; ${this.activeModel ?? 'no model'} stays active`,
        { cause },
      );
    try {
      await client.connect(estop);
    } catch (err) {
      throw estop.aborted ? stopped(err) : err;
    }
    if (estop.aborted) throw stopped();
    this.episode?.loop.swapClient(client);
    this.activeModel = model;
    this.emitState();
    return this.status();
  }

  /** Applies a changed config by class: hot settings now, the rest next episode or by the host (see ConfigApplied). */
  async applyConfig(next: So100Config): Promise<ConfigApplied> {
    const conn = this.connectionFor('applyConfig');
    const changes = classifyChanges(conn.config, next);
    const applied: string[] = [];
    const nextEpisode: string[] = [];
    const needs: ConfigApplied['needs'][number][] = [];
    for (const c of changes) {
      if (c.class === 'reconnect-arm' || c.class === 'restart-server') needs.push({ path: c.path, class: c.class });
      else if (c.class === 'next-episode' && this.episode) nextEpisode.push(c.path);
      else applied.push(c.path); // hot, or next-episode with no episode running: the next one is built from `next`
    }
    // Hot chunking keys (the seam remedy among them) reach the running scheduler; a mode change is next-episode.
    if (this.episode && changes.some((c) => c.class === 'hot' && c.path.startsWith('chunking.')))
      try {
        this.episode.loop.setChunking(toChunkSchedulerOptions(next.chunking));
      } catch (err) {
        this.warn(`chunking was not applied: ${err instanceof Error ? err.message : String(err)}`);
      }
    if (changes.some((c) => c.path.startsWith('converter'))) {
      try {
        this.swapConverter(conn, await this.makeWatchedConverter(next));
        this.converterFailed = undefined;
      } catch (err) {
        if (!(err instanceof UserConverterError)) throw err;
        // The converter in use stays; no new episode starts on it, since the config names another one.
        this.converterFailed = err;
        this.warn(
          `${err.message} — ${this.episode ? 'the running episode keeps the previous converter; ' : ''}` +
            'no episode starts until the module loads (fix it and save)',
        );
      }
    }
    const safety = toActionSafetyOptions(next.robot);
    conn.arm.robot.setMaxStep(safety.maxStep);
    conn.arm.robot.setDisableTorqueOnDisconnect(next.robot.disconnect !== 'hold');
    conn.config = next;
    this.episode?.loop.applySettings({
      fps: next.fps,
      task: next.task,
      maxSteps: next.maxSteps,
      requestTimeoutMs: next.requestTimeoutMs,
      maxPolicyFailures: next.maxPolicyFailures,
    });
    this.emitState();
    return { applied, nextEpisode, needs };
  }

  /** The loop's last exchange, summarised and linted (notes say what is missing). */
  inspect(): InspectionReport {
    const conn = this.conn;
    if (!conn)
      return {
        ...inspectionReport('episode', { converter: '(not connected)' }),
        notes: ['not connected: run an episode (or Step) first'],
      };
    return inspectionReport(
      'episode',
      conn.exchange.snapshot(conn.converter.name, conn.converter.layout),
      conn.config.robot.normMode,
    );
  }

  /**
   * Runs a fresh converter (`module`, else the configured one, as the files are now) on the last observation and
   * the last reply. With no observation kept and no episode running, the arm and cameras are read once for it.
   * The user's exceptions come back in the report's `error`.
   */
  async runConverter(module?: string): Promise<InspectionReport> {
    const conn = this.connectionFor('runConverter');
    const { config, exchange } = conn;
    if (!exchange.observation && this.phase === 'connected') {
      const positions = (await conn.arm.robot.observe()).positions;
      exchange.observe(undefined, {
        positions,
        images: conn.cameras.capture(toMotorVector(positions)),
        task: config.task,
      });
    }
    return runConverterOnExchange({ workspace: this.workspace, config, exchange, module });
  }

  /**
   * Starts LeRobot's calibration of `config.robot` on its own bus (a connected arm is released first) and returns
   * at once; the flow's events tell the rest. Refused while an episode runs.
   */
  async calibrate(config: So100Config): Promise<CalibrationStarted> {
    this.allow('calibrate');
    await this.release();
    this.setPhase('calibrating');
    let run: CalibrationRun;
    try {
      run = await CalibrationRun.start(config.robot, this.workspace, (event, data) => this.sink.emit(event, data));
    } catch (err) {
      this.setPhase('idle');
      throw err;
    }
    this.calibration = run;
    void run.ended.then(() => {
      if (this.calibration !== run) return;
      this.calibration = undefined;
      this.setPhase('idle');
    });
    return run.started;
  }

  /** The person's answer to the calibration's current step. */
  calibrationAnswer(answer: CalibrationAnswer): void {
    this.requireCalibration('calibrationAnswer').answer(answer);
  }

  /** Simulated arm: sweeps every joint through its travel for the range recording. */
  calibrationSweep(): Promise<void> {
    return this.requireCalibration('calibrationSweep').sweep();
  }

  /** The converter of `req.config` (or `req.module`) on a recorded tick; needs no connection. */
  inspectRecordedTick(req: Omit<RecordedTickRequest, 'workspace'>): Promise<InspectionReport> {
    return inspectRecordedTick({
      ...req,
      workspace: this.workspace,
      ffmpegPath: req.ffmpegPath ?? this.conn?.ffmpegPath,
    });
  }

  /** Ends any episode, leaves the arm as configured (limp by default) and closes the clients and cameras. */
  async disconnect(): Promise<RuntimeStatus> {
    const connecting = this.connecting;
    if (connecting) {
      connecting.abort.abort();
      await connecting.settled;
    }
    await this.endCalibration();
    await this.stop();
    await this.release();
    this.setPhase('idle');
    return this.status();
  }

  private swapConverter(conn: Connection, converter: Converter & Partial<Disposable>): void {
    conn.converter[Symbol.dispose]?.();
    conn.converter = converter;
    this.episode?.loop.setConverter(converter); // the next request uses it
  }

  /**
   * A converter module the config names but that did not load (an edit of so100.json while connected) is
   * compiled again; still failing, the episode does not start: it would run on a converter the config no longer names.
   */
  private async retryFailedConverter(conn: Connection): Promise<void> {
    if (!this.converterFailed) return;
    this.swapConverter(conn, await this.makeWatchedConverter(conn.config));
    this.converterFailed = undefined;
  }

  /** makeConverter, reporting a user module's compiles (`converterCompiled`) at load and after every edit. */
  private async makeWatchedConverter(config: So100Config): Promise<Converter & Partial<Disposable>> {
    let converter: Converter & Partial<Disposable>;
    try {
      converter = await makeConverter(config.converter, this.workspace);
    } catch (err) {
      if (err instanceof UserConverterError) this.sink.emit('converterCompiled', compileFailure(err.file, err));
      throw err;
    }
    if (converter instanceof UserConverter) {
      const uc = converter;
      this.sink.emit('converterCompiled', { module: uc.name, ok: true, inputs: [...uc.inputs] });
      uc.on('reloaded', (inputs) =>
        this.sink.emit('converterCompiled', { module: uc.name, ok: true, inputs: [...inputs] }),
      );
      uc.on('compileFailed', (_d, err) => {
        this.sink.emit('converterCompiled', compileFailure(uc.name, err));
        this.warn(`${err.message} — the previous version keeps running`);
      });
    }
    return converter;
  }

  private requireCalibration(method: 'calibrationAnswer' | 'calibrationSweep'): CalibrationRun {
    this.allow(method);
    if (!this.calibration)
      throw new RuntimePhaseError('no calibration is in progress; start one with SO-100: Calibrate Arm');
    return this.calibration;
  }

  /** Cancels a calibration in progress and waits until its bus is closed. */
  private async endCalibration(): Promise<void> {
    const run = this.calibration;
    if (!run) return;
    run.cancel();
    await run.ended;
  }

  private newScene(conn: Connection): void {
    if (!conn.scene) return;
    conn.scene = sceneTask(conn.config.robot);
    conn.cameras.setScene(conn.scene);
    placeGripperObstacle(conn.scene, conn.arm);
  }

  private async release(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.converterFailed = undefined;
    if (!conn) return;
    conn.converter[Symbol.dispose]?.();
    await Promise.allSettled([...conn.clients.values()].map((c) => c.close()));
    await conn.cameras.close();
    await conn.arm.robot
      .disconnect()
      .catch((e: unknown) => this.warn(`disconnecting the arm: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async finishEpisode(
    number: number,
    loop: EpisodeLoop,
    recorder: EpisodeRecorder | undefined,
    frames: CameraFrameRecorder | undefined,
  ): Promise<EpisodeSummary> {
    let result: EpisodeResult;
    const busBefore = this.conn?.arm.robot.busStats;
    try {
      result = await loop.run();
    } catch (err) {
      // The arm or its bus failed mid-tick: make it safe if it still answers, and drop the connection.
      const message = err instanceof Error ? err.message : String(err);
      const reason = `the arm failed: ${message}`;
      this.reportBusErrors(busBefore);
      await this.conn?.arm.robot.torqueOff().catch(() => undefined);
      await frames?.abort(message);
      await recorder?.abort(reason, loop.stepCount);
      const summary = endedEarlySummary(number, reason, loop.stepCount, recorder?.dir);
      this.episode = undefined;
      await this.release();
      this.setPhase('idle');
      this.sink.emit('episodeEnded', summary);
      return summary;
    }
    this.reportBusErrors(busBefore);
    const frameSummary = await frames?.finish();
    if (frameSummary && frameSummary.mode !== frameSummary.requestedMode)
      this.warn(`camera frames: ${frameSummary.why}`);
    await recorder?.finish(result);
    const { timing, ...counts } = result;
    const summary: EpisodeSummary = {
      episode: number,
      ...counts,
      timing: summarizeStages(timing).filter((s) => s.count > 0),
      recordDir: recorder?.dir,
    };
    if (this.episode?.number === number) this.episode = undefined;
    if (this.phase === 'running' || this.phase === 'paused') this.setPhase('connected');
    this.sink.emit('episodeEnded', summary);
    return summary;
  }

  /** Checksum failures the bus recovered from during the episode: harmless once, a cable or id problem if frequent. */
  private reportBusErrors(before: FeetechBusStats | undefined): void {
    const conn = this.conn;
    if (!conn || !before) return;
    const now = conn.arm.robot.busStats;
    const corrupt = now.corrupt - before.corrupt;
    if (corrupt === 0) return;
    const retried = now.retries - before.retries + now.resends - before.resends;
    this.warn(
      `${corrupt} corrupt status packet${corrupt === 1 ? '' : 's'} (checksum errors) on ${conn.arm.label} during the episode; ` +
        `${retried} request${retried === 1 ? ' was' : 's were'} sent again. Now and then is noise; often means a loose 3-pin cable, ` +
        'a long or unshielded USB cable, or two servos sharing an id.',
    );
  }

  /** Error bits that do not stop the arm (the gripper's grasp overload): told once per servo and bits per episode. */
  private servoWarning(report: ServoErrorReport): void {
    const key = `${report.id}:${report.errorByte}`;
    if (this.servoWarned.has(key)) return;
    this.servoWarned.add(key);
    const bits =
      report.tolerated.length > 0
        ? report.tolerated.join(' + ')
        : `status 0x${report.errorByte.toString(16).padStart(2, '0')}`;
    const why =
      report.motor === 'gripper' && report.tolerated.includes('overload')
        ? 'a grasp that squeezes trips the overload protection (torque drops to 25 %); if nothing is held, check for a jam'
        : 'not a reason to stop, but watch it';
    this.warn(
      `servo ${report.id} (${report.motor}) on ${this.conn?.arm.label ?? 'the arm'} reports ${bits}: ${why}. The episode goes on.`,
    );
  }

  private onTick(episode: number, t: TickReport): void {
    this.sink.emit('tick', tickTelemetry(episode, t));
    const fps = this.sink.frameFps();
    if (fps <= 0) return;
    // Frames fall due every 1/fps on a fixed grid, with half a tick of slack: ticks start up to a millisecond or
    // two early or late (ms timers), and "since the last frame < 1/fps" skipped every other tick when the frame
    // rate matched the loop's (30 fps asked at 30 Hz, ~18 delivered). After a stall the grid restarts, no burst.
    const now = performance.now();
    const slack = 500 / (this.conn?.config.fps ?? 30);
    if (now < this.nextFrameMs - slack) return;
    const interval = 1000 / fps;
    this.nextFrameMs = now - this.nextFrameMs > interval ? now + interval : this.nextFrameMs + interval;
    for (const [camera, f] of Object.entries(t.images)) {
      // The loop reuses its buffers; the sink gets its own copy.
      this.sink.emit('frame', {
        episode,
        tick: t.index,
        camera,
        width: f.width,
        height: f.height,
        rgb: f.data.slice(),
      });
    }
  }

  /** Refuses `method` outside the phases the table (core/rpc/methodPhases.ts) gives it, saying what to do first. */
  private allow(method: RuntimeMethod): void {
    const refusal = phaseRefusal(method, this.phase);
    if (refusal) throw new RuntimePhaseError(refusal);
  }

  /** The connection, for a method the table allows only while one is held. */
  private connectionFor(method: RuntimeMethod): Connection {
    this.allow(method);
    if (!this.conn) throw new RuntimePhaseError(`cannot ${METHOD_PHASES[method].verb}: connect first`);
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

function compileFailure(module: string, err: UserConverterError): ConverterCompiled {
  const d = err.diagnostic();
  const at = d.line === undefined ? {} : { line: d.line, ...(d.column !== undefined && { column: d.column }) };
  return { module, ok: false, error: { file: d.file, ...at, message: d.message } };
}

function tickTelemetry(episode: number, t: TickReport): TickTelemetry {
  return {
    episode,
    index: t.index,
    atMs: t.atMs,
    lateMs: t.lateMs,
    measured: Array.from(toMotorVector(t.positions)),
    sent: t.sent ? SO100_MOTORS.map((m) => t.sent![m]) : undefined,
    starved: t.starved,
    chunkBoundary: t.chunkBoundary,
    ...(t.seamRatio !== undefined && Number.isFinite(t.seamRatio) && { seamRatio: t.seamRatio }),
    clamped: t.clamped.map((c) => ({ motor: c.motor, reason: c.reason })),
    stageMs: { ...t.stageMs },
  };
}
