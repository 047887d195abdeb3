// A policy that asks for no motion: every step of every chunk is the measured state. It costs nothing to plan,
// so it is what the built-in server runs for a dry run on real hardware (the whole flow, the arm stays put) and
// for measuring the transport without a planner in the figure (benchmark 3's "zero-latency policy").
import { DemoPolicyInputError } from './demoPolicy';

/** The built-in server's policies: `demo` plans visible motion (cube picking or waypoints); `hold` stays still. */
export type BuiltinPolicyName = 'demo' | 'hold';

export function isBuiltinPolicyName(s: string): s is BuiltinPolicyName {
  return s === 'demo' || s === 'hold';
}

export class HoldPolicy {
  constructor(
    readonly horizon: number,
    readonly actionDim: number,
  ) {}

  /** horizon × actionDim values, row-major: the state's joints in every row, zero-padded past them. */
  plan(state: ArrayLike<number>): Float64Array {
    for (let i = 0; i < state.length; i++) {
      if (!Number.isFinite(state[i]))
        throw new DemoPolicyInputError(`state[${i}] is ${state[i]}; the state must be finite numbers`);
    }
    const out = new Float64Array(this.horizon * this.actionDim);
    const joints = Math.min(state.length, this.actionDim);
    for (let t = 0; t < this.horizon; t++) {
      for (let j = 0; j < joints; j++) out[t * this.actionDim + j] = state[j];
    }
    return out;
  }
}
