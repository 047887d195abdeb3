// What a config edit requires of a running session (rust-analyzer's hot / restart-server / reconnect split).
import { formatPath, type PathSegment } from './configProblem';
import type { So100Config } from './configTypes';

/**
 * The one classifier of config edits: the runtime applies each change by its class, and the README describes them.
 * - `hot`: the running episode takes it from its next tick or request. Loop settings (fps, task, maxSteps, the
 *   request timeout, maxPolicyFailures), safety caps and the disconnect behaviour, the converter (layout, camera
 *   mapping, gripper, module: the converter is pure and rebuilt between ticks), and chunking parameters within the
 *   same mode (threshold, aggregate, alpha, actionsPerChunk, nActionSteps, prefetchSteps: the scheduler reads them
 *   at each decision, so the next request or merge uses them). Also any change to a model that is not active.
 * - `next-episode`: the running episode keeps what it was built with; the next episode uses the new value (nothing
 *   restarts). Cameras (opened per episode, an ffmpeg child each, and the converter's slots depend on which exist:
 *   swapping one mid-episode would hand the policy a different view without telling it), the simulated cube's seed
 *   (the scene is built at episode start), the chunking mode (async ↔ sync: the queued actions were placed under the
 *   other mode's rules) and record settings (the episode's folder and video files are already open).
 * - `reconnect-arm`: the arm must be made safe, disconnected and connected again: robot.port / id / calibrationDir
 *   (another arm or calibration) and normMode (the units every position is read and written in).
 * - `restart-server`: the inference server must be restarted (or, for a remote model, reconnected): activeModel,
 *   or any setting of the active model that the running process was started with — command, args, cwd, env, host,
 *   port, protocol, profile, latencyMs, policy, url. startTimeoutMs only matters while starting, so it is hot.
 */
export type ChangeClass = 'hot' | 'next-episode' | 'reconnect-arm' | 'restart-server';

export interface ConfigChange {
  /** The changed setting, e.g. `robot.port`, `models.mine.args`, `cameras.top` (added or removed). */
  readonly path: string;
  readonly class: ChangeClass;
}

type Json = null | boolean | number | string | undefined | readonly Json[] | { readonly [key: string]: Json };

function isRecord(v: Json): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** Paths of the differing leaves; a whole entry when it was added or removed or its `kind`/`mode` changed. */
function diffPaths(a: Json, b: Json, path: PathSegment[], out: PathSegment[][]): void {
  if (sameJson(a, b)) return;
  if (!isRecord(a) || !isRecord(b) || a.kind !== b.kind || a.mode !== b.mode) {
    out.push(path);
    return;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], [...path, k], out);
}

const RECONNECT_ROBOT_KEYS = new Set(['port', 'id', 'calibrationDir', 'normMode']);

function classify(path: readonly PathSegment[], next: So100Config): ChangeClass {
  const [section, name, key] = path;
  switch (section) {
    case 'activeModel':
      return 'restart-server';
    case 'models':
      if (name !== next.activeModel) return 'hot';
      return key === 'startTimeoutMs' ? 'hot' : 'restart-server';
    case 'robot':
      if (typeof name === 'string' && RECONNECT_ROBOT_KEYS.has(name)) return 'reconnect-arm';
      return name === 'seed' || name === 'scene' ? 'next-episode' : 'hot';
    case 'cameras':
    case 'record':
      return 'next-episode';
    case 'chunking':
      // The whole section is the path only when its mode changed (see diffPaths).
      return name === undefined ? 'next-episode' : 'hot';
    default:
      return 'hot'; // fps, maxSteps, task, requestTimeoutMs, maxPolicyFailures, converter
  }
}

/** Every setting that differs between two resolved configs, with what applying it requires. */
export function classifyChanges(old: So100Config, next: So100Config): ConfigChange[] {
  const paths: PathSegment[][] = [];
  diffPaths(old as unknown as Json, next as unknown as Json, [], paths);
  return paths.map((p) => ({ path: formatPath(p), class: classify(p, next) }));
}

/** The distinct classes of a list of changes, e.g. to decide between "applied" and "restart the server?". */
export function changeClasses(changes: readonly ConfigChange[]): Set<ChangeClass> {
  return new Set(changes.map((c) => c.class));
}
