// What the host may ask of the runtime process and what the runtime tells it: one typed table shared by the
// runtime's server, its client in the extension host, and the CLI. Values cross the wire as msgpack.
import type { SeamReport } from '../metrics/seams';
import type { ChangeClass, So100Config } from '../config';
import type { InspectionReport } from '../convert/inspectionReport';
import type { PolicyProtocolName } from '../protocols/policyProtocols';
import type { CalibrationAnswer, CalibrationSampleView, CalibrationStepView } from '../so100/calibrationView';

export type { CalibrationAnswer, CalibrationSampleView, CalibrationStepView };

/** A protocol of the registry in core/protocols. */
export type RuntimePolicyProtocol = PolicyProtocolName;

/** A policy server that is already running (the host starts and supervises servers, the runtime only connects). */
export interface RuntimeModelEndpoint {
  readonly url: string;
  readonly protocol: RuntimePolicyProtocol;
  /** Sent as `Authorization: Api-Key <key>` (openpi); the host reads it from secret storage or the environment. */
  readonly apiKey?: string;
}

/** Everything `connect` needs. */
export interface RuntimeSetup {
  /** The resolved so100.json (every default applied); the runtime validates it again. */
  readonly config: So100Config;
  /** Servers the host started, by model name (at least the active model unless it is `remote`). */
  readonly endpoints: Readonly<Record<string, RuntimeModelEndpoint>>;
  /** Record folder override (absolute); default config.record.dir under the workspace. */
  readonly recordDir?: string;
  /** This machine's ffmpeg (cameras, mp4 frames); default `ffmpeg` from PATH. A machine setting, not in so100.json. */
  readonly ffmpegPath?: string;
}

/** `calibrating`: a calibration (calibrate … calibrationEnded) holds the arm's bus; no episode can connect meanwhile. */
export type RuntimePhase =
  'idle' | 'connecting' | 'connected' | 'running' | 'paused' | 'resetting' | 'estopped' | 'calibrating';

export interface RuntimeStatus {
  readonly phase: RuntimePhase;
  readonly activeModel?: string;
  readonly models: readonly string[];
  /** Episode number (1 = first since connect), when one is running or paused. */
  readonly episode?: number;
  readonly step?: number;
  readonly maxSteps?: number;
  readonly fps?: number;
  readonly robot?: string;
  /** Each joint's calibrated range in the units of its positions, motor order (while connected). */
  readonly jointRanges?: readonly { readonly min: number; readonly max: number }[];
  /** Each joint's position unit (°, %, ±100; core/so100 positionUnit), motor order (while connected). */
  readonly jointUnits?: readonly string[];
  /** Telemetry events dropped because the host read too slowly, since the runtime started. */
  readonly droppedTelemetry: number;
  /** The part of droppedTelemetry since the current (or last) episode started. */
  readonly episodeDroppedTelemetry?: number;
  /** The folder of the evaluation campaign running on this runtime, while one runs (it owns the arm then). */
  readonly evaluation?: string;
}

export interface TickTelemetry {
  readonly episode: number;
  readonly index: number;
  /** When the tick started, ms since the episode started. */
  readonly atMs?: number;
  /** How late the tick started against the loop's drift-free schedule, ms (0 for stepped ticks). */
  readonly lateMs?: number;
  /** Measured joint positions, motor order. */
  readonly measured: readonly number[];
  /** Goals written, motor order; absent when nothing was written (refused as unsafe, or e-stopped). */
  readonly sent?: readonly number[];
  readonly starved: boolean;
  readonly chunkBoundary: boolean;
  /** On a chunk boundary: its largest body-joint step ÷ the in-chunk p99 step so far (core/metrics/seams.ts). */
  readonly seamRatio?: number;
  /** Motors whose goal safety clamped, with why. */
  readonly clamped: readonly { readonly motor: string; readonly reason: string }[];
  readonly stageMs: Readonly<Record<string, number>>;
}

