// Pinhole cameras of the simulated scene: the fixed `front` camera and the `wrist` camera riding on the gripper.
// Square pixels; the vertical field of view is fixed and the horizontal one follows the image's aspect ratio,
// so the same camera renders at any size.
import type { ArmPose } from './armKinematics';
import { type Vec3, addScaled, cross, dot, normalize, sub, vec3 } from './vec3';

/** A camera pose and lens: unit axes in the world frame (right × down = forward) and vertical field of view. */
export interface PinholeCamera {
  readonly position: Vec3;
  readonly right: Vec3;
  readonly down: Vec3;
  readonly forward: Vec3;
  readonly fovYDeg: number;
}

/** Where a world point lands in an image: pixel coordinates (x right, y down; pixel centres at .5) and depth. */
export interface ImagePoint {
  readonly u: number;
  readonly v: number;
  /** Distance along the optical axis, metres (positive in front of the camera). */
  readonly depth: number;
}

/** A camera at `position` looking along `forward`, rolled so that `upHint` points up in the image. */
export function cameraLookingAlong(position: Vec3, forward: Vec3, upHint: Vec3, fovYDeg: number): PinholeCamera {
  const f = normalize(forward);
  const right = normalize(cross(f, upHint));
  return { position, right, down: cross(f, right), forward: f, fovYDeg };
}

/** Focal length in pixels for an image `height` pixels tall. */
export function focalPixels(camera: PinholeCamera, height: number): number {
  return height / 2 / Math.tan((camera.fovYDeg * Math.PI) / 360);
}

/** Projects a world point into a width × height image; null when it is not in front of the camera. */
export function projectPoint(camera: PinholeCamera, p: Vec3, width: number, height: number): ImagePoint | null {
  const d = sub(p, camera.position);
  const depth = dot(d, camera.forward);
  if (depth <= 1e-6) return null;
  const f = focalPixels(camera, height);
  return {
    u: width / 2 + (f * dot(d, camera.right)) / depth,
    v: height / 2 + (f * dot(d, camera.down)) / depth,
    depth,
  };
}

/** The viewing ray through pixel (u, v): a direction whose component along the optical axis is 1. */
export function pixelRay(camera: PinholeCamera, u: number, v: number, width: number, height: number): Vec3 {
  const f = focalPixels(camera, height);
  const a = (u - width / 2) / f;
  const b = (v - height / 2) / f;
  return vec3(
    camera.forward.x + a * camera.right.x + b * camera.down.x,
    camera.forward.y + a * camera.right.y + b * camera.down.y,
    camera.forward.z + a * camera.right.z + b * camera.down.z,
  );
}

/** Where the ray through pixel (u, v) meets the horizontal plane at height z; null if it never does. */
export function pixelToPlane(
  camera: PinholeCamera,
  u: number,
  v: number,
  width: number,
  height: number,
  z: number,
): Vec3 | null {
  const dir = pixelRay(camera, u, v, width, height);
  if (Math.abs(dir.z) < 1e-9) return null;
  const t = (z - camera.position.z) / dir.z;
  return t > 0 ? addScaled(camera.position, dir, t) : null;
}

/**
 * The built-in `front` camera: 0.62 m in front of the base, 0.50 m above the table, looking back and down at the
 * workspace (so the robot's left, +y, appears on the image's right).
 */
export const FRONT_CAMERA: PinholeCamera = cameraLookingAlong(
  vec3(0.62, 0, 0.5),
  sub(vec3(0.16, 0, 0.06), vec3(0.62, 0, 0.5)),
  vec3(0, 0, 1),
  55,
);

/** The `wrist` camera for an arm pose: on the gripper's back, looking past the jaws toward the tip. */
export function wristCamera(pose: ArmPose): PinholeCamera {
  const position = addScaled(addScaled(pose.wrist, pose.toolAxis, 0.075), pose.normal, 0.035);
  const forward = addScaled(pose.toolAxis, pose.normal, -0.3);
  return cameraLookingAlong(position, forward, pose.normal, 75);
}
