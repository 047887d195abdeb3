// What the host may ask of the runtime process and what the runtime tells it: one typed table shared by the
// runtime's server, its client in the extension host, and the CLI. Values cross the wire as msgpack.
import type { ChunkSchedulerOptions } from '../chunking';
import type { BodyJointMode, MaxStep } from '../so100';

export type RuntimePolicyProtocol = 'openpi' | 'lerobot-ws';

/** Where the arm is: the in-process simulator (the embedded default) or a serial port (a real arm or `so100 sim --pty`). */
export type RuntimeRobotSetup =
  | { readonly kind: 'sim'; readonly seed?: number }
  | { readonly kind: 'serial'; readonly port: string; readonly robotId: string; readonly calibrationDir?: string };

/** A policy server that is already running (the host starts and supervises servers, the runtime only connects). */
export interface RuntimeModelEndpoint {
  readonly url: string;
  readonly protocol: RuntimePolicyProtocol;
}

/** Everything `connect` needs. */
export interface RuntimeSetup {
  readonly robot: RuntimeRobotSetup;
  readonly bodyMode: BodyJointMode;
  /** Per-tick step cap; omitted = the safe defaults, null = off. */
  readonly maxStep?: MaxStep | null;
  /** Leave torque on when the arm is disconnected (default false: limp, as LeRobot). */
  readonly holdOnDisconnect?: boolean;
  readonly models: Readonly<Record<string, RuntimeModelEndpoint>>;
  readonly activeModel: string;
  readonly converter: {
    readonly layout: string;
    readonly cameras?: { readonly primary?: string; readonly secondary?: string };
    /** A workspace .ts/.js file exporting toPolicy / fromPolicy. */
    readonly module?: string;
  };
  readonly chunking: ChunkSchedulerOptions;
  readonly fps: number;
  readonly maxSteps: number;
  readonly task: string;
  readonly requestTimeoutMs?: number;
  /** Folder under which each episode gets its record; omitted = no record. */
  readonly recordDir?: string;
}

export type RuntimePhase = 'idle' | 'connecting' | 'connected' | 'running' | 'paused' | 'resetting' | 'estopped';

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
  /** Telemetry events dropped because the host read too slowly. */
  readonly droppedTelemetry: number;
}

export interface TickTelemetry {
  readonly episode: number;
  readonly index: number;
  /** Measured joint positions, motor order. */
  readonly measured: readonly number[];
  /** Goals written, motor order; absent when nothing was written (refused as unsafe, or e-stopped). */
  readonly sent?: readonly number[];
  readonly starved: boolean;
  readonly chunkBoundary: boolean;
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
  readonly chunks: number;
  readonly clampedTicks: number;
  readonly lateTicks: number;
  /** p50 / p95 / p99 / max per stage, ms. */
  readonly timing: readonly { readonly stage: string; readonly count: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number }[];
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
  estop: { params: Record<string, never>; result: { readonly torqueOff: boolean; readonly failedMotors: readonly string[] } };
  reset: { params: Record<string, never>; result: RuntimeStatus };
  swapModel: { params: { readonly model: string }; result: RuntimeStatus };
  applyConfig: { params: RuntimeHotSettings; result: { readonly applied: readonly string[]; readonly deferred: readonly string[] } };
  status: { params: Record<string, never>; result: RuntimeStatus };
  /** Which telemetry this connection wants; frames are throttled to `frameFps` per camera (0 = none). */
  subscribe: { params: { readonly ticks?: boolean; readonly chunks?: boolean; readonly frameFps?: number }; result: Record<string, never> };
  disconnect: { params: Record<string, never>; result: RuntimeStatus };
  shutdown: { params: Record<string, never>; result: Record<string, never> };
}

export type RuntimeMethod = keyof RuntimeMethods;
export const RUNTIME_METHODS: readonly RuntimeMethod[] = ['connect', 'runEpisode', 'step', 'pause', 'resume', 'stop', 'estop',
  'reset', 'swapModel', 'applyConfig', 'status', 'subscribe', 'disconnect', 'shutdown'];

/** Settings a running session takes without reconnecting (DESIGN §4: hot settings). */
export interface RuntimeHotSettings {
  readonly fps?: number;
  readonly task?: string;
  readonly maxSteps?: number;
  readonly maxStep?: MaxStep | null;
  readonly chunking?: ChunkSchedulerOptions;
  readonly requestTimeoutMs?: number;
}

/** Event name → data. */
export interface RuntimeEvents {
  state: RuntimeStatus;
  tick: TickTelemetry;
  chunk: ChunkTelemetry;
  frame: FrameTelemetry;
  warning: { readonly message: string };
  episodeEnded: EpisodeSummary;
}

export type RuntimeEventName = keyof RuntimeEvents;

/** Telemetry that may be dropped under back-pressure; the rest (state, warnings, results) always goes out. */
export const DROPPABLE_EVENTS: ReadonlySet<RuntimeEventName> = new Set(['tick', 'chunk', 'frame']);
