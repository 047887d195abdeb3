// What a config edit requires of a running session (rust-analyzer's hot / restart-server / reconnect split).
import { formatPath, type PathSegment } from './configProblem';
import type { So100Config } from './configTypes';

/**
 * - `hot`: applied by the running session without restarting anything. Loop settings (fps, task, maxSteps, the
 *   request timeout), safety caps, chunking, the converter (layout, camera mapping, gripper, module: the converter
 *   is pure and rebuilt between ticks) and record settings (read when the next record opens). Also any change to a
 *   model that is not active: nothing runs it.
 * - `restart-episode`: the running episode must end and start again; the arm stays connected and the server keeps
 *   running. Cameras (opened per episode: an ffmpeg child per camera, and the converter's slots depend on which
 *   exist — swapping a camera mid-episode would hand the policy a different view without telling it) and the
 *   simulated cube's seed (the scene is built at episode start).
 * - `reconnect-arm`: the arm must be made safe, disconnected and connected again: robot.port / id / calibrationDir
 *   (another arm or calibration) and normMode (the units every position is read and written in).
 * - `restart-server`: the inference server must be restarted (or, for a remote model, reconnected): activeModel,
 *   or any setting of the active model that the running process was started with — command, args, cwd, env, host,
 *   port, protocol, profile, latencyMs, policy, url. startTimeoutMs only matters while starting, so it is hot.
 */
export type ChangeClass = 'hot' | 'restart-episode' | 'reconnect-arm' | 'restart-server';

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
      return name === 'seed' || name === 'scene' ? 'restart-episode' : 'hot';
    case 'cameras':
      return 'restart-episode';
    default:
      return 'hot'; // fps, maxSteps, task, requestTimeoutMs, maxPolicyFailures, converter, chunking, record
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
