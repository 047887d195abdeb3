// What a seed decides about the simulated scene of an evaluation: the cube (position inside and at the edge of the
// arm's reach, yaw, size, colour), distractor objects (some of a colour close to the cube's), the lighting, a small
// jitter of the front camera's pose and the arm's start pose. Pure data from a seeded generator: the same seed gives
// the same scene, byte for byte. The demo policy is not told any of it (it assumes the nominal camera and looks for
// red), so some seeds are genuinely hard for it.
import { seededRandom } from '../sim/seededRandom';
import { FRONT_CAMERA, type PinholeCamera, cameraLookingAlong } from './cameraModel';
import { type Vec3, addScaled, normalize, vec3 } from './vec3';

export type Rgb = readonly [number, number, number];

/** A box standing on the table: centre on the table plane (x, y), edge length, yaw about z, colour. */
export interface TableObject {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly yawDeg: number;
  readonly color: Rgb;
}

export interface SceneLight {
  /** Unit vector toward the light. */
  readonly direction: Vec3;
  /** Brightness of faces turned away from the light (0–1) and of lit faces (ambient + diffuse ≤ 1). */
  readonly ambient: number;
  readonly diffuse: number;
}

export interface SceneSpec {
  readonly seed: number;
  readonly cube: TableObject;
  readonly distractors: readonly TableObject[];
  readonly light: SceneLight;
  readonly frontCamera: PinholeCamera;
  /** Joint state the arm starts an episode in (LeRobot degrees, gripper 0–100). */
  readonly armStart: readonly number[];
}

/** The scene of the plain embedded default: nominal camera, light and cube, no distractors. */
export const NOMINAL_LIGHT: SceneLight = { direction: normalize(vec3(0.35, 0.25, 1)), ambient: 0.42, diffuse: 0.58 };
export const NOMINAL_CUBE_COLOR: Rgb = [215, 30, 35];
export const NOMINAL_CUBE_SIZE = 0.025;

/** Reach of the demo's approach (tip over the cube), metres from the base axis: inside, and past, the easy ring. */
const EASY_REACH = [0.15, 0.23] as const;
const EDGE_REACH = [0.23, 0.29] as const;

/** A varied scene from a seed (32-bit). */
export function seededScene(seed: number): SceneSpec {
  const rand = seededRandom(seed ^ 0x5ce9e5);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rand() * xs.length))];
  // One seed in five puts the cube at the edge of reach; the angle sometimes pushes it toward the view's side.
  const atEdge = rand() < 0.2;
  const r = atEdge ? between(...EDGE_REACH) : between(...EASY_REACH);
  const angle = (between(-35, 35) * Math.PI) / 180;
  const size = between(0.021, 0.03);
  const shade = between(0.8, 1.05);
  const cube: TableObject = {
    x: r * Math.cos(angle),
    y: r * Math.sin(angle),
    size,
    yawDeg: between(-45, 45),
    color: [clamp255(215 * shade), clamp255(between(20, 45)), clamp255(between(20, 45))],
  };
  const distractors: TableObject[] = [];
  const count = pick([0, 1, 1, 2, 3]);
  for (let i = 0; i < count; i++) {
    // A similar colour (orange-red, reads as red to a colour threshold) one time in three; else clearly different.
    const similar = rand() < 0.33;
    const color: Rgb = similar
      ? [clamp255(between(190, 230)), clamp255(between(55, 85)), clamp255(between(25, 50))]
      : pick<Rgb>([
          [40, 90, 200],
          [40, 160, 70],
          [230, 220, 210],
          [60, 60, 70],
        ]);
    let x = 0;
    let y = 0;
    // Not on top of the cube (3 tries; the last stands even if close: the scene stays a function of the seed).
    for (let t = 0; t < 3; t++) {
      const dr = between(0.12, 0.3);
      const da = (between(-50, 50) * Math.PI) / 180;
      x = dr * Math.cos(da);
      y = dr * Math.sin(da);
      if (Math.hypot(x - cube.x, y - cube.y) > 0.06) break;
    }
    distractors.push({ x, y, size: between(0.02, 0.04), yawDeg: between(-45, 45), color });
  }
  const ambient = between(0.3, 0.5);
  // ambient + diffuse ≤ 1: a lit face is never brighter than its colour (bytes would wrap past 255).
  const light: SceneLight = {
    direction: normalize(vec3(between(-0.2, 0.6), between(-0.5, 0.5), 1)),
    ambient,
    diffuse: Math.min(1 - ambient, between(0.45, 0.65)),
  };
  // Front camera: up to ±5 mm and ±0.5° off its nominal pose (the policy assumes the nominal one).
  const jitter = vec3(between(-0.005, 0.005), between(-0.005, 0.005), between(-0.005, 0.005));
  const look = addScaled(FRONT_CAMERA.forward, FRONT_CAMERA.right, Math.tan((between(-0.5, 0.5) * Math.PI) / 180));
  const tilted = addScaled(look, FRONT_CAMERA.down, Math.tan((between(-0.5, 0.5) * Math.PI) / 180));
  const frontCamera = cameraLookingAlong(
    addScaled(FRONT_CAMERA.position, jitter, 1),
    tilted,
    vec3(0, 0, 1),
    FRONT_CAMERA.fovYDeg,
  );
  const armStart = [between(-10, 10), between(-10, 10), between(-10, 10), between(-10, 10), 0, between(0, 30)];
  return { seed, cube, distractors, light, frontCamera, armStart };
}

function clamp255(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