export interface ChunkTelemetry {
  readonly episode: number;
  readonly requestId: number;
  readonly observationTick: number;
  readonly horizon: number;
  readonly dims: number;
  /** Row-major horizon × dims joint targets. */
  readonly targets: readonly number[];
  readonly accepted: boolean;
  readonly latencyMs: number;
}

export interface FrameTelemetry {
  readonly episode: number;
  readonly tick: number;
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  /** H×W×3 RGB bytes. */
  readonly rgb: Uint8Array;
}

export interface EpisodeSummary {
  readonly episode: number;
  readonly success: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly starvedTicks: number;
  /** Starved ticks before the first chunk arrived (included in starvedTicks). */
  readonly warmupTicks: number;
  readonly chunks: number;
  readonly clampedTicks: number;
  readonly lateTicks: number;
  /** Chunk seams and tracking lag of the sent commands (absent when the episode ended in a fault). */
  readonly seams?: SeamReport;
  /** p50 / p95 / p99 / max per stage, ms. */
  readonly timing: readonly {
    readonly stage: string;
    readonly count: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  }[];
  readonly recordDir?: string;
}

/** Method → params and result. */
export interface RuntimeMethods {
  connect: { params: RuntimeSetup; result: RuntimeStatus };
  runEpisode: { params: { readonly startPaused?: boolean }; result: RuntimeStatus };
  step: { params: Record<string, never>; result: TickTelemetry | null };
  pause: { params: Record<string, never>; result: RuntimeStatus };
  resume: { params: Record<string, never>; result: RuntimeStatus };
  stop: { params: Record<string, never>; result: RuntimeStatus };
  estop: {
    params: Record<string, never>;
    result: { readonly torqueOff: boolean; readonly failedMotors: readonly string[] };
  };
  reset: { params: Record<string, never>; result: RuntimeStatus };
  /** `endpoint`: where the host started that model's server (not needed for `remote` models or ones given at connect). */
  swapModel: { params: { readonly model: string; readonly endpoint?: RuntimeModelEndpoint }; result: RuntimeStatus };
  applyConfig: { params: { readonly config: So100Config }; result: ConfigApplied };
  status: { params: Record<string, never>; result: RuntimeStatus };
  /**
   * Rejects when `config.robot` names a real port and this platform's serial driver cannot load (the error names the
   * platform and what works); the host asks before it starts a policy server, so nothing half-runs.
   */
  checkArmDriver: { params: { readonly config: So100Config }; result: Record<string, never> };
  /** Which telemetry this connection wants; frames are throttled to `frameFps` per camera (0 = none). */
  subscribe: {
    params: { readonly ticks?: boolean; readonly chunks?: boolean; readonly frameFps?: number };
    result: Record<string, never>;
  };
  disconnect: { params: Record<string, never>; result: RuntimeStatus };
  shutdown: { params: Record<string, never>; result: Record<string, never> };
  /** The loop's last exchange (observation, policy input, reply, targets, safety) summarised, with lint warnings. */
  inspect: { params: Record<string, never>; result: InspectionReport };
  /**
   * Runs a fresh converter — `module` (relative to the workspace), else the configured one — on the last
   * observation (a new one is taken when connected and none was kept) and on the last reply. A failing user
   * module is reported in the result's `error` (file:line), never as a failed call.
   */
  runConverter: { params: { readonly module?: string }; result: InspectionReport };
  /**
   * Runs `config`'s converter (or `module`) on tick `tick` of the episode record in `dir`: joints from steps.csv,
   * frames from its PNGs or mp4s (ffmpeg), no connection needed. A failing user module is reported in `error`.
   */
  inspectRecordedTick: {
    params: {
      readonly dir: string;
      readonly tick: number;
      readonly config: So100Config;
      readonly module?: string;
      readonly ffmpegPath?: string;
    };
    result: InspectionReport;
  };
  /**
   * Replays the episode record in `dir` through `model` at `endpoint`, offline (the arm is not used): the record's
   * observations go through `config`'s converter at the ticks the episode asked at (or every `every` ticks). Resolves
   * when `replay-<model>.jsonl` is complete; progress goes out as replayProgress. One replay at a time.
   */
  replayEpisode: {
    params: {
      readonly dir: string;
      readonly config: So100Config;
      readonly model: string;
      readonly endpoint: RuntimeModelEndpoint;
      readonly every?: number;
      readonly ffmpegPath?: string;
    };
    result: ReplayDone;
  };
  /** Cancels the running replay (its file stays as `replay-<model>.jsonl.partial`); nothing without one. */
  cancelReplay: { params: Record<string, never>; result: Record<string, never> };
  /**
   * Starts LeRobot's calibration of `config.robot` (its port, or the simulator) and returns at once; the flow
   * reports through calibrationStep / calibrationSample and ends with calibrationEnded (the file saved where the
   * robot's id and calibration_dir say). Needs an idle or e-stopped session; a connected arm is released first.
   */
  calibrate: { params: { readonly config: So100Config }; result: CalibrationStarted };
  /** The person's answer to the current step (see CalibrationStepView.answers); `cancel` fits every step. */
  calibrationAnswer: { params: { readonly answer: CalibrationAnswer }; result: Record<string, never> };
  /** Simulated arm only: moves every joint through its travel (what a hand does on a real arm); resolves when done. */
  calibrationSweep: { params: Record<string, never>; result: Record<string, never> };
  /**
   * Starts an evaluation campaign (runtime/evaluationRun.ts) and returns at once: on wall time on this runtime's
   * session, on virtual time on a session of its own; it reports through evaluationProgress and ends with
   * evaluationEnded. Needs a session at rest (it connects itself).
   */
  runEvaluation: { params: EvaluationRequest; result: EvaluationStarted };
  /** Stops the campaign after cancelling its current episode (not counted; a resume runs it again). */
  cancelEvaluation: { params: Record<string, never>; result: Record<string, never> };
  /** The operator's answer to the pending evaluationAsk (a campaign with `labels: 'operator'`). */
  evaluationAnswer: {
    params: { readonly answer: EvaluationAnswer; readonly note?: string };
    result: Record<string, never>;
  };
}

