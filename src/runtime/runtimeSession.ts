// The runtime's one session: an arm, the cameras (and the simulated scene they may look at), the policy clients
// and at most one episode at a time, driven by the commands of runtimeProtocol.ts and reporting through an event
// sink. The RPC server and the CLI both use it.
import { jointUnits, type So100Config } from '../core/config';
import { inspectionReport, type InspectionReport } from '../core/convert';
import type {
  CalibrationAnswer,
  CalibrationStarted,
  ConfigApplied,
  EpisodeSummary,
  RuntimeMethod,
  RuntimeModelEndpoint,
  RuntimePhase,
  RuntimeSetup,
  RuntimeStatus,
  TickTelemetry,
} from '../core/rpc';
import { METHOD_PHASES, phaseRefusal } from '../core/rpc';
import type { FeetechBusSim } from '../core/sim';
import { fromMotorVector, toMotorVector } from '../core/so100';
import type { PolicyClient } from '../io/policy/policyClient';
import type { FeetechBusStats } from '../io/serial/feetechBusStats';
import { glideTo } from './armGlide';
import type { EpisodeEventKind, EpisodeRecorder } from '../io/recording/episodeRecorder';
import { ArmWarnings } from './armWarnings';
import { applyConfig } from './configApply';
import { assembleEpisode, type AssembledEpisode } from './episodeAssembly';
import { closeFailedEpisode, closeFinishedEpisode } from './episodeClose';
import type { EpisodeLoop, EpisodeResult } from './episodeLoop';
import { inspectRecordedTick, type RecordedTickRequest } from './recordedTick';
import { runConverterOnExchange } from './converterRun';
import { RuntimePhaseError, type RuntimeEventSink } from './runtimeEventSink';
import { SessionCalibration } from './sessionCalibration';
import { newConnectAttempt, openConnection, type ConnectAttempt, type Connection } from './sessionConnection';
import { SessionConverter } from './sessionConverter';
import { connectSwapClient, swapClientFor } from './modelSwap';
import { placeGripperObstacle, sceneTask } from './sessionParts';
import { TickPublisher, chunkEvent, tickTelemetry } from './tickTelemetry';
import type { Clock } from '../core/timing/clock';
import { wallClock } from '../io/clock/wallClock';

export { RuntimePhaseError, type RuntimeEventSink } from './runtimeEventSink';

interface Running {
  readonly number: number;
  readonly loop: EpisodeLoop;
  readonly done: Promise<EpisodeSummary>;
  /** Keeps the episode's events beside its ticks (absent when the config records nothing). */
  readonly recorder: EpisodeRecorder | undefined;
}

export class RuntimeSession {
  private phase: RuntimePhase = 'idle';
  private conn: Connection | undefined;
  private episode: Running | undefined;
  private episodes = 0;
  private activeModel: string | undefined;
  droppedTelemetry = 0;
  /** droppedTelemetry when the current (or last) episode started. */
  private droppedBeforeEpisode = 0;
  /** The connect in progress: `disconnect` aborts it and waits until it has cleaned up; an e-stop makes the arm limp. */
  private connecting: ConnectAttempt | undefined;
  /** Aborted by every emergency stop: policy connects (connect, swap) and the reset glide listen to it. */
  private estops = new AbortController();
  private readonly converter: SessionConverter;
  private readonly calibration: SessionCalibration;
  private readonly armWarnings = new ArmWarnings((m) => this.warn(m, 'fault'));
  private readonly telemetry: TickPublisher;

