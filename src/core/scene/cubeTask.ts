// The demo task: a coloured cube on the table in front of the arm; success is the cube lifted off the table and
// held there. Grasping is modelled cheaply: no contact physics, only "the jaws closed with the cube between them".
import { forwardKinematics } from './armKinematics';
import { seededRandom } from '../sim/seededRandom';
import type { SceneSpec } from './seededScene';
import { type Vec3, addScaled, dot, sub, vec3 } from './vec3';

/** RGB colour of the cube (a saturated red nothing else in the scene uses). */
export const CUBE_COLOR: readonly [number, number, number] = [215, 30, 35];
/** Edge length of the cube in metres. */
export const CUBE_SIZE = 0.025;

/** How far off-centre the cube may be, along the tool axis and the gripper normal, and still be grasped. */
const GRASP_TOLERANCE = 0.018;
/** Extra jaw gap (beyond the cube's width) at which a held cube slips out. */
const RELEASE_MARGIN = 0.006;

export interface CubeTaskOptions {
  /** Seed of the cube's start position (ignored when `cubeStart` is given). */
  readonly seed?: number;
  /** Explicit start position of the cube's centre on the table (z is set to half the cube's size). */
  readonly cubeStart?: { readonly x: number; readonly y: number };
  /** Height of the cube's bottom above the table that counts as lifted, metres (default 0.05). */
  readonly liftHeight?: number;
  /** How long the cube must stay lifted, in simulated ms (default 300). */
  readonly holdMs?: number;
  /** A varied scene (seededScene): the cube's place, size and yaw come from it; overrides `seed` and `cubeStart`. */
  readonly scene?: SceneSpec;
}

/** A start position for the cube's centre from a seed: on the table, within the arm's reach and the front view. */
export function seededCubeStart(seed: number): Vec3 {
  const rand = seededRandom(seed);
  const r = 0.15 + 0.08 * rand();
  const angle = ((rand() * 2 - 1) * 30 * Math.PI) / 180;
  return vec3(r * Math.cos(angle), r * Math.sin(angle), CUBE_SIZE / 2);
}

/** The cube task's simulator: call `step` with the arm's joint state every tick. */
export class CubeTask {
  readonly cubeSize: number;
  /** Yaw of the cube about the vertical, degrees. */
  readonly cubeYawDeg: number;
  /** The varied scene this task was built from, if any (the renderer draws its distractors, light and camera). */
  readonly scene: SceneSpec | undefined;
  readonly liftHeight: number;
  readonly holdMs: number;
  private center: Vec3;
  private held = false;
  /** Cube centre in the gripper frame while held: along the tool axis and along the gripper normal. */
  private heldAlongTool = 0;
  private heldAlongNormal = 0;
  /** Widest jaw gap seen while the cube sat between the open jaws (0: not between open jaws). */
  private openGapAroundCube = 0;
  private liftedMs = 0;
  /** Width of the held cube across the jaws. */
  private heldWidth = CUBE_SIZE;
  private success = false;
  private why = 'the cube is on the table';
  private ticks = 0;

  constructor(options: CubeTaskOptions = {}) {
    this.liftHeight = options.liftHeight ?? 0.05;
    this.holdMs = options.holdMs ?? 300;
    this.scene = options.scene;
    this.cubeSize = options.scene?.cube.size ?? CUBE_SIZE;
    this.cubeYawDeg = options.scene?.cube.yawDeg ?? 0;
    const start = options.scene?.cube ?? options.cubeStart ?? seededCubeStart(options.seed ?? 1);
    this.center = vec3(start.x, start.y, this.cubeSize / 2);
  }

  /** Centre of the cube in the world frame, metres (the cube stays axis-aligned). */
  get cubeCenter(): Vec3 {
    return this.center;
  }

  /** Whether the cube is between closed jaws. */
  get grasped(): boolean {
    return this.held;
  }

  /**
   * Whether the cube sits between the jaws, so that closing them meets it: held, or between jaws that were open
   * wider than the cube at the latest step. The gripper servo's obstacle follows from this (gripperContact.ts).
   */
  get cubeBetweenJaws(): boolean {
    return this.held || this.openGapAroundCube > 0;
  }