/** ready: the scene is reset; success / failure: the outcome; redo: run the episode again; stop: end the campaign. */
export type EvaluationAnswer = 'ready' | 'success' | 'failure' | 'redo' | 'stop';

/** What the operator is asked: before an episode, to reset the scene; after it, to label the outcome. */
export interface EvaluationAsk {
  readonly outDir: string;
  readonly ask: 'ready' | 'label';
  readonly model: string;
  readonly seed: number;
  /** The answers that fit (ready, stop; or success, failure, redo, stop). */
  readonly answers: readonly EvaluationAnswer[];
  /** After the episode: how it ended as the runtime saw it (a real arm's scene cannot tell success). */
  readonly episode?: { readonly reason: string; readonly steps: number };
}

/** A new campaign (config, models, episodes, seed) or the campaign folder to resume. */
export interface EvaluationRequest {
  readonly config: So100Config;
  readonly models?: readonly string[];
  readonly episodes?: number;
  readonly seed?: number;
  /** The new campaign's folder (absolute); default `.so100/evaluations/<timestamp>/` under the workspace. */
  readonly outDir?: string;
  /** Continue the campaign in this folder (its campaign.json decides models, seeds and config). */
  readonly resume?: string;
  /** `operator`: a person readies the scene and labels every outcome (evaluationAsk / evaluationAnswer). */
  readonly labels?: 'operator';
  /**
   * The clock of a new campaign (default: `config.evaluation.clock`, itself `auto` by default); a resumed campaign
   * keeps the one it ran on. An operator-labelled campaign runs on wall time (the person watches the episodes).
   */
  readonly clock?: So100Config['evaluation']['clock'];
  readonly ffmpegPath?: string;
}

export interface EvaluationStarted {
  readonly outDir: string;
  readonly models: readonly string[];
  /** Planned episodes, and those already finished (a resumed campaign). */
  readonly total: number;
  readonly done: number;
}

