// The runtime's side of the socket: requests become RuntimeSession commands, the session's events fan out to
// every connected host, each with its own subscription and its own back-pressure.
import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { parseConfig, type So100Config } from '../../core/config';
import { isPolicyProtocol, POLICY_PROTOCOL_NAMES } from '../../core/protocols';
import type {
  RpcRequest,
  RuntimeEventName,
  RuntimeEvents,
  RuntimeMethod,
  RuntimeMethods,
  RuntimeModelEndpoint,
  RuntimeSetup,
  RuntimeStatus,
  EvaluationRequest,
} from '../../core/rpc';
import {
  campaignRefusal,
  EVALUATION_ANSWERS,
  isEvaluationAnswer,
  isRuntimeMethod,
  phaseRefusal,
  RUNTIME_METHODS,
} from '../../core/rpc';
import { CLOCK_CHOICES, type ClockChoice } from '../../core/evaluation';
import { CALIBRATION_ANSWERS, type CalibrationAnswer } from '../../core/so100';
import { RuntimeSession, type RuntimeEventSink } from '../runtimeSession';
import { checkArmDriver } from '../sessionParts';
import { ReplayRunner } from '../replayRunner';
import { EvaluationRun } from '../evaluationRun';
import { FrameChannel } from './frameChannel';

interface Subscription {
  ticks: boolean;
  chunks: boolean;
  frameFps: number;
}

/** Params that break the protocol's types; the reply names the field. */
export class RuntimeParamsError extends Error {
  override readonly name = 'RuntimeParamsError';
}

export class RuntimeServer implements RuntimeEventSink {
  readonly session: RuntimeSession;
  private readonly replays: ReplayRunner;
  private readonly server: Server;
  private readonly channels = new Map<FrameChannel, Subscription>();
  private shutdownRequested: (() => void) | undefined;
  /** The campaign this runtime runs, if any (one at a time; it owns the session while it runs). */
  private evaluation: EvaluationRun | undefined;
  private evaluationStarting = false;
  /** Resolves when a host asked for `shutdown`. */
  readonly shutdown: Promise<void>;

  private constructor(
    readonly socketPath: string,
    private readonly workspace: string,
  ) {
    this.session = new RuntimeSession(this, workspace);
    this.replays = new ReplayRunner(this, workspace);
    this.server = createServer((socket) => this.accept(socket));
    this.shutdown = new Promise((r) => {
      this.shutdownRequested = r;
    });
  }

