// Real time: the clock every real part (a serial arm, a policy server over the network) runs on.
import type { Clock } from '../../core/timing/clock';

export const wallClock: Clock = {
  kind: 'wall',
  now: () => performance.now(),
  advanceTo(deadline) {
    const wait = deadline - performance.now();
    return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
  },
  delay: (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve()),
  track: (work) => work,
  drain: () => Promise.resolve(),
};
