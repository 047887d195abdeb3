// The Dashboard's one typed protocol, shared by the extension host (src/extension/dashboard/dashboardPanel.ts) and the
// webview (webview-ui/dashboard/main.ts). Both sides check what they receive with the guards below; nothing here
// touches the DOM or `vscode`, so both TypeScript projects compile it, and core is imported for its types only, so
// the page bundles no core code.

import type {
  ChunkTelemetry,
  EpisodeSummary,
  FrameTelemetry,
  RuntimePhase,
  RuntimeStatus,
  TickTelemetry,
} from '../core/rpc/runtimeProtocol';

export const DASHBOARD_VIEW_TYPE = 'so100.dashboard';

export type DashboardCommand = 'runEpisode' | 'step' | 'pause' | 'resume' | 'stop' | 'estop' | 'reset';
export const DASHBOARD_COMMANDS: readonly DashboardCommand[] = [
  'runEpisode',
  'step',
  'pause',
  'resume',
  'stop',
  'estop',
  'reset',
];

export type FrameMode = 'raw' | 'policy';

// The runtime's own telemetry types: the panel shows them as the runtime sends them (type-only, so nothing of the
// runtime is bundled into the page).
export type DashboardPhase = RuntimePhase;
/** What the panel shows of the runtime's status. */
export type DashboardStatus = RuntimeStatus;
/** One control tick. */
export type DashboardTick = TickTelemetry;
/** One predicted action chunk: row i is the target for tick observationTick + i. */
export type DashboardChunk = ChunkTelemetry;
export type DashboardFrame = FrameTelemetry;
export type DashboardEpisodeSummary = Pick<
  EpisodeSummary,
  'episode' | 'success' | 'reason' | 'steps' | 'starvedTicks' | 'chunks' | 'clampedTicks' | 'lateTicks'
> & { readonly seams?: DashboardSeams };

/** An episode's chunk seams as the page shows them (from core/metrics/seams.ts's report); null: not measured. */
export interface DashboardSeams {
  /** Largest body-joint step at a boundary ÷ the in-chunk p99 step, sent commands. */
  readonly seamRatio: number | null;
  /** The same on the policy's own rows: the seam it asked for. */
  readonly rawSeamRatio: number | null;
  /** Ticks the sent command trails the policy's rows. */
  readonly lagTicks: number | null;
  readonly perJoint: readonly {
    readonly joint: string;
    readonly seamRatio: number | null;
    readonly lagTicks: number | null;
  }[];
}

/** The episode's progress as the status bar and side bar show it (one source: src/extension/runtime/episodeProgress). */
export interface DashboardProgress {
  readonly episode?: number;
  readonly step?: number;
  readonly maxSteps?: number;
}

/** A joint's calibrated range in the units of its positions. */
export interface JointRange {
  readonly min: number;
  readonly max: number;
}

/** What the webview reports when the host probes it (tests): what it received and what it actually drew. */
export interface DashboardProbeReport {
  readonly ticksReceived: number;
  /** Ticks inside the joint plots' window at the last draw. */
  readonly ticksPlotted: number;
  /** Chunks drawn in the fan at the last draw. */
  readonly chunksInFan: number;
  readonly cameras: readonly {
    readonly camera: string;
    readonly tick: number;
    /** Ticks behind the newest tile (0: the tiles show one tick). */
    readonly behind: number;
    readonly caption: string;
    readonly width: number;
    readonly height: number;
    readonly nonBlackPixels: number;
  }[];
  /** Stage names of the timing table's rows. */
  readonly timingRows: readonly string[];
  /** The timing table's column headers as shown. */
  readonly timingHeader: readonly string[];
  /** The header's progress line as shown. */
  readonly progressText: string;
  /** The joint plots' units, motor order ([] before the runtime said). */
  readonly units: readonly string[];
  /** Top of the policy-requests chart's y axis, ms. */
  readonly policyTopMs: number;
  readonly waterfallBars: number;
  readonly phaseText: string;
  readonly modelText: string;
  readonly frameMode: FrameMode;
  readonly draws: number;
  readonly framesReceived: number;
  /** Messages from the host that failed the guard (a protocol mismatch shows up here). */
  readonly messagesRejected: number;
  /** What the last rejected message looked like (shortened). */
  readonly lastRejected: string;
}

// ── host → webview ────────────────────────────────────────────────────────────────────────────────────────────