  constructor(
    private readonly sink: RuntimeEventSink,
    private readonly workspace: string = process.cwd(),
    /**
     * The clock episodes, resets and the simulated parts run on. A virtual one (campaigns on the simulator and the
     * built-in policies) runs them faster than real time; the caller checks it applies (core/evaluation/clockChoice).
     */
    readonly clock: Clock = wallClock,
  ) {
    this.converter = new SessionConverter({
      workspace,
      sink,
      warn: (m) => this.warn(m),
      runningLoop: () => this.episode?.loop,
    });
    this.calibration = new SessionCalibration(workspace, sink);
    this.telemetry = new TickPublisher(sink);
  }

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
        reconnected: (m) => this.warn(m, 'reconnect'),
        onServoWarning: (r) => this.armWarnings.servoWarning(r, this.conn?.arm.label ?? 'the arm'),
        makeConverter: (config) => this.converter.make(config),
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
    await this.converter.retryFailed(conn);
    const number = ++this.episodes;
    this.droppedBeforeEpisode = this.droppedTelemetry;
    // Every episode starts with the cube back on the table (the arm stays where it is: Reset moves it).
    if (number > 1) this.newScene(conn);
    const assembled = await assembleEpisode(
      conn,
      {
        number,
        model: this.activeModel,
        client: conn.clients.get(this.activeModel!)!,
        startPaused: options.startPaused,
      },
      {
        clock: this.clock,
        warn: (m) => this.warn(m),
        onBegin: () => this.armWarnings.newEpisode(),
        onTick: (t) => this.telemetry.publish(number, t, this.conn?.config.fps ?? 30),
        onChunk: (c) => this.sink.emit('chunk', chunkEvent(number, c)),
      },
    );
    const { loop } = assembled;
    const done = this.finishEpisode(number, assembled);
    this.episode = { number, loop, done, recorder: assembled.recorder };
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
    if (this.calibration.active) {
      await this.calibration.end();
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
    const client = swapClientFor(conn, model, endpoint, {
      clock: this.clock,
      warn: (m) => this.warn(m, 'reconnect'), // the swapped-in client's reconnects
    });
    if (model === this.activeModel) return this.status();
    await connectSwapClient(client, model, this.estops.signal, () => this.activeModel);
    this.episode?.loop.swapClient(client);
    this.episode?.recorder?.recordEvent('swap', `${this.activeModel ?? 'no model'} → ${model}`);
    this.activeModel = model;
    this.emitState();
    return this.status();
  }

  /** Applies a changed config by class: hot settings now, the rest next episode or by the host (see ConfigApplied). */
  async applyConfig(next: So100Config): Promise<ConfigApplied> {
    const conn = this.connectionFor('applyConfig');
    const applied = await applyConfig(conn, next, {
      runningLoop: () => this.episode?.loop,
      converter: this.converter,
      warn: (m) => this.warn(m),
    });
    this.emitState();
    return applied;
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
    try {
      return await this.calibration.start(config.robot, () => this.setPhase('idle'));
    } catch (err) {
      this.setPhase('idle');
      throw err;
    }
  }

  /** The person's answer to the calibration's current step. */
  calibrationAnswer(answer: CalibrationAnswer): void {
    this.allow('calibrationAnswer');
    this.calibration.answer(answer);
  }

  /** Simulated arm: sweeps every joint through its travel for the range recording. */
  calibrationSweep(): Promise<void> {
    this.allow('calibrationSweep');
    return this.calibration.sweep();
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
    await this.calibration.end();
    await this.stop();
    await this.release();
    this.setPhase('idle');
    return this.status();
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
    this.converter.forget();
    if (!conn) return;
    conn.converter[Symbol.dispose]?.();
    await Promise.allSettled([...conn.clients.values()].map((c) => c.close()));
    await conn.cameras.close();
    await conn.arm.robot
      .disconnect()
      .catch((e: unknown) => this.warn(`disconnecting the arm: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async finishEpisode(number: number, assembled: AssembledEpisode): Promise<EpisodeSummary> {
    let result: EpisodeResult;
    const busBefore = this.conn?.arm.robot.busStats;
    try {
      result = await assembled.loop.run();
    } catch (err) {
      // The arm or its bus failed mid-tick: make it safe if it still answers, and drop the connection.
      const message = err instanceof Error ? err.message : String(err);
      this.reportBusErrors(busBefore);
      await this.conn?.arm.robot.torqueOff().catch(() => undefined);
      const summary = await closeFailedEpisode(assembled, number, message);
      this.episode = undefined;
      await this.release();
      this.setPhase('idle');
      this.sink.emit('episodeEnded', summary);
      return summary;
    }
    this.reportBusErrors(busBefore);
    const summary = await closeFinishedEpisode(assembled, number, result, (m) => this.warn(m));
    if (this.episode?.number === number) this.episode = undefined;
    if (this.phase === 'running' || this.phase === 'paused') this.setPhase('connected');
    this.sink.emit('episodeEnded', summary);
    return summary;
  }

  /** Checksum failures the bus recovered from during the episode (see ArmWarnings.busErrors). */
  private reportBusErrors(before: FeetechBusStats | undefined): void {
    const conn = this.conn;
    if (!conn || !before) return;
    this.armWarnings.busErrors(conn.arm.label, before, conn.arm.robot.busStats);
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

  /** Tells the hosts, and keeps it in the running episode's record (the viewer marks it by kind). */
  private warn(message: string, kind: EpisodeEventKind = 'warning'): void {
    this.sink.emit('warning', { message });
    this.episode?.recorder?.recordEvent(kind, message);
  }
}
