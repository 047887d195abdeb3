// Tracking one joint's range of motion during calibration, wrap-aware. Present_Position is single-turn
// (0–4095, wrapping), so LeRobot's plain min/max cannot tell "4095" from "−1": when the homing pose was not
// the middle of the travel, the 0/4095 seam lands inside the travel and the recorded range silently collapses
// to about 0..4095 or loses one side (LeRobot issues 3586 and 3587). Here every sample is also unwrapped by
// the shortest step from the previous one, which shows when the sweep crossed the seam and by how much.
import { MAX_HOMING_OFFSET_MAGNITUDE, MAX_RAW_POSITION } from './calibration';

const TURN = MAX_RAW_POSITION + 1;
/** LeRobot's half turn: int(4095 / 2). */
export const HALF_TURN = Math.trunc(MAX_RAW_POSITION / 2);

/** Running state of one joint's sweep. `min`/`max` are LeRobot's (raw readings); the `unwrapped*` ones are not. */
export interface RangeSweep {
  readonly min: number;
  readonly max: number;
  readonly last: number;
  /** Continuous position: the first reading plus the shortest step between consecutive readings. */
  readonly unwrapped: number;
  readonly unwrappedMin: number;
  readonly unwrappedMax: number;
}

/**
 * Half-turn homing offset for a joint read at `raw` with Homing_Offset 0, so that it then reads 2047
 * (LeRobot `set_half_turn_homings`). raw 4095 would give 2048, which the register cannot hold; 2047 reads
 * as 2048, still the middle (LeRobot PR 3370).
 */
export function halfTurnHomingOffset(raw: number): number {
  return Math.min(MAX_HOMING_OFFSET_MAGNITUDE, raw - HALF_TURN);
}

/** A sweep that has seen one reading. */
export function startSweep(raw: number): RangeSweep {
  return { min: raw, max: raw, last: raw, unwrapped: raw, unwrappedMin: raw, unwrappedMax: raw };
}

/** Adds one reading. A step of more than half a turn between readings (20 ms apart) is taken as a wrap. */
export function addSample(sweep: RangeSweep, raw: number): RangeSweep {
  let step = raw - sweep.last;
  if (step > TURN / 2) step -= TURN;
  else if (step < -TURN / 2) step += TURN;
  const unwrapped = sweep.unwrapped + step;
  return {
    min: Math.min(sweep.min, raw),
    max: Math.max(sweep.max, raw),
    last: raw,
    unwrapped,
    unwrappedMin: Math.min(sweep.unwrappedMin, unwrapped),
    unwrappedMax: Math.max(sweep.unwrappedMax, unwrapped),
  };
}

/** Whether the sweep went past 0 or 4095, i.e. the encoder's wrap point lies inside this joint's travel. */
export function crossedWrap(sweep: RangeSweep): boolean {
  return sweep.unwrappedMin < 0 || sweep.unwrappedMax > MAX_RAW_POSITION;
}

/** Steps between the lowest and highest continuous positions seen. */
export function sweepSpan(sweep: RangeSweep): number {
  return sweep.unwrappedMax - sweep.unwrappedMin;
}

/** Largest travel that can still be re-centred with some margin on both sides of the seam. */
export const MAX_RECENTERABLE_SPAN = MAX_RAW_POSITION - 8;

/** A new homing offset that puts the middle of the observed travel at 2047, and the sweep seen in its frame. */
export interface Recentering {
  readonly homingOffset: number;
  /** Readings after the new offset are (old reading − shift) mod 4096. */
  readonly shift: number;
  readonly sweep: RangeSweep;
}

/** Reduces an offset to the representative in −2047..2047 of its class mod 4096 (−2048 ≡ 2048 does not fit; use −2047). */
function wrapOffset(offset: number): number {
  let o = ((offset % TURN) + TURN) % TURN;
  if (o > TURN / 2) o -= TURN;
  return o === -TURN / 2 || o === TURN / 2 ? -MAX_HOMING_OFFSET_MAGNITUDE : o;
}

/**
 * The fix from LeRobot issue 3587, applied after the sweep: choose the homing offset from the observed travel
 * so the seam lies outside it. Undefined when the joint travels (nearly) a full turn and no offset can help.
 * Assumes the servo reports (Actual − Homing_Offset) mod 4096, as LeRobot documents.
 */
export function recenterSweep(sweep: RangeSweep, homingOffset: number): Recentering | undefined {
  if (sweepSpan(sweep) > MAX_RECENTERABLE_SPAN) return undefined;
  const centre = Math.floor((sweep.unwrappedMin + sweep.unwrappedMax) / 2);
  const newOffset = wrapOffset(homingOffset + centre - HALF_TURN);
  // The shift actually applied, after wrapping the offset (it may differ from centre − 2047 by whole turns or 1).
  let shift = newOffset - homingOffset;
  // Pick the representative of shift mod 4096 that keeps the centre nearest to 2047.
  shift += Math.round((centre - HALF_TURN - shift) / TURN) * TURN;
  const unwrappedMin = sweep.unwrappedMin - shift;
  const unwrappedMax = sweep.unwrappedMax - shift;
  const unwrapped = sweep.unwrapped - shift;
  const last = ((unwrapped % TURN) + TURN) % TURN;
  return {
    homingOffset: newOffset,
    shift,
    sweep: { min: unwrappedMin, max: unwrappedMax, last, unwrapped, unwrappedMin, unwrappedMax },
  };
}