export type HostToDashboard =
  | {
      readonly type: 'init';
      /** undefined while no runtime runs. */
      readonly status?: DashboardStatus;
      /** The buttons enabled in the status's phase (from the host's phase table); undefined: all. */
      readonly enabled?: readonly DashboardCommand[];
      readonly motors: readonly string[];
      /** Per motor, when calibration is known. */
      readonly ranges?: readonly (JointRange | null)[];
      /** Recent history, so a panel that was hidden (and so rebuilt) shows the past seconds at once. */
      readonly ticks: readonly DashboardTick[];
      readonly chunks: readonly DashboardChunk[];
      readonly frameMode?: FrameMode;
      readonly progress?: DashboardProgress;
      /** A boundary step at least this many times the in-chunk p99 is a rough seam (core/metrics/seams.ts). */
      readonly roughSeamRatio: number;
    }
  | { readonly type: 'ticks'; readonly ticks: readonly DashboardTick[]; readonly dropped: number }
  | { readonly type: 'chunk'; readonly chunk: DashboardChunk }
  | { readonly type: 'frame'; readonly frame: DashboardFrame }
  | {
      readonly type: 'state';
      readonly status?: DashboardStatus;
      readonly enabled?: readonly DashboardCommand[];
      readonly progress?: DashboardProgress;
    }
  | { readonly type: 'episodeEnded'; readonly summary: DashboardEpisodeSummary }
  | { readonly type: 'warning'; readonly message: string }
  /** Tests only: answer with `probe-reply`; `postBack` values are posted to the host as they are, first. */
  | { readonly type: 'probe'; readonly id: number; readonly postBack?: readonly unknown[] };

// ── webview → host ────────────────────────────────────────────────────────────────────────────────────────────

export type DashboardToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'command'; readonly name: DashboardCommand }
  | { readonly type: 'setFrameMode'; readonly mode: FrameMode }
  | { readonly type: 'probe-reply'; readonly id: number; readonly report: DashboardProbeReport };

// ── guards ────────────────────────────────────────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNumArray = (v: unknown, length?: number): boolean =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every((x) => typeof x === 'number');
const optional = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === undefined || check(v);

// core's RUNTIME_PHASES is a value this file may not import; the compiler holds these keys to exactly RuntimePhase.
const PHASES: { readonly [P in RuntimePhase]: true } = {
  idle: true,
  connecting: true,
  connected: true,
  running: true,
  paused: true,
  resetting: true,
  estopped: true,
  calibrating: true,
};
const isPhase = (v: unknown): v is RuntimePhase => isStr(v) && Object.hasOwn(PHASES, v);

export function isDashboardCommand(v: unknown): v is DashboardCommand {
  return isStr(v) && (DASHBOARD_COMMANDS as readonly string[]).includes(v);
}

function isCommandList(v: unknown): v is readonly DashboardCommand[] {
  return Array.isArray(v) && v.every(isDashboardCommand);
}

export function isFrameMode(v: unknown): v is FrameMode {
  return v === 'raw' || v === 'policy';
}

export function isDashboardStatus(v: unknown): v is DashboardStatus {
  return (
    isObj(v) &&
    isPhase(v.phase) &&
    Array.isArray(v.models) &&
    v.models.every(isStr) &&
    isNum(v.droppedTelemetry) &&
    optional(v.activeModel, isStr) &&
    optional(v.episode, isNum) &&
    optional(v.step, isNum) &&
    optional(v.maxSteps, isNum) &&
    optional(v.fps, isNum) &&
    optional(v.robot, isStr) &&
    optional(v.jointRanges, isRangeList) &&
    optional(v.jointUnits, isStrList) &&
    optional(v.episodeDroppedTelemetry, isNum)
  );
}

const isStrList = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every(isStr);

function isProgress(v: unknown): v is DashboardProgress {
  return isObj(v) && optional(v.episode, isInt) && optional(v.step, isInt) && optional(v.maxSteps, isInt);
}

function isRangeList(r: unknown): r is readonly JointRange[] {
  return Array.isArray(r) && r.every((x) => isObj(x) && isNum(x.min) && isNum(x.max));
}

export function isDashboardTick(v: unknown): v is DashboardTick {
  return (
    isObj(v) &&
    isInt(v.episode) &&
    isInt(v.index) &&
    isNumArray(v.measured) &&
    (v.sent === undefined || isNumArray(v.sent)) &&
    typeof v.starved === 'boolean' &&
    typeof v.chunkBoundary === 'boolean' &&
    (v.seamRatio === undefined || isNum(v.seamRatio)) &&
    Array.isArray(v.clamped) &&
    v.clamped.every((c) => isObj(c) && isStr(c.motor) && isStr(c.reason)) &&
    isObj(v.stageMs) &&
    Object.values(v.stageMs).every(isNum)
  );
}

export function isDashboardChunk(v: unknown): v is DashboardChunk {
  return (
    isObj(v) &&
    isInt(v.episode) &&
    isInt(v.requestId) &&
    isInt(v.observationTick) &&
    isInt(v.horizon) &&
    isInt(v.dims) &&
    isNumArray(v.targets, (v.horizon as number) * (v.dims as number)) &&
    typeof v.accepted === 'boolean' &&
    isNum(v.latencyMs)
  );
}

