// A policy's action chunk → SO-100 joint targets in motor order, for one built-in layout.
import type { ActionChunk } from '../chunking/actionChunk';
import { SO100_MOTORS } from '../so100/motors';
import { ConverterError } from './converterError';
import { gripperUnits } from './gripperUnits';
import { type ConverterOptions, type Layout, minActionDims } from './layouts';

/** Joint targets for each step of a chunk: `horizon` rows of 6 values in SO100_MOTORS order, robot units. */
export interface JointTargets {
  readonly horizon: number;
  /** Row-major, horizon × 6; a fresh array. */
  readonly targets: Float64Array;
  readonly warnings: readonly string[];
}

/**
 * Picks each motor's column out of every action row (dropping padding such as π₀'s 32 → 6) and maps the
 * gripper back to 0–100. Assumes actions are absolute targets in the units the state was sent in (openpi's
 * output transforms turn delta-trained joints back into absolute positions). Non-finite values pass through
 * unchanged for the safety gate to reject.
 */
export function fromPolicy(chunk: ActionChunk, layout: Layout, options: ConverterOptions = {}): JointTargets {
  const key = layout.action.key;
  const need = minActionDims(layout);
  const { horizon, dims, values } = chunk;
  const shapeOk =
    Number.isInteger(horizon) &&
    horizon >= 1 &&
    Number.isInteger(dims) &&
    dims >= 1 &&
    values instanceof Float64Array &&
    values.length === horizon * dims;
  if (!shapeOk) {
    const len = values instanceof Float64Array ? `${values.length} values` : 'no Float64Array of values';
    throw new ConverterError(
      key,
      `an action chunk (horizon ≥ 1, ${layout.action.dims}) with horizon × dims values`,
      `(${horizon}, ${dims}) with ${len}`,
    );
  }
  if (dims < need) {
    throw new ConverterError(
      key,
      `(horizon, ${layout.action.dims}) — at least ${need} values per step`,
      `(${horizon}, ${dims})`,
      `Is the server running a '${layout.name}' policy? Pick the converter layout that matches it`,
    );
  }
  const warnings: string[] = [];
  if (dims !== layout.action.dims && !(layout.action.padded && dims > layout.action.dims)) {
    warnings.push(
      `'${key}' has ${dims} values per step but layout '${layout.name}' expects ${layout.action.dims}; using columns ${SO100_MOTORS.map(
        (m) => `${m}=${layout.action.motorIndex[m]}`,
      ).join(', ')}`,
    );
  }
  const gripper = gripperUnits(options);
  const targets = new Float64Array(horizon * SO100_MOTORS.length);
  const cols = SO100_MOTORS.map((m) => layout.action.motorIndex[m]);
  const g = SO100_MOTORS.indexOf('gripper');
  for (let s = 0; s < horizon; s++) {
    const row = s * dims;
    const out = s * cols.length;
    for (let j = 0; j < cols.length; j++) {
      const v = values[row + cols[j]];
      targets[out + j] = j === g ? gripper.toRobot(v) : v;
    }
  }
  return { horizon, targets, warnings };
}
