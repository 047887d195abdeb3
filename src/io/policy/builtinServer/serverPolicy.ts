// What the built-in server runs for one connection: the cube-picking demo when the observation carries a front
// camera image (the embedded default), otherwise the waypoint demo (state-only clients, protocol tests); or, when
// asked for `hold`, the measured state and nothing else.
import { chwToHwc } from '../../../core/convert';
import { NdArray } from '../../../core/ndarray';
import { type WireValue } from '../../../core/protocols';
import { CubePickingPolicy } from '../../../core/policy/cubePickingPolicy';
import { DemoPolicy } from '../../../core/policy/demoPolicy';
import { HoldPolicy, type BuiltinPolicyName } from '../../../core/policy/holdPolicy';
import { ObservationError } from './observationState';

/** Where the known layouts put their primary (front) camera, in order of preference. */
export const FRONT_IMAGE_KEYS = [
  'observation/images.main',
  'observation/image',
  'observation/exterior_image_1_left',
  'observation.images.front',
  'observation.images.main',
  'images.cam_high',
] as const;

export class ServerPolicy {
  private readonly demo: DemoPolicy;
  private readonly cube: CubePickingPolicy;
  private readonly hold: HoldPolicy | undefined;
  private decision = 'no request yet';

  /** Throws CubePickingInputError when actionDim is below the SO-100's 6 joints (customizeProfile refuses those). */
  constructor(
    readonly horizon: number,
    readonly actionDim: number,
    kind: BuiltinPolicyName = 'demo',
  ) {
    this.cube = new CubePickingPolicy(horizon, actionDim);
    this.demo = new DemoPolicy(horizon, actionDim);
    this.hold = kind === 'hold' ? new HoldPolicy(horizon, actionDim) : undefined;
  }

  /** Plans horizon × actionDim values from the state and, when present, the front image. */
  plan(observation: WireValue, state: Float64Array): Float64Array {
    if (this.hold) {
      this.decision = 'hold: every step is the measured state';
      return this.hold.plan(state);
    }
    const image = frontImage(observation);
    if (!image || state.length < 6) {
      this.decision = image ? 'state has fewer than 6 joints: waypoint demo' : 'no front image: waypoint demo';
      return this.demo.plan(state);
    }
    const planned = this.cube.plan(state, image);
    this.decision = this.cube.lastDecision;
    return planned;
  }

  reset(): void {
    this.demo.reset();
    this.cube.reset();
  }

  get lastDecision(): string {
    return this.decision;
  }
}

/** The first known front-camera image in an observation, as HWC uint8, or undefined. */
export function frontImage(observation: WireValue): { data: Uint8Array; width: number; height: number } | undefined {
  if (
    typeof observation !== 'object' ||
    observation === null ||
    Array.isArray(observation) ||
    observation instanceof Uint8Array
  )
    return undefined;
  const map = observation as { [key: string]: WireValue };
  for (const key of FRONT_IMAGE_KEYS) {
    const [outer, inner] = key.startsWith('images.') ? ['images', key.slice(7)] : [key, undefined];
    let v: WireValue | undefined = map[outer];
    if (inner !== undefined)
      v =
        typeof v === 'object' &&
        v !== null &&
        !(v instanceof NdArray) &&
        !Array.isArray(v) &&
        !(v instanceof Uint8Array)
          ? (v as { [k: string]: WireValue })[inner]
          : undefined;
    if (v === undefined) continue;
    if (!(v instanceof NdArray) || v.dtype !== '|u1' || v.shape.length !== 3) {
      throw new ObservationError(`"${key}" must be a uint8 image shaped (H, W, 3) or (3, H, W)`);
    }
    const [a, b, c] = v.shape;
    if (c === 3) return { data: v.data, width: b, height: a };
    if (a === 3) return { data: chwToHwc(v.data, b, c, 3, new Uint8Array(v.data.length)), width: c, height: b };
    throw new ObservationError(`"${key}" has shape (${v.shape.join(', ')}); expected (H, W, 3) or (3, H, W)`);
  }
  return undefined;
}