export function isDashboardFrame(v: unknown): v is DashboardFrame {
  return (
    isObj(v) &&
    isInt(v.episode) &&
    isInt(v.tick) &&
    isStr(v.camera) &&
    isInt(v.width) &&
    isInt(v.height) &&
    (v.width as number) > 0 &&
    (v.height as number) > 0 &&
    v.rgb instanceof Uint8Array &&
    v.rgb.length === (v.width as number) * (v.height as number) * 3
  );
}

function isSummary(v: unknown): v is DashboardEpisodeSummary {
  return (
    isObj(v) &&
    isInt(v.episode) &&
    typeof v.success === 'boolean' &&
    isStr(v.reason) &&
    isNum(v.steps) &&
    isNum(v.starvedTicks) &&
    isNum(v.chunks) &&
    isNum(v.clampedTicks) &&
    isNum(v.lateTicks) &&
    (v.seams === undefined || isSeams(v.seams))
  );
}

const isNumOrNull = (v: unknown) => v === null || isNum(v);

function isSeams(v: unknown): v is DashboardSeams {
  return (
    isObj(v) &&
    isNumOrNull(v.seamRatio) &&
    isNumOrNull(v.rawSeamRatio) &&
    isNumOrNull(v.lagTicks) &&
    Array.isArray(v.perJoint) &&
    v.perJoint.every((j) => isObj(j) && isStr(j.joint) && isNumOrNull(j.seamRatio) && isNumOrNull(j.lagTicks))
  );
}

function isRange(v: unknown): v is JointRange | null {
  return v === null || (isObj(v) && isNum(v.min) && isNum(v.max) && v.min < v.max);
}

/** Used by the webview on every message from the host. */
export function isHostToDashboard(m: unknown): m is HostToDashboard {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'init':
      return (
        (m.status === undefined || isDashboardStatus(m.status)) &&
        optional(m.enabled, isCommandList) &&
        Array.isArray(m.motors) &&
        m.motors.every(isStr) &&
        (m.ranges === undefined || (Array.isArray(m.ranges) && m.ranges.every(isRange))) &&
        Array.isArray(m.ticks) &&
        m.ticks.every(isDashboardTick) &&
        Array.isArray(m.chunks) &&
        m.chunks.every(isDashboardChunk) &&
        optional(m.frameMode, isFrameMode) &&
        optional(m.progress, isProgress) &&
        isNum(m.roughSeamRatio) &&
        m.roughSeamRatio > 0
      );
    case 'ticks':
      return Array.isArray(m.ticks) && m.ticks.every(isDashboardTick) && isNum(m.dropped);
    case 'chunk':
      return isDashboardChunk(m.chunk);
    case 'frame':
      return isDashboardFrame(m.frame);
    case 'state':
      return (
        (m.status === undefined || isDashboardStatus(m.status)) &&
        optional(m.enabled, isCommandList) &&
        optional(m.progress, isProgress)
      );
    case 'episodeEnded':
      return isSummary(m.summary);
    case 'warning':
      return isStr(m.message);
    case 'probe':
      return isInt(m.id) && (m.postBack === undefined || Array.isArray(m.postBack));
    default:
      return false;
  }
}

function isProbeReport(v: unknown): v is DashboardProbeReport {
  return (
    isObj(v) &&
    isNum(v.ticksReceived) &&
    isNum(v.ticksPlotted) &&
    isNum(v.chunksInFan) &&
    Array.isArray(v.cameras) &&
    v.cameras.every(
      (c) =>
        isObj(c) &&
        isStr(c.camera) &&
        isNum(c.tick) &&
        isNum(c.behind) &&
        isStr(c.caption) &&
        isNum(c.width) &&
        isNum(c.height) &&
        isNum(c.nonBlackPixels),
    ) &&
    Array.isArray(v.timingRows) &&
    v.timingRows.every(isStr) &&
    isStrList(v.timingHeader) &&
    isStr(v.progressText) &&
    isStrList(v.units) &&
    isNum(v.policyTopMs) &&
    isNum(v.waterfallBars) &&
    isStr(v.phaseText) &&
    isStr(v.modelText) &&
    isFrameMode(v.frameMode) &&
    isNum(v.draws) &&
    isNum(v.framesReceived) &&
    isNum(v.messagesRejected) &&
    isStr(v.lastRejected)
  );
}

/** Used by the host on every message from the webview: anything else is ignored, never trusted. */
export function isDashboardToHost(m: unknown): m is DashboardToHost {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'ready':
      return true;
    case 'command':
      return isDashboardCommand(m.name);
    case 'setFrameMode':
      return isFrameMode(m.mode);
    case 'probe-reply':
      return isInt(m.id) && isProbeReport(m.report);
    default:
      return false;
  }
}
