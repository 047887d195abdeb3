// Forward and inverse kinematics of the simulated SO-100 arm, in LeRobot units (body joints in degrees with 0 at
// the middle of the calibrated range, gripper 0–100 with 0 = closed).
//
// Dimensions, read for their numbers only from TheRobotStudio/SO-ARM100 Simulation/SO101/so101_new_calib.urdf
// (the SO-100 and SO-101 share the geometry that matters here):
//   shoulder_pan origin z 0.0949 above the base link; shoulder_lift a further 0.0542 up and 0.0304 out
//   → lift pivot ≈ (0.030 m forward, 0.149 m up) from the pan axis at the table;
//   upper arm: elbow_flex origin (−0.11257, −0.028) → 0.116 m; lower arm: wrist_flex origin (−0.1349, 0.0052)
//   → 0.135 m; wrist: wrist_roll origin 0.0611 m, then gripperframe 0.0981 m → wrist_flex to tip ≈ 0.159 m.
//   Limits (rad, reference §3): pan ±1.91986, lift ±1.74533, elbow ±1.69, wrist_flex ±1.65806,
//   wrist_roll −2.74385..2.84121.
// Simplifications (a demo, not a physics engine): the 14° kink of the upper arm and the small lateral offsets are
// dropped, so the arm moves in one vertical plane turned by the pan; the jaw gap is linear in the gripper value.
//
// Angle conventions of this model (the real arm's signs may differ; the demo only needs to be self-consistent):
//   all zeros: upper arm vertical, forearm and gripper horizontal pointing forward (+x).
//   shoulder_pan > 0 turns the arm toward +y (left, counter-clockwise seen from above);
//   shoulder_lift > 0 leans the upper arm forward; elbow_flex > 0 folds the forearm down;
//   wrist_flex > 0 pitches the gripper down; wrist_roll turns the jaws about the gripper axis.
import { type Vec3, vec3 } from './vec3';

/** Arm dimensions in metres (see the file comment for their source). */
export const SO100_GEOMETRY = {
  shoulderForward: 0.03,
  shoulderHeight: 0.149,
  upperArm: 0.116,
  forearm: 0.135,
  wristToTip: 0.159,
  /** Jaw gap at gripper = 100 (fully open); 0 at gripper = 0. */
  maxJawGap: 0.07,
} as const;

/** Joint limits in LeRobot degrees (gripper in 0–100), in motor order. */
export const SO100_JOINT_LIMITS: readonly (readonly [number, number])[] = [
  [-110, 110],
  [-100, 100],
  [-96.8, 96.8],
  [-95, 95],
  [-157.2, 162.8],
  [0, 100],
];

const DEG = Math.PI / 180;

/** Where the arm's links are for one joint state (world frame, metres). */
export interface ArmPose {
  readonly base: Vec3;
  readonly shoulder: Vec3;
  readonly elbow: Vec3;
  readonly wrist: Vec3;
  /** The tool centre point between the jaw tips (URDF `gripperframe`). */
  readonly tip: Vec3;
  /** Unit vector from the wrist toward the tip. */
  readonly toolAxis: Vec3;
  /** Unit vector across the jaws (the direction they close along). */
  readonly jawAxis: Vec3;
  /** Unit vector completing the gripper frame (toolAxis × jawAxis points along −normal). */
  readonly normal: Vec3;
  /** Distance between the jaws in metres. */
  readonly jawGap: number;
  /** Gripper pitch: angle of the tool axis above the horizontal, degrees (−90 = pointing straight down). */
  readonly pitchDeg: number;
}

/** Jaw gap in metres for a gripper value (0 = closed … 100 = open), clamped to the valid range. */
export function jawGapOf(gripper: number): number {
  const g = Math.max(0, Math.min(100, gripper));
  return (SO100_GEOMETRY.maxJawGap * g) / 100;
}

