// The embedded default's seeing policy: it finds the red cube in the `front` image by colour, turns the pixel into
// a table position and plans joint chunks to pick it up (reach above → descend → close → lift → hold).
//
// The demo's privilege: it knows the built-in front camera's intrinsics and extrinsics (FRONT_CAMERA) and the
// arm's kinematics, which a learned policy would have to infer. Everything else it must see: with the wrong image
// (the wrist view given as front, a black frame) it finds no cube, holds still and says why in `lastDecision`.
import { forwardKinematics, inverseKinematics } from '../scene/armKinematics';
import { FRONT_CAMERA, type PinholeCamera, pixelToPlane } from '../scene/cameraModel';
import { findCubeBlob } from '../scene/colorBlob';
import { CUBE_SIZE } from '../scene/cubeTask';
import { outputToSourcePixel } from '../scene/resizeWithPadGeometry';
import { type Vec3, distance, vec3 } from '../scene/vec3';

/** The front image as the policy receives it, and the size of the camera frame it was resized-with-pad from. */
export interface PolicyFrontImage {
  /** H × W × 3 uint8, HWC. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Size of the original camera frame (defaults to the image's own size: no resize). */
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
}

export type CubePickingPhase = 'search' | 'approach' | 'descend' | 'close' | 'lift' | 'hold';

export class CubePickingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CubePickingInputError';
  }
}

/** Tip height above the cube's centre while hovering before the descent, metres. */
const HOVER = 0.07;
/** Tip height above the cube's centre after lifting, metres (the cube must clear 5 cm). */
const LIFT = 0.1;
/** Approach pitches tried in order (degrees above horizontal): straight down first. */
const PITCHES = [-90, -80, -70, -60, -50, -40];
/** Largest change per step: body joints in degrees, gripper in 0–100 units. */
const BODY_STEP_CAP = 2.5;
const GRIPPER_STEP_CAP = 8;
const OPEN = 100;
const CLOSED = 0;
/** Less gripper travel than this between two decisions while closing means the jaws are blocked. */
const STALL_PROGRESS = 1;

interface GraspPlan {
  readonly cube: Vec3;
  readonly pitch: number;
  readonly hover: readonly number[];
  readonly grasp: readonly number[];
  readonly lift: readonly number[];
}

/** A deterministic pick-the-cube policy; one instance per episode (or `reset` between episodes). */
export class CubePickingPolicy {
  private phase: CubePickingPhase = 'search';
  private plan_: GraspPlan | null = null;
  private decision = 'no request yet';
  /** Gripper position at the previous decision while closing; a gripper that stopped closing holds something. */
  private closingFrom: number | undefined;

  constructor(
    readonly horizon: number,
    readonly actionDim: number,
    private readonly camera: PinholeCamera = FRONT_CAMERA,
  ) {
    if (!Number.isInteger(horizon) || horizon < 1)
      throw new CubePickingInputError(`horizon is ${horizon}; it must be a whole number ≥ 1`);
    if (!Number.isInteger(actionDim) || actionDim < 6)
      throw new CubePickingInputError(`actionDim is ${actionDim}; the SO-100 needs at least 6`);
  }

  /** What the policy did last and why, in words. */
  get lastDecision(): string {
    return this.decision;
  }

  /** The current step of the pick. */
  get currentPhase(): CubePickingPhase {
    return this.phase;
  }

  /** Forgets the cube and starts searching again (a new episode). */
  reset(): void {
    this.phase = 'search';
    this.plan_ = null;
    this.closingFrom = undefined;
    this.decision = 'reset';
  }

  /** Plans `horizon` joint targets from the state (6 values, LeRobot units) and the front image; zero-padded rows. */
  plan(state: ArrayLike<number>, front: PolicyFrontImage): Float64Array {
    if (state.length < 6)
      throw new CubePickingInputError(
        `state has ${state.length} values; the SO-100 policy needs 6 (shoulder_pan … gripper)`,
      );
    for (let i = 0; i < 6; i++) {
      if (!Number.isFinite(state[i]))
        throw new CubePickingInputError(`state[${i}] is ${state[i]}; the state must be finite numbers`);
    }
    if (front.data.length !== front.width * front.height * 3) {
      throw new CubePickingInputError(
        `front image has ${front.data.length} bytes, not ${front.width}×${front.height}×3; pass it as uint8 HWC`,
      );
    }
    const seen = this.locateCube(front);
    const goal = this.decide(state, seen);
    return this.chunkToward(state, goal);
  }

  /** The cube's table position seen in the front image, or why there is none. */
  private locateCube(front: PolicyFrontImage): Vec3 | string {
    const blob = findCubeBlob(front.data, front.width, front.height);
    if (!blob)
      return `no red cube in the front image (${front.width}×${front.height}); check that the front camera is mapped to the policy's main image`;
    const srcW = front.sourceWidth ?? front.width;
    const srcH = front.sourceHeight ?? front.height;
    const p = outputToSourcePixel(blob.u, blob.v, srcW, srcH, front.width, front.height);
    const onTable = pixelToPlane(this.camera, p.u, p.v, srcW, srcH, CUBE_SIZE / 2);
    if (!onTable)
      return `red pixels at (${p.u.toFixed(0)}, ${p.v.toFixed(0)}) do not look down at the table; is this the front camera?`;
    return onTable;
  }