  /** Whether the cube has been lifted and held long enough (stays true once reached). */
  get succeeded(): boolean {
    return this.success;
  }

  /** Why the task stands where it does, for logs and the dashboard. */
  get reason(): string {
    return this.why;
  }

  /** Height of the cube's bottom above the table, metres. */
  get cubeHeight(): number {
    return this.center.z - this.cubeSize / 2;
  }

  /** Advances the task by one tick with the arm's measured joint state (6 values, LeRobot units). */
  step(joints: ArrayLike<number>, dtMs: number): void {
    this.ticks++;
    const pose = forwardKinematics(joints);
    const gap = pose.jawGap;
    if (!this.held) {
      const d = sub(this.center, pose.tip);
      const alongTool = dot(d, pose.toolAxis);
      const alongNormal = dot(d, pose.normal);
      const across = Math.abs(dot(d, pose.jawAxis));
      const size = this.widthAcrossJaws(pose.jawAxis);
      const fits = (width: number): boolean => across <= (width - size) / 2 + 0.004;
      if (Math.abs(alongTool) > GRASP_TOLERANCE || Math.abs(alongNormal) > GRASP_TOLERANCE) {
        this.openGapAroundCube = 0;
      } else if (gap > size + 0.002 && fits(gap)) {
        // The cube sits between jaws that are open wider than it: closing now would grasp it.
        this.openGapAroundCube = Math.max(this.openGapAroundCube, gap);
      } else if (this.openGapAroundCube > 0 && !fits(this.openGapAroundCube)) {
        this.openGapAroundCube = 0;
      }
      // Only jaws that were open around the cube and have now closed onto it grasp it.
      if (this.openGapAroundCube > 0 && gap <= size + 0.001) {
        this.held = true;
        this.heldWidth = size;
        this.openGapAroundCube = 0;
        this.heldAlongTool = alongTool;
        this.heldAlongNormal = alongNormal;
        this.why = `grasped at tick ${this.ticks}`;
      }
    } else if (gap > this.heldWidth + RELEASE_MARGIN) {
      // Released: the cube drops straight down onto the table.
      this.held = false;
      this.center = vec3(this.center.x, this.center.y, this.cubeSize / 2);
      this.why = `released at tick ${this.ticks}; the cube fell back onto the table`;
    }
    if (this.held) {
      // The jaws centre the cube between them; it keeps its offset along the tool axis and the normal.
      this.center = addScaled(
        addScaled(pose.tip, pose.toolAxis, this.heldAlongTool),
        pose.normal,
        this.heldAlongNormal,
      );
      if (this.center.z < this.cubeSize / 2) this.center = vec3(this.center.x, this.center.y, this.cubeSize / 2);
    }
    this.updateSuccess(dtMs);
  }

  /**
   * The cube's width across the jaws. In a varied scene a yawed cube met off-square is wider (its diagonal at 45°);
   * the plain scene keeps the original model of a cube always square to the jaws.
   */
  private widthAcrossJaws(jawAxis: Vec3): number {
    if (!this.scene) return this.cubeSize;
    const rel = Math.atan2(jawAxis.y, jawAxis.x) - (this.cubeYawDeg * Math.PI) / 180;
    return this.cubeSize * (Math.abs(Math.cos(rel)) + Math.abs(Math.sin(rel)));
  }

  private updateSuccess(dtMs: number): void {
    const cm = (this.cubeHeight * 100).toFixed(1);
    if (this.held && this.cubeHeight >= this.liftHeight) {
      this.liftedMs += dtMs;
      if (!this.success && this.liftedMs >= this.holdMs) {
        this.success = true;
        this.why = `the cube was lifted ${cm} cm and held for ${Math.round(this.liftedMs)} ms (tick ${this.ticks})`;
      } else if (!this.success) {
        this.why = `the cube is held ${cm} cm above the table for ${Math.round(this.liftedMs)} of ${this.holdMs} ms`;
      }
      return;
    }
    this.liftedMs = 0;
    if (this.success) return;
    if (this.held)
      this.why = `the cube is held ${cm} cm above the table; lift it to ${(this.liftHeight * 100).toFixed(1)} cm`;
  }
}
