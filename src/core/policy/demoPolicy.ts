// The embedded default's policy: deterministic, no model files. It plans smooth chunks from the measured joint
// state toward a cycle of waypoints (SO-100 joints in LeRobot degrees, gripper 0–100), so an episode visibly moves.

/** Joint targets the demo cycles through: reach, grasp, lift, place, release, home. */
const WAYPOINTS: readonly (readonly number[])[] = [
  [15, -25, 35, 40, 0, 80],
  [15, -10, 20, 55, 0, 10],
  [15, -35, 45, 30, 0, 10],
  [-20, -35, 45, 30, 0, 10],
  [-20, -15, 25, 50, 0, 80],
  [0, 0, 0, 0, 0, 50],
];

/** Requests spent on each waypoint before moving to the next. */
const REQUESTS_PER_WAYPOINT = 3;
/** Largest change of one joint between consecutive steps, in state units. */
const MAX_STEP = 1.5;

export class DemoPolicyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoPolicyInputError';
  }
}

export class DemoPolicy {
  private requests = 0;

  constructor(
    readonly horizon: number,
    readonly actionDim: number,
  ) {}

  /** Starts the waypoint cycle again (a new episode). */
  reset(): void {
    this.requests = 0;
  }

  /** Plans `horizon` steps from `state`; returns horizon × actionDim values, row-major, zero-padded. */
  plan(state: ArrayLike<number>): Float64Array {
    for (let i = 0; i < state.length; i++) {
      if (!Number.isFinite(state[i]))
        throw new DemoPolicyInputError(`state[${i}] is ${state[i]}; the state must be finite numbers`);
    }
    const waypoint = WAYPOINTS[Math.floor(this.requests / REQUESTS_PER_WAYPOINT) % WAYPOINTS.length];
    this.requests++;
    const out = new Float64Array(this.horizon * this.actionDim);
    const joints = Math.min(state.length, this.actionDim);
    for (let j = 0; j < joints; j++) {
      const start = state[j];
      const goal = j < waypoint.length ? waypoint[j] : start;
      let prev = start;
      for (let t = 0; t < this.horizon; t++) {
        // Minimum-jerk profile over the chunk, then a per-step cap so a far goal takes several chunks.
        const s = (t + 1) / this.horizon;
        const blend = s * s * s * (10 - 15 * s + 6 * s * s);
        const wanted = start + (goal - start) * blend;
        const next = prev + Math.max(-MAX_STEP, Math.min(MAX_STEP, wanted - prev));
        out[t * this.actionDim + j] = next;
        prev = next;
      }
    }
    return out;
  }
}