/** After each finished episode (its row is already in results.csv). */
export interface EvaluationProgress {
  readonly outDir: string;
  readonly total: number;
  readonly done: number;
  /** Episodes this run finished, and the wall time it has run, ms (for the time left). */
  readonly doneThisRun: number;
  readonly elapsedMs: number;
  readonly episode: {
    readonly model: string;
    readonly seed: number;
    readonly success: boolean;
    readonly reason: string;
    readonly episodeDir: string;
  };
}

export interface EvaluationEnded {
  readonly outDir: string;
  readonly outcome: 'completed' | 'cancelled' | 'failed';
  /** One sentence for the user: where the campaign is, or why it stopped and how to resume it. */
  readonly message: string;
}

export interface CalibrationStarted {
  readonly robotId: string;
  /** Where the calibration will be saved. */
  readonly file: string;
  readonly simulated: boolean;
  /** The port, or "simulated SO-100". */
  readonly arm: string;
}

export interface CalibrationEnded {
  readonly outcome: 'saved' | 'cancelled' | 'failed';
  /** One sentence for the user: the file saved, or why nothing was. */
  readonly message: string;
  readonly file?: string;
}

export type RuntimeMethod = keyof RuntimeMethods;

/** A finished replay: its file and, per joint, the mean of its chunks' mean deviations and the largest (joint units). */
export interface ReplayDone {
  readonly file: string;
  readonly chunks: number;
  readonly perJoint: Readonly<Record<string, { readonly mean: number; readonly max: number } | null>>;
  /** What the record lacked or the converter warned about, once each. */
  readonly notes: readonly string[];
}

export interface ReplayProgress {
  readonly dir: string;
  readonly model: string;
  readonly done: number;
  readonly total: number;
}

/** What applyConfig did with each changed setting (by its class, see classifyChanges). */
export interface ConfigApplied {
  /** Took effect now (hot settings). */
  readonly applied: readonly string[];
  /** Take effect with the next episode. */
  readonly nextEpisode: readonly string[];
  /** Need the host to act: reconnect the arm, or restart the active model's server. */
  readonly needs: readonly {
    readonly path: string;
    readonly class: Extract<ChangeClass, 'reconnect-arm' | 'restart-server'>;
  }[];
}

/** Event name → data. */
export interface RuntimeEvents {
  state: RuntimeStatus;
  tick: TickTelemetry;
  chunk: ChunkTelemetry;
  frame: FrameTelemetry;
  warning: { readonly message: string };
  episodeEnded: EpisodeSummary;
  /** A user converter module was compiled: at load, and after every edit while it is in use. */
  converterCompiled: ConverterCompiled;
  /** A calibration step changed (a new phase, prompt, problem or set of answers). */
  calibrationStep: CalibrationStepView & CalibrationStarted;
  /** The ranges recorded so far (a few per second while recording). */
  calibrationSample: CalibrationSampleView;
  calibrationEnded: CalibrationEnded;
  /** A replay asked one more tick (replayEpisode). */
  replayProgress: ReplayProgress;
  evaluationProgress: EvaluationProgress;
  evaluationEnded: EvaluationEnded;
  evaluationAsk: EvaluationAsk;
}

/** The outcome of compiling the user's converter module; a failure leaves the previous module running. */
export interface ConverterCompiled {
  /** The module (config `converter.module`, absolute). */
  readonly module: string;
  readonly ok: boolean;
  /** The files the module is built from (on success). */
  readonly inputs?: readonly string[];
  /** Where and why it failed; line and column are 1-based. */
  readonly error?: {
    readonly file: string;
    readonly line?: number;
    readonly column?: number;
    readonly message: string;
  };
}

export type RuntimeEventName = keyof RuntimeEvents;

/** Telemetry that may be dropped under back-pressure; the rest (state, warnings, results) always goes out. */
export const DROPPABLE_EVENTS: ReadonlySet<RuntimeEventName> = new Set([
  'tick',
  'chunk',
  'frame',
  'calibrationSample',
  'replayProgress',
]);
