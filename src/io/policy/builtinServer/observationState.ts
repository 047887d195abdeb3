// Finds the robot state in an observation, whichever layout the client used.
import { NdArray } from '../../../core/ndarray';
import { type WireValue } from '../../../core/protocols';

/** Where the known layouts put the joint state (openpi SO-100/LIBERO, ALOHA, DROID, awesome-lerobot). */
export const STATE_KEYS = ['observation/state', 'state', 'observation/joint_position', 'observation.state'] as const;

export class ObservationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObservationError';
  }
}

/** The state vector of an observation map; throws ObservationError naming the keys it looked for. */
export function observationState(obs: WireValue): Float64Array {
  if (
    typeof obs !== 'object' ||
    obs === null ||
    Array.isArray(obs) ||
    obs instanceof Uint8Array ||
    obs instanceof NdArray
  ) {
    throw new ObservationError('the observation must be a map of str keys');
  }
  const map = obs as { [key: string]: WireValue };
  const key = STATE_KEYS.find((k) => map[k] !== undefined);
  if (!key) {
    throw new ObservationError(
      `the observation has no state: expected one of ${STATE_KEYS.join(', ')}; got keys ` +
        `${Object.keys(map).join(', ') || '(none)'}`,
    );
  }
  const v = map[key];
  if (!(v instanceof NdArray)) throw new ObservationError(`"${key}" must be an ndarray, got ${typeof v}`);
  const squeezed = v.shape.filter((d, i) => !(d === 1 && i < v.shape.length - 1));
  if (squeezed.length !== 1 || squeezed[0] < 1) {
    throw new ObservationError(`"${key}" must be a 1-d vector (or (1, n)), got shape (${v.shape.join(', ')})`);
  }
  if (v.dtype === '|b1') throw new ObservationError(`"${key}" has dtype |b1; the state must be numbers`);
  return v.toFloat64();
}
