// Offline replay of a recorded episode through a policy: at which recorded ticks to ask, which cameras a layout needs,
// and how far each predicted chunk lies from what the arm was actually sent (its rows placed by rowAlignment.ts).
import { assignCameraRoles, ConverterError, type ConverterOptions, type Layout } from '../convert';
import { SO100_MOTORS, type MotorName, type PerMotor } from '../so100';
import type { ChunkDeviation, JointDeviation } from './replayDeviation';

/** A replay request that cannot be planned; the message names the fix. */
export class ReplayPlanError extends Error {
  override readonly name = 'ReplayPlanError';
}

/**
 * The ticks to ask the policy at, ascending and each once: the observation ticks of the episode's own chunk
 * requests, or (with `every`) every K-th recorded tick from the first. Ticks the record does not hold are left out.
 */
export function replayTicks(
  recordedTicks: readonly number[],
  requestTicks: readonly number[],
  every?: number,
): number[] {
  if (every !== undefined && (!Number.isInteger(every) || every < 1))
    throw new ReplayPlanError(`--every must be a whole number of ticks ≥ 1, got ${every}`);
  const held = new Set(recordedTicks);
  if (every !== undefined) {
    const first = recordedTicks.length === 0 ? 0 : Math.min(...recordedTicks);
    return [...held].filter((t) => (t - first) % every === 0).sort((a, b) => a - b);
  }
  return [...new Set(requestTicks)].filter((t) => held.has(t)).sort((a, b) => a - b);
}

/**
 * Why the record's cameras cannot feed `layout`, or undefined when they can. Live, a missing camera is sent black with
 * a warning; a replay through a black image would say nothing about the model, so it is refused instead, naming the
 * image the model needs and the cameras the record has.
 */
export function replayCameraProblem(
  layout: Layout,
  recordedCameras: readonly string[],
  options: Pick<ConverterOptions, 'cameras' | 'imageKeys'> = {},
): string | undefined {
  if (layout.images.kind !== 'slots') {
    return recordedCameras.length === 0 ? 'the record has no camera frames to send' : undefined;
  }
  const slots = layout.images.slots;
  let missing: readonly string[];
  try {
    missing = assignCameraRoles(
      recordedCameras,
      slots.map((s) => s.role),
      options.cameras,
    ).missing;
  } catch (err) {
    if (err instanceof ConverterError) return err.message;
    throw err;
  }
  const needed = slots.filter((s) => s.required && missing.includes(s.role));
  if (needed.length === 0) return undefined;
  const what = needed.map((s) => `'${options.imageKeys?.[s.role] ?? s.key}' (the ${s.role} view)`).join(' and ');
  if (recordedCameras.length === 0)
    return `layout '${layout.name}' needs a camera image for ${what}, and the record holds no camera frames (recorded with record.frames "none", or its frames were removed)`;
  return `layout '${layout.name}' needs a camera for ${what}, but the record has frames of ${recordedCameras.join(', ')} only; map one with converter.cameras (e.g. { "${needed[0].role}": "${recordedCameras[0]}" })`;
}

/**
 * The predicted chunk (horizon × 6 joint targets, motor order, the joints' units) against the commands the arm
 * received at the ticks its rows land on (`rowTicks`, from ExecutedTicks.rowTicks: row i at rowTicks[i]); a row whose
 * tick sent nothing (refused by safety) is not compared.
 */
export function chunkDeviation(
  rowTicks: readonly number[],
  targets: Float64Array,
  sentAt: (tick: number) => PerMotor<number> | undefined,
): ChunkDeviation {
  const n = SO100_MOTORS.length;
  if (targets.length % n !== 0 || rowTicks.length > targets.length / n)
    throw new ReplayPlanError(
      `${rowTicks.length} placed rows need at least ${rowTicks.length * n} joint targets in rows of ${n}, got ${targets.length}`,
    );
  const sum = new Float64Array(n);
  const max = new Float64Array(n);
  let rows = 0;
  rowTicks.forEach((tick, r) => {
    const s = sentAt(tick);
    if (!s) return;
    rows++;
    for (let j = 0; j < n; j++) {
      const d = Math.abs(targets[r * n + j] - s[SO100_MOTORS[j]]);
      sum[j] += d;
      if (d > max[j] || Number.isNaN(d)) max[j] = d;
    }
  });
  const perJoint = Object.fromEntries(
    SO100_MOTORS.map((m: MotorName, j) => [m, rows === 0 ? null : { mean: sum[j] / rows, max: max[j] }]),
  ) as PerMotor<JointDeviation | null>;
  return { rows, perJoint };
}

/**
 * The predicted chunk against the chunk the episode itself received for the same observation, row by row over the
 * rows both have ("would this model have asked for what the recorded one did?"); null cells are not compared.
 */
export function chunkDifference(
  horizon: number,
  targets: Float64Array,
  recorded: readonly (readonly (number | null)[])[],
): ChunkDeviation {
  const n = SO100_MOTORS.length;
  const sum = new Float64Array(n);
  const max = new Float64Array(n);
  const count = new Uint32Array(n);
  const rows = Math.min(horizon, recorded.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const v = recorded[r][j];
      if (v === null || v === undefined) continue;
      const d = Math.abs(targets[r * n + j] - v);
      sum[j] += d;
      count[j]++;
      if (d > max[j] || Number.isNaN(d)) max[j] = d;
    }
  }
  const perJoint = Object.fromEntries(
    SO100_MOTORS.map((m: MotorName, j) => [m, count[j] === 0 ? null : { mean: sum[j] / count[j], max: max[j] }]),
  ) as PerMotor<JointDeviation | null>;
  return { rows, perJoint };
}

/** The largest mean deviation over the joints of a chunk (null when nothing was compared): one number per chunk. */
export function worstMeanDeviation(d: ChunkDeviation): number | null {
  let worst: number | null = null;
  for (const m of SO100_MOTORS) {
    const j = d.perJoint[m];
    if (j && (worst === null || j.mean > worst)) worst = j.mean;
  }
  return worst;
}