/** Forward kinematics: joint state (6 values, LeRobot units) → link positions and gripper frame. */
export function forwardKinematics(joints: ArrayLike<number>): ArmPose {
  const G = SO100_GEOMETRY;
  const pan = joints[0] * DEG;
  const lift = joints[1];
  const elbow = joints[2];
  const wristFlex = joints[3];
  const roll = joints[4] * DEG;
  // Elevation of each segment above the horizontal, in the arm's vertical plane.
  const e1 = (90 - lift) * DEG;
  const e2 = (-lift - elbow) * DEG;
  const e3 = (-lift - elbow - wristFlex) * DEG;
  const sr = G.shoulderForward;
  const sz = G.shoulderHeight;
  const er = sr + G.upperArm * Math.cos(e1);
  const ez = sz + G.upperArm * Math.sin(e1);
  const wr = er + G.forearm * Math.cos(e2);
  const wz = ez + G.forearm * Math.sin(e2);
  const tr = wr + G.wristToTip * Math.cos(e3);
  const tz = wz + G.wristToTip * Math.sin(e3);
  const c = Math.cos(pan);
  const s = Math.sin(pan);
  const inPlane = (r: number, z: number): Vec3 => vec3(r * c, r * s, z);
  const toolAxis = vec3(Math.cos(e3) * c, Math.cos(e3) * s, Math.sin(e3));
  const side = vec3(-s, c, 0);
  const up = vec3(-Math.sin(e3) * c, -Math.sin(e3) * s, Math.cos(e3));
  const cr = Math.cos(roll);
  const sn = Math.sin(roll);
  return {
    base: vec3(0, 0, 0),
    shoulder: inPlane(sr, sz),
    elbow: inPlane(er, ez),
    wrist: inPlane(wr, wz),
    tip: inPlane(tr, tz),
    toolAxis,
    jawAxis: vec3(cr * side.x + sn * up.x, cr * side.y + sn * up.y, cr * side.z + sn * up.z),
    normal: vec3(-sn * side.x + cr * up.x, -sn * side.y + cr * up.y, -sn * side.z + cr * up.z),
    jawGap: jawGapOf(joints[5]),
    pitchDeg: e3 / DEG,
  };
}

/** Body joints that put the tip at a target, or why they cannot. */
export type IkResult =
  | { readonly ok: true; readonly joints: readonly [number, number, number, number, number] }
  | { readonly ok: false; readonly reason: 'out-of-reach' | 'joint-limit'; readonly message: string };

/**
 * Inverse kinematics (elbow up): tip position + approach pitch (degrees above horizontal, −90 = straight down)
 * → [pan, lift, elbow, wrist_flex, wrist_roll] in LeRobot degrees, or a typed "unreachable" result.
 */
export function inverseKinematics(target: Vec3, pitchDeg: number, wristRollDeg = 0): IkResult {
  const G = SO100_GEOMETRY;
  const r = Math.hypot(target.x, target.y);
  const pan = r > 1e-9 ? Math.atan2(target.y, target.x) / DEG : 0;
  const p = pitchDeg * DEG;
  // Wrist point relative to the shoulder pivot, in the arm plane.
  const dr = r - G.wristToTip * Math.cos(p) - G.shoulderForward;
  const dz = target.z - G.wristToTip * Math.sin(p) - G.shoulderHeight;
  const d = Math.hypot(dr, dz);
  const a = G.upperArm;
  const b = G.forearm;
  const where = `(${target.x.toFixed(3)}, ${target.y.toFixed(3)}, ${target.z.toFixed(3)}) m at pitch ${pitchDeg}°`;
  if (d > a + b - 1e-9 || d < Math.abs(a - b) + 1e-9) {
    return {
      ok: false,
      reason: 'out-of-reach',
      message: `tip target ${where} is out of the arm's reach; move it closer to the base or change the pitch`,
    };
  }
  const alpha = Math.acos(Math.min(1, Math.max(-1, (a * a + d * d - b * b) / (2 * a * d))));
  const e1 = Math.atan2(dz, dr) + alpha;
  const elbowR = a * Math.cos(e1);
  const elbowZ = a * Math.sin(e1);
  const e2 = Math.atan2(dz - elbowZ, dr - elbowR);
  const lift = 90 - e1 / DEG;
  const elbow = -lift - e2 / DEG;
  const wrist = e2 / DEG - pitchDeg;
  const joints = [pan, lift, elbow, wrist, wristRollDeg] as const;
  for (let j = 0; j < 5; j++) {
    const [lo, hi] = SO100_JOINT_LIMITS[j];
    if (joints[j] < lo - 1e-9 || joints[j] > hi + 1e-9) {
      return {
        ok: false,
        reason: 'joint-limit',
        message: `tip target ${where} needs joint ${j} at ${joints[j].toFixed(1)}°, outside ${lo}..${hi}°`,
      };
    }
  }
  return { ok: true, joints };
}
