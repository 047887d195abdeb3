// The end-of-episode line about chunk seams (no DOM here: unit tests import it).
import type { DashboardSeams } from '../../src/contracts/dashboardMessages';

/** The episode's seams and tracking lag, overall and per body joint. */
export function seamText(s: DashboardSeams): string {
  const n = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));
  const joints = s.perJoint.map((j) => `${j.joint} ${n(j.seamRatio)}× / ${n(j.lagTicks, 1)}`).join(', ');
  return (
    `. Chunk seams: ${n(s.seamRatio)}× the in-chunk p99 step sent (${n(s.rawSeamRatio)}× asked by the policy), ` +
    `lag ${n(s.lagTicks, 1)} ticks; per joint (seam × / lag ticks): ${joints}`
  );
}