  static async listen(socketPath: string, workspace: string): Promise<RuntimeServer> {
    if (process.platform !== 'win32') await rm(socketPath, { force: true });
    const s = new RuntimeServer(socketPath, workspace);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(socketPath, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    // The session knows its phase; whether a campaign drives it is known here, so every state says both.
    if (event === 'state') data = this.withEvaluation(data as RuntimeStatus) as RuntimeEvents[E];
    for (const [channel, sub] of this.channels) {
      if (
        (event === 'tick' && !sub.ticks) ||
        (event === 'chunk' && !sub.chunks) ||
        (event === 'frame' && sub.frameFps <= 0)
      )
        continue;
      if (!channel.send({ type: 'event', event, data })) this.session.droppedTelemetry++;
    }
  }

  private withEvaluation(status: RuntimeStatus): RuntimeStatus {
    const evaluation = this.evaluation?.started.outDir;
    return evaluation === undefined ? status : { ...status, evaluation };
  }

  private status(): RuntimeStatus {
    return this.withEvaluation(this.session.status());
  }

  frameFps(): number {
    let fps = 0;
    for (const sub of this.channels.values()) fps = Math.max(fps, sub.frameFps);
    return fps;
  }

  /** Disconnects the arm (leaving it safe), then closes every connection and the socket. */
  async close(): Promise<void> {
    this.replays.cancel();
    await this.evaluation?.cancel();
    await this.session.disconnect().catch(() => undefined);
    for (const c of this.channels.keys()) c.close();
    await new Promise<void>((r) => this.server.close(() => r()));
    if (process.platform !== 'win32') await rm(this.socketPath, { force: true });
  }

  private accept(socket: Socket): void {
    const channel: FrameChannel = new FrameChannel(
      socket,
      (m) => {
        if (m.type === 'request') void this.handle(channel, m);
      },
      () => {
        this.channels.delete(channel);
      },
    );
    // Ticks and chunks by default; frames only when asked for (they are large).
    this.channels.set(channel, { ticks: true, chunks: true, frameFps: 0 });
    channel.send({ type: 'event', event: 'state', data: this.status() });
  }

  private async handle(channel: FrameChannel, req: RpcRequest): Promise<void> {
    try {
      const result = await this.call(channel, req.method, req.params);
      channel.send({ type: 'reply', id: req.id, ok: true, result: result ?? null });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      channel.send({ type: 'reply', id: req.id, ok: false, error: { name: e.name, message: e.message } });
    }
    if (req.method === 'shutdown') this.shutdownRequested?.();
  }

  private async call(channel: FrameChannel, method: string, params: unknown): Promise<unknown> {
    if (!isRuntimeMethod(method)) {
      throw new RuntimeParamsError(`unknown method "${method}"; the runtime knows ${RUNTIME_METHODS.join(', ')}`);
    }
    const p = params ?? {};
    if (typeof p !== 'object' || Array.isArray(p)) throw new RuntimeParamsError(`${method}: params must be a map`);
    // On a real arm the operator may end an episode early (the task done, or hopeless) and then labels it.
    const operatorStop = method === 'stop' && this.evaluation?.operatorLabelled === true;
    const refusal = this.evaluation && !operatorStop && campaignRefusal(method);
    if (refusal) throw new Error(refusal);
    return this.handlers[method](p as WireParams, channel);
  }

  /** One handler per method, typed by the protocol's result; each checks its params (they come off the wire). */
  private readonly handlers: Handlers = {
    connect: (p) => this.session.connect(checkSetup(p)),
    runEpisode: (p) => this.session.runEpisode({ startPaused: p.startPaused === true }),
    step: () => this.session.step(),
    pause: async () => this.session.pause(),
    resume: async () => this.session.resume(),
    // Only an operator-labelled campaign lets Stop Episode through (call refuses it otherwise): its episode's session.
    stop: () => this.evaluation?.stopEpisode() ?? this.session.stop(),
    estop: async () => {
      // A campaign on its own session (virtual time) is e-stopped there, and its simulated arm is the one to report.
      const campaign = this.evaluation?.abortForEstop();
      const own = await this.session.estop();
      return (await campaign?.catch(() => undefined)) ?? own;
    },
    reset: () => this.session.reset(),
    swapModel: (p) => {
      if (typeof p.model !== 'string') throw new RuntimeParamsError('swapModel: "model" must be a model name');
      return this.session.swapModel(
        p.model,
        p.endpoint === undefined ? undefined : checkEndpoint(p.endpoint, `swapModel: "endpoint"`),
      );
    },
    applyConfig: (p) => this.session.applyConfig(checkConfig(p.config, 'applyConfig')),
    status: async () => this.status(),
    checkArmDriver: async (p) => {
      await checkArmDriver(checkConfig(p.config, 'checkArmDriver').robot);
      return {};
    },
    subscribe: async (p, channel) => {
      const sub = this.channels.get(channel)!;
      if (typeof p.ticks === 'boolean') sub.ticks = p.ticks;
      if (typeof p.chunks === 'boolean') sub.chunks = p.chunks;
      if (p.frameFps !== undefined) {
        if (typeof p.frameFps !== 'number' || !(p.frameFps >= 0 && p.frameFps <= 60))
          throw new RuntimeParamsError('subscribe: "frameFps" must be 0–60');
        sub.frameFps = p.frameFps;
      }
      return {};
    },
    disconnect: () => this.session.disconnect(),
    shutdown: async () => {
      await this.evaluation?.cancel();
      await this.session.disconnect();
      return {};
    },
    inspect: async () => this.session.inspect(),
    runConverter: (p) => {
      if (p.module !== undefined && (typeof p.module !== 'string' || p.module.length === 0))
        throw new RuntimeParamsError('runConverter: "module" must be a file path');
      return this.session.runConverter(p.module);
    },
    inspectRecordedTick: (p) => {
      if (typeof p.dir !== 'string' || p.dir === '')
        throw new RuntimeParamsError('inspectRecordedTick: "dir" must be an episode folder');
      if (!Number.isSafeInteger(p.tick) || (p.tick as number) < 0)
        throw new RuntimeParamsError('inspectRecordedTick: "tick" must be a whole number ≥ 0');
      if (p.module !== undefined && (typeof p.module !== 'string' || p.module === ''))
        throw new RuntimeParamsError('inspectRecordedTick: "module" must be a file path');
      if (p.ffmpegPath !== undefined && (typeof p.ffmpegPath !== 'string' || p.ffmpegPath === ''))
        throw new RuntimeParamsError('inspectRecordedTick: "ffmpegPath" must be the path of an ffmpeg program');
      return this.session.inspectRecordedTick({
        dir: p.dir,
        tick: p.tick as number,
        config: checkConfig(p.config, 'inspectRecordedTick'),
        module: p.module,
        ffmpegPath: p.ffmpegPath,
      });
    },
    replayEpisode: (p) => {
      if (typeof p.dir !== 'string' || p.dir === '')
        throw new RuntimeParamsError('replayEpisode: "dir" must be an episode folder');
      if (typeof p.model !== 'string' || p.model === '')
        throw new RuntimeParamsError('replayEpisode: "model" must be a model name');
      if (p.every !== undefined && (!Number.isSafeInteger(p.every) || (p.every as number) < 1))
        throw new RuntimeParamsError('replayEpisode: "every" must be a whole number ≥ 1');
      if (p.ffmpegPath !== undefined && (typeof p.ffmpegPath !== 'string' || p.ffmpegPath === ''))
        throw new RuntimeParamsError('replayEpisode: "ffmpegPath" must be the path of an ffmpeg program');
      return this.replays.run({
        dir: p.dir,
        config: checkConfig(p.config, 'replayEpisode'),
        model: p.model,
        endpoint: checkEndpoint(p.endpoint, 'replayEpisode: "endpoint"'),
        every: p.every as number | undefined,
        ffmpegPath: p.ffmpegPath,
      });
    },
    cancelReplay: async () => {
      this.replays.cancel();
      return {};
    },
    calibrate: (p) => this.session.calibrate(checkConfig(p.config, 'calibrate')),
    calibrationAnswer: async (p) => {
      if (!(CALIBRATION_ANSWERS as readonly unknown[]).includes(p.answer))
        throw new RuntimeParamsError(`calibrationAnswer: "answer" must be one of ${CALIBRATION_ANSWERS.join(', ')}`);
      this.session.calibrationAnswer(p.answer as CalibrationAnswer);
      return {};
    },
    calibrationSweep: async () => {
      await this.session.calibrationSweep();
      return {};
    },
    runEvaluation: async (p) => {
      const refusal = phaseRefusal('runEvaluation', this.session.status().phase);
      if (refusal) throw new Error(refusal);
      // Checking a folder to resume takes a moment; a second request meanwhile must not start a second campaign.
      if (this.evaluationStarting) throw new Error(campaignRefusal('runEvaluation'));
      this.evaluationStarting = true;
      let run: EvaluationRun;
      try {
        run = await EvaluationRun.start(
          this.session,
          checkEvaluation(p),
          this.workspace,
          (event, data) => this.emit(event, data),
          (line) => console.error(line),
        );
      } finally {
        this.evaluationStarting = false;
      }
      this.evaluation = run;
      this.emit('state', this.session.status());
      void run.ended.finally(() => {
        if (this.evaluation !== run) return;
        this.evaluation = undefined;
        this.emit('state', this.session.status());
      });
      return run.started;
    },
    cancelEvaluation: async () => {
      await this.evaluation?.cancel();
      return {};
    },
    evaluationAnswer: async (p) => {
      if (!isEvaluationAnswer(p.answer))
        throw new RuntimeParamsError(
          `evaluationAnswer: "answer" must be one of ${Object.keys(EVALUATION_ANSWERS).join(', ')}`,
        );
      if (p.note !== undefined && typeof p.note !== 'string')
        throw new RuntimeParamsError('evaluationAnswer: "note" must be text');
      if (!this.evaluation) throw new Error('cannot answer the evaluation: no campaign is running');
      this.evaluation.answer(p.answer, p.note);
      return {};
    },
  };
}

/** Params as they come off the wire: a map, nothing more is known until a handler checks it. */
type WireParams = Readonly<Record<string, unknown>>;
type Handlers = {
  readonly [M in RuntimeMethod]: (params: WireParams, channel: FrameChannel) => Promise<RuntimeMethods[M]['result']>;
};

function checkEvaluation(p: WireParams): EvaluationRequest {
  const config = checkConfig(p.config, 'runEvaluation');
  const where = 'runEvaluation';
  if (p.models !== undefined && (!Array.isArray(p.models) || !p.models.every((m) => typeof m === 'string')))
    throw new RuntimeParamsError(`${where}: "models" must be a list of model names`);
  for (const k of ['episodes', 'seed'] as const)
    if (p[k] !== undefined && !Number.isSafeInteger(p[k]))
      throw new RuntimeParamsError(`${where}: "${k}" must be a whole number`);
  for (const k of ['outDir', 'resume', 'ffmpegPath'] as const)
    if (p[k] !== undefined && (typeof p[k] !== 'string' || p[k] === ''))
      throw new RuntimeParamsError(`${where}: "${k}" must be a path`);
  if (p.resume !== undefined && p.outDir !== undefined)
    throw new RuntimeParamsError(`${where}: "outDir" and "resume" exclude each other (a resumed campaign stays put)`);
  if (p.labels !== undefined && p.labels !== 'operator')
    throw new RuntimeParamsError(`${where}: "labels" must be "operator" (or left out: the scene decides)`);
  if (p.clock !== undefined && !(CLOCK_CHOICES as readonly unknown[]).includes(p.clock))
    throw new RuntimeParamsError(`${where}: "clock" must be one of ${CLOCK_CHOICES.join(', ')}`);
  if (p.clock !== undefined && p.resume !== undefined)
    throw new RuntimeParamsError(
      `${where}: "clock" and "resume" exclude each other (a resumed campaign keeps its clock)`,
    );
  return {
    config,
    labels: p.labels,
    clock: p.clock as ClockChoice | undefined,
    models: p.models as string[] | undefined,
    episodes: p.episodes as number | undefined,
    seed: p.seed as number | undefined,
    outDir: p.outDir as string | undefined,
    resume: p.resume as string | undefined,
    ffmpegPath: p.ffmpegPath as string | undefined,
  };
}

/** The host builds the setup, but a runtime must not trust a frame blindly: check what a mistake would break. */
function checkSetup(p: WireParams): RuntimeSetup {
  const config = checkConfig(p.config, 'connect');
  if (typeof p.endpoints !== 'object' || p.endpoints === null || Array.isArray(p.endpoints))
    throw new RuntimeParamsError('connect: "endpoints" must map model names to { url, protocol }');
  const endpoints = Object.fromEntries(
    Object.entries(p.endpoints).map(([k, v]) => [k, checkEndpoint(v, `connect: endpoint "${k}"`)]),
  );
  if (p.recordDir !== undefined && typeof p.recordDir !== 'string')
    throw new RuntimeParamsError('connect: "recordDir" must be a folder path');
  if (p.ffmpegPath !== undefined && (typeof p.ffmpegPath !== 'string' || p.ffmpegPath === ''))
    throw new RuntimeParamsError('connect: "ffmpegPath" must be the path of an ffmpeg program');
  return { config, endpoints, recordDir: p.recordDir, ffmpegPath: p.ffmpegPath };
}

function checkEndpoint(v: unknown, where: string): RuntimeModelEndpoint {
  const e = v as { url?: unknown; protocol?: unknown; apiKey?: unknown } | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.url !== 'string' ||
    !isPolicyProtocol(e.protocol) ||
    (e.apiKey !== undefined && typeof e.apiKey !== 'string')
  ) {
    const protocols = POLICY_PROTOCOL_NAMES.map((p) => `"${p}"`).join(' | ');
    throw new RuntimeParamsError(`${where} must be { url: "ws://…", protocol: ${protocols}, apiKey?: string }`);
  }
  return { url: e.url, protocol: e.protocol, ...(e.apiKey !== undefined && { apiKey: e.apiKey }) };
}

/** The same validation a so100.json file gets; the first problems are named. */
function checkConfig(v: unknown, where: string): So100Config {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RuntimeParamsError(`${where}: "config" must be the resolved so100.json`);
  const { config, problems } = parseConfig(JSON.stringify(v));
  const errors = problems.filter((x) => x.severity === 'error');
  if (!config || errors.length > 0) {
    throw new RuntimeParamsError(
      `${where}: invalid config: ${errors
        .slice(0, 3)
        .map((x) => `${x.path || '(top)'}: ${x.message}`)
        .join('; ')}`,
    );
  }
  return config;
}
