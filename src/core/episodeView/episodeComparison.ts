// Two episodes on one tick axis (the same seed under two models, say): where their measured joints first part.
import type { TimelineStep } from './episodeTimeline';

/** Joint distance, in the joints' own units, beyond which two episodes count as diverged (default). */
export const DIVERGENCE_THRESHOLD = 5;

export interface EpisodeComparison {
  /** One axis for both: tick 0 … the longer episode's last tick. */
  readonly lastTick: number;
  /** The first tick both hold where some joint differs by more than the threshold; undefined when none does. */
  readonly divergenceTick?: number;
  /** The joint (index) that crossed the threshold first there. */
  readonly divergenceJoint?: number;
  /** The largest joint difference over the ticks both hold. */
  readonly maxDifference: number;
  readonly threshold: number;
}

export function compareEpisodes(
  a: readonly TimelineStep[],
  b: readonly TimelineStep[],
  threshold = DIVERGENCE_THRESHOLD,
): EpisodeComparison {
  if (!(threshold > 0)) throw new RangeError(`the divergence threshold must be positive, got ${threshold}`);
  const byTick = new Map<number, TimelineStep>();
  for (const s of b) byTick.set(s.tick, s);
  let divergenceTick: number | undefined;
  let divergenceJoint: number | undefined;
  let maxDifference = 0;
  let lastTick = 0;
  for (const s of b) lastTick = Math.max(lastTick, s.tick);
  for (const s of [...a].sort((x, y) => x.tick - y.tick)) {
    lastTick = Math.max(lastTick, s.tick);
    const o = byTick.get(s.tick);
    if (!o) continue;
    const n = Math.min(s.positions.length, o.positions.length);
    for (let j = 0; j < n; j++) {
      const d = Math.abs(s.positions[j] - o.positions[j]);
      if (!Number.isFinite(d)) continue;
      if (d > maxDifference) maxDifference = d;
      if (divergenceTick === undefined && d > threshold) {
        divergenceTick = s.tick;
        divergenceJoint = j;
      }
    }
  }
  return {
    lastTick,
    maxDifference,
    threshold,
    ...(divergenceTick !== undefined ? { divergenceTick, divergenceJoint } : {}),
  };
}

/**
 * Why two episodes' joints cannot be compared (a joint recorded in different units: degrees in one, ±100 in the
 * other), or undefined when they can. An unknown unit ('?', a record without its config) is taken on trust.
 */
export function unitMismatch(
  joints: readonly string[],
  aUnits: readonly string[],
  bUnits: readonly string[],
): string | undefined {
  const differing = joints.flatMap((joint, j) => {
    const [ua, ub] = [aUnits[j], bUnits[j]];
    return ua !== undefined && ub !== undefined && ua !== '?' && ub !== '?' && ua !== ub
      ? [`${joint} in ${ua} against ${ub}`]
      : [];
  });
  return differing.length === 0
    ? undefined
    : `their joints are recorded in different units (${differing.join(', ')}): a distance between them means nothing; record both with the same robot.normMode`;
}
