// The resolved config: every default applied, every choice a literal type. Kept in step with CONFIG_SCHEMA by
// test/unit/configResolve.test.ts (the default config is compared field by field).
import type { AggregateMode } from '../chunking/chunkAggregation';
import type { LayoutName } from '../convert/layouts';
import type { CameraRole } from '../convert/cameraRoles';
import type { ModelProfileName } from '../policy/modelProfiles';
import type { BuiltinPolicyName } from '../policy/holdPolicy';
import type { MotorName } from '../so100/motors';

import type { PolicyProtocolName } from '../protocols/policyProtocols';

export type { PolicyProtocolName };

/** The built-in policy server imitating a model profile. */
export interface BuiltinModelConfig {
  readonly kind: 'builtin';
  readonly profile: ModelProfileName;
  readonly protocol: PolicyProtocolName;
  /** Simulated inference time; undefined = the profile's. */
  readonly latencyMs?: number;
  /** What plans the chunks; undefined = the demo. */
  readonly policy?: BuiltinPolicyName;
  /** 0 = a free port. */
  readonly port: number;
}

/** A server started from a command line (never through a shell). */
export interface CommandModelConfig {
  readonly kind: 'command';
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  /** 0 = a free port passed through `${port}`, or 8000 when the args do not mention it. */
  readonly port: number;
  readonly protocol: PolicyProtocolName;
  readonly startTimeoutMs: number;
}

/** A server that is already running. */
export interface RemoteModelConfig {
  readonly kind: 'remote';
  readonly url: string;
  readonly protocol: PolicyProtocolName;
  /** The server needs an API key; the CLI reads it from this environment variable (VS Code: secret storage). */
  readonly apiKeyEnv?: string;
}

export type ModelConfig = BuiltinModelConfig | CommandModelConfig | RemoteModelConfig;

/** Step caps per tick, as safety's MaxStep; undefined = the defaults, null = none. */
export type MaxStepConfig = number | Readonly<Partial<Record<MotorName, number>>> | null;

export interface RobotConfig {
  /** Serial port, or `sim` for the simulated arm. */
  readonly port: string;
  readonly id: string;
  readonly calibrationDir?: string;
  readonly normMode: 'degrees' | 'range_m100_100';
  readonly maxStep?: MaxStepConfig;
  readonly disconnect: 'torque-off' | 'hold';
  /** Simulated arm only: the cube's start (plain scene) or the whole scene (varied). */
  readonly seed: number;
  /** Simulated arm only: the classic scene, or one the seed varies (cube, distractors, light, camera jitter). */
  readonly scene: 'plain' | 'varied';
}

export interface SyntheticCameraConfig {
  readonly kind: 'synthetic';
  readonly view: 'front' | 'wrist';
}

export type FfmpegFormat = 'v4l2' | 'avfoundation' | 'dshow' | 'lavfi';

export interface FfmpegCameraConfig {
  readonly kind: 'ffmpeg';
  readonly device: string;
  /** undefined = the platform's capture input. */
  readonly format?: FfmpegFormat;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export type CameraConfig = SyntheticCameraConfig | FfmpegCameraConfig;

export interface ConverterConfig {
  readonly layout: LayoutName;
  readonly cameras?: Readonly<Partial<Record<CameraRole, string>>>;
  readonly imageKeys?: Readonly<Partial<Record<CameraRole, string>>>;
  readonly gripper?: { readonly closed: number; readonly open: number };
  /** A user converter module, relative to the workspace. */
  readonly module?: string;
}

export type ChunkingConfig =
  | {
      readonly mode: 'async';
      readonly threshold: number;
      readonly aggregate: AggregateMode;
      readonly alpha: number;
      readonly actionsPerChunk?: number;
      readonly seam?: SeamConfig;
    }
  | {
      readonly mode: 'sync';
      readonly nActionSteps?: number;
      readonly prefetchSteps: number;
      readonly seam?: SeamConfig;
    };

/** A seam cap: a number for the body joints, or per motor. */
export type SeamCapConfig = number | Readonly<Partial<Record<MotorName, number>>>;

/** `chunking.seam` as written (see SeamOptions). */
export type SeamConfig =
  | { readonly remedy: 'aligned' }
  | { readonly remedy: 'crossfade'; readonly ticks: number }
  | { readonly remedy: 'ensemble'; readonly decay?: number }
  | { readonly remedy: 'limit'; readonly maxStep: SeamCapConfig; readonly maxStepChange?: SeamCapConfig };

export interface RecordConfig {
  readonly enabled: boolean;
  readonly dir: string;
  readonly frames: 'mp4' | 'png' | 'none';
  readonly pngEvery: number;
}

/** `so100.json` with every default applied. */
/** Defaults of `so100 eval`. */
export interface EvaluationConfig {
  readonly models: readonly string[];
  readonly episodes: number;
  readonly seed: number;
  /** `auto`: virtual time whenever it applies (core/evaluation/clockChoice.ts). */
  readonly clock: 'auto' | 'virtual' | 'wall';
}

export interface So100Config {
  readonly fps: number;
  readonly maxSteps: number;
  readonly task: string;
  readonly requestTimeoutMs: number;
  /** Policy failures in a row that end the episode. */
  readonly maxPolicyFailures: number;
  readonly activeModel: string;
  readonly models: Readonly<Record<string, ModelConfig>>;
  readonly robot: RobotConfig;
  readonly cameras: Readonly<Record<string, CameraConfig>>;
  readonly converter: ConverterConfig;
  readonly chunking: ChunkingConfig;
  readonly record: RecordConfig;
  readonly evaluation: EvaluationConfig;
}
