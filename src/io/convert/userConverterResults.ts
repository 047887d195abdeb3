// Checks what a user's toPolicy / fromPolicy returned and brings bare results to the Converter's shapes.
import type { JointTargets, PolicyInput } from '../../core/convert';
import type { WireValue } from '../../core/protocols';
import { UserConverterError } from './userConverterError';

const MOTORS = 6;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<number>).length ?? '?'}`;
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return typeof v;
}

function checkWarnings(w: unknown, file: string, fn: 'toPolicy' | 'fromPolicy'): readonly string[] {
  if (w === undefined) return [];
  if (!Array.isArray(w) || !w.every((s) => typeof s === 'string')) {
    throw new UserConverterError(
      fn,
      file,
      `${fn} returned 'warnings' that is not an array of strings (got ${describe(w)})`,
    );
  }
  return [...w];
}

/**
 * `{ input, warnings? }` (only those keys) is a PolicyInput; any other plain object is the input map itself,
 * with no warnings. The map is copied so the user's code may reuse its object.
 */
export function normaliseToPolicy(result: unknown, file: string): PolicyInput {
  if (!isPlainObject(result)) {
    throw new UserConverterError(
      'toPolicy',
      file,
      `toPolicy must return an input map or { input, warnings }, got ${describe(result)}`,
    );
  }
  const keys = Object.keys(result);
  const wrapped = isPlainObject(result.input) && keys.every((k) => k === 'input' || k === 'warnings');
  if (wrapped) {
    return {
      input: { ...(result.input as { [key: string]: WireValue }) },
      warnings: checkWarnings(result.warnings, file, 'toPolicy'),
    };
  }
  return { input: { ...(result as { [key: string]: WireValue }) }, warnings: [] };
}

/** A JointTargets, or a bare Float64Array of horizon × 6 targets in motor order; the targets are copied. */
export function normaliseFromPolicy(result: unknown, file: string): JointTargets {
  const bare = result instanceof Float64Array;
  const targets = bare ? result : isPlainObject(result) ? result.targets : undefined;
  if (!(targets instanceof Float64Array)) {
    throw new UserConverterError(
      'fromPolicy',
      file,
      `fromPolicy must return a Float64Array of horizon × ${MOTORS} targets or { horizon, targets, warnings }, got ${describe(bare || !isPlainObject(result) ? result : result.targets)}`,
    );
  }
  if (targets.length === 0 || targets.length % MOTORS !== 0) {
    throw new UserConverterError(
      'fromPolicy',
      file,
      `fromPolicy returned ${targets.length} targets; expected a positive multiple of ${MOTORS} (horizon × ${MOTORS} motors, motor order)`,
    );
  }
  const horizon = targets.length / MOTORS;
  if (!bare) {
    const r = result as Record<string, unknown>;
    if (r.horizon !== undefined && r.horizon !== horizon) {
      throw new UserConverterError(
        'fromPolicy',
        file,
        `fromPolicy returned horizon ${String(r.horizon)} but ${targets.length} targets (= ${horizon} × ${MOTORS})`,
      );
    }
    return { horizon, targets: targets.slice(), warnings: checkWarnings(r.warnings, file, 'fromPolicy') };
  }
  return { horizon, targets: targets.slice(), warnings: [] };
}