  /** Advances the pick's phase from what the state and image show; returns the 6 joint targets to head for. */
  private decide(state: ArrayLike<number>, seen: Vec3 | string): readonly number[] {
    const hold = Array.from({ length: 6 }, (_, i) => state[i]);
    const tip = forwardKinematics(state).tip;
    const gripper = state[5];
    if (this.phase === 'search' || this.phase === 'approach') {
      if (typeof seen === 'string') {
        this.phase = 'search';
        this.plan_ = null;
        this.decision = `holding: ${seen}`;
        return hold;
      }
      const plan = graspPlanFor(seen);
      if (typeof plan === 'string') {
        this.phase = 'search';
        this.plan_ = null;
        this.decision = `holding: cube seen at (${fmt(seen)}) but ${plan}`;
        return hold;
      }
      this.plan_ = plan;
      this.phase = 'approach';
    }
    const plan = this.plan_;
    if (!plan) throw new Error('unreachable: a grasp plan exists past the search phase');
    const at = (joints: readonly number[], tolerance: number): boolean =>
      distance(tip, forwardKinematics(joints).tip) <= tolerance;
    if (this.phase === 'approach') {
      if (at(plan.hover, 0.012) && gripper >= 80) {
        this.phase = 'descend';
      } else {
        this.decision = `approach: moving above the cube seen at (${fmt(plan.cube)}) with the gripper open, pitch ${plan.pitch}°`;
        return [...plan.hover, OPEN];
      }
    }
    if (this.phase === 'descend') {
      if (at(plan.grasp, 0.006)) {
        this.phase = 'close';
      } else {
        this.decision = `descend: lowering the open jaws around the cube at (${fmt(plan.cube)})`;
        return [...plan.grasp, OPEN];
      }
    }
    if (this.phase === 'close') {
      // Fully closed, or stalled on the cube (a real gripper, and the simulated one, stop at the cube's width).
      const stalled = this.closingFrom !== undefined && this.closingFrom - gripper < STALL_PROGRESS;
      this.closingFrom = gripper;
      if (gripper <= 10 || stalled) {
        this.phase = 'lift';
        this.closingFrom = undefined;
      } else {
        this.decision = 'close: closing the jaws on the cube';
        return [...plan.grasp, CLOSED];
      }
    }
    if (this.phase === 'lift') {
      if (at(plan.lift, 0.01)) {
        this.phase = 'hold';
      } else {
        this.decision = `lift: raising the cube ${(LIFT * 100).toFixed(0)} cm off the table`;
        return [...plan.lift, CLOSED];
      }
    }
    // hold: the cube should have left the table; if the camera still sees it where it was, the grasp missed.
    if (typeof seen !== 'string' && distance(seen, plan.cube) < 0.02) {
      this.phase = 'search';
      this.plan_ = null;
      this.decision = `retry: the cube is still on the table at (${fmt(seen)}); opening to search again`;
      return [...plan.lift, OPEN];
    }
    this.decision = 'hold: the cube is lifted; holding it';
    return [...plan.lift, CLOSED];
  }

  /** Joint targets from the state toward `goal`, all joints arriving together, capped per step, then held. */
  private chunkToward(state: ArrayLike<number>, goal: readonly number[]): Float64Array {
    const out = new Float64Array(this.horizon * this.actionDim);
    let steps = 1;
    for (let j = 0; j < 6; j++) {
      const cap = j === 5 ? GRIPPER_STEP_CAP : BODY_STEP_CAP;
      steps = Math.max(steps, Math.ceil(Math.abs(goal[j] - state[j]) / cap - 1e-9));
    }
    for (let t = 0; t < this.horizon; t++) {
      const s = Math.min(1, (t + 1) / steps);
      for (let j = 0; j < 6; j++) out[t * this.actionDim + j] = state[j] + (goal[j] - state[j]) * s;
    }
    return out;
  }
}

/** Joint goals for picking a cube at a table position, trying steeper approach pitches first. */
function graspPlanFor(cube: Vec3): GraspPlan | string {
  let why = '';
  for (const pitch of PITCHES) {
    const hover = inverseKinematics(vec3(cube.x, cube.y, cube.z + HOVER), pitch);
    const grasp = inverseKinematics(cube, pitch);
    const lift = inverseKinematics(vec3(cube.x, cube.y, cube.z + LIFT), pitch);
    if (hover.ok && grasp.ok && lift.ok)
      return { cube, pitch, hover: hover.joints, grasp: grasp.joints, lift: lift.joints };
    why = [hover, grasp, lift].map((r) => (r.ok ? '' : r.message)).find((m) => m !== '') ?? '';
  }
  return `no approach pitch reaches it (${why})`;
}

function fmt(p: Vec3): string {
  return `${p.x.toFixed(3)}, ${p.y.toFixed(3)} m`;
}
