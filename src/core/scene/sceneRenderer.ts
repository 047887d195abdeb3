// Renders the simulated scene (table, arm, cube) from the `front` or `wrist` camera into a caller's RGB buffer
// (H × W × 3, HWC, uint8). Cheap by design: the table and background are found per pixel by a ray–plane test,
// then a few dozen shaded boxes are z-buffered on top (the arm's links as thick square segments, the cube).
import { type ArmPose, SO100_GEOMETRY, forwardKinematics } from './armKinematics';
import { FRONT_CAMERA, type PinholeCamera, focalPixels, wristCamera } from './cameraModel';
import { CUBE_COLOR, CUBE_SIZE } from './cubeTask';
import { NOMINAL_LIGHT, type SceneLight, type SceneSpec, type TableObject } from './seededScene';
import { TriangleRaster } from './triangleRaster';
import { type Vec3, addScaled, cross, normalize, scale, sub, vec3 } from './vec3';

/** The two cameras of the simulated arm, named as LeRobot observations name them. */
export type SceneView = 'front' | 'wrist';

/** What the renderer needs to know about the world. */
export interface SceneState {
  /** Arm joint state, 6 values in LeRobot units. */
  readonly joints: ArrayLike<number>;
  /** Centre of the cube, metres (axis-aligned unless `scene` gives its yaw). */
  readonly cubeCenter: Vec3;
  /** A varied scene: cube size, yaw and colour, distractors, light and the front camera's pose come from it. */
  readonly scene?: SceneSpec;
}

export class SceneBufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SceneBufferError';
  }
}

/** The table top: z = 0 over this rectangle, metres. */
export const TABLE_BOUNDS = { minX: -0.2, maxX: 0.6, minY: -0.45, maxY: 0.45 } as const;

const ARM_COLOR: readonly [number, number, number] = [250, 205, 40];
const MOTOR_COLOR: readonly [number, number, number] = [45, 45, 50];
const TABLE_A: readonly [number, number, number] = [152, 118, 84];
const TABLE_B: readonly [number, number, number] = [136, 104, 74];
const BOX_FACES = [
  // corner indices (bit 0: +a, bit 1: +b, bit 2: +c) of each face, and its outward normal as (axis, sign)
  [1, 3, 7, 5, 0, 1],
  [0, 4, 6, 2, 0, -1],
  [2, 6, 7, 3, 1, 1],
  [0, 1, 5, 4, 1, -1],
  [4, 5, 7, 6, 2, 1],
  [0, 2, 3, 1, 2, -1],
] as const;

/** Renders scene views; keep one instance and reuse it (its depth buffer is reused across frames). */
export class SceneRenderer {
  private invDepth = new Float32Array(0);
  private readonly raster = new TriangleRaster();
  private camera: PinholeCamera = FRONT_CAMERA;
  private light: SceneLight = NOMINAL_LIGHT;
  private readonly corners = new Float64Array(24);
  // A fixed camera (the front view) sees the same table and background every frame: drawn once per size and copied
  // after. A camera object is cached the second time it is seen, so the wrist view, a new camera per pose, is not.
  private readonly seenCameras = new WeakSet<PinholeCamera>();
  private readonly backgrounds = new WeakMap<
    PinholeCamera,
    { readonly width: number; readonly height: number; readonly rgb: Uint8Array; readonly invDepth: Float32Array }
  >();

  /** Renders one camera view of `state` into `out` (width × height × 3 bytes, HWC); writes nothing else. */
  render(view: SceneView, state: SceneState, out: Uint8Array, width = 224, height = 224): void {
    const pose = forwardKinematics(state.joints);
    const front = state.scene?.frontCamera ?? FRONT_CAMERA;
    this.renderCamera(
      view === 'front' ? front : wristCamera(pose),
      pose,
      state.cubeCenter,
      out,
      width,
      height,
      state.scene,
    );
  }

  /** Renders the scene from any camera (used by `render`, and by tests and tools with their own cameras). */
  renderCamera(
    camera: PinholeCamera,
    pose: ArmPose,
    cubeCenter: Vec3,
    out: Uint8Array,
    width: number,
    height: number,
    scene?: SceneSpec,
  ): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new SceneBufferError(`image size ${width}×${height} is not valid; give positive whole pixel counts`);
    }
    if (out.length !== width * height * 3) {
      throw new SceneBufferError(
        `the image buffer holds ${out.length} bytes but ${width}×${height}×3 = ${width * height * 3} are needed; allocate it with that size`,
      );
    }
    if (this.invDepth.length < width * height) this.invDepth = new Float32Array(width * height);
    this.camera = camera;
    const cached = this.backgrounds.get(camera);
    if (cached && cached.width === width && cached.height === height) {
      out.set(cached.rgb);
      this.invDepth.set(cached.invDepth);
    } else {
      this.drawBackgroundAndTable(out, width, height);
      if (this.seenCameras.has(camera)) {
        this.backgrounds.set(camera, {
          width,
          height,
          rgb: out.slice(),
          invDepth: this.invDepth.slice(0, width * height),
        });
      } else {
        this.seenCameras.add(camera);
      }
    }
    this.light = scene?.light ?? NOMINAL_LIGHT;
    this.raster.begin(out, this.invDepth, width, height, focalPixels(camera, height));
    this.drawArm(pose);
    for (const d of scene?.distractors ?? []) this.tableBox(vec3(d.x, d.y, d.size / 2), d);
    if (scene) this.tableBox(cubeCenter, scene.cube);
    else {
      const h = CUBE_SIZE / 2;
      this.box(cubeCenter, vec3(1, 0, 0), vec3(0, 1, 0), vec3(0, 0, 1), h, h, h, CUBE_COLOR);
    }
  }

  /** A box standing upright at `center`, turned by the object's yaw. */
  private tableBox(center: Vec3, o: TableObject): void {
    const yaw = (o.yawDeg * Math.PI) / 180;
    const h = o.size / 2;
    const a = vec3(Math.cos(yaw), Math.sin(yaw), 0);
    const b = vec3(-Math.sin(yaw), Math.cos(yaw), 0);
    this.box(center, a, b, vec3(0, 0, 1), h, h, h, o.color);
  }

  /** Per pixel: the table's checkered top where the viewing ray meets it, else a vertical background gradient. */
  private drawBackgroundAndTable(out: Uint8Array, width: number, height: number): void {
    const cam = this.camera;
    const f = focalPixels(cam, height);
    const depth = this.invDepth;
    const pz = cam.position.z;
    for (let py = 0; py < height; py++) {
      const bv = (py + 0.5 - height / 2) / f;
      // Ray direction at the row's first pixel and its change per pixel (forward component fixed at 1).
      const rx0 = cam.forward.x + bv * cam.down.x + ((0.5 - width / 2) / f) * cam.right.x;
      const ry0 = cam.forward.y + bv * cam.down.y + ((0.5 - width / 2) / f) * cam.right.y;
      const rz0 = cam.forward.z + bv * cam.down.z + ((0.5 - width / 2) / f) * cam.right.z;
      const sx = cam.right.x / f;
      const sy = cam.right.y / f;
      const sz = cam.right.z / f;
      for (let px = 0; px < width; px++) {
        const rx = rx0 + px * sx;
        const ry = ry0 + px * sy;
        const rz = rz0 + px * sz;
        const idx = py * width + px;
        const o = idx * 3;
        depth[idx] = 0;
        if (rz < -1e-9 && pz > 0) {
          const t = -pz / rz;
          const x = cam.position.x + t * rx;
          const y = cam.position.y + t * ry;
          if (x >= TABLE_BOUNDS.minX && x <= TABLE_BOUNDS.maxX && y >= TABLE_BOUNDS.minY && y <= TABLE_BOUNDS.maxY) {
            // 5 cm checker tiles; the +100 offsets keep both terms positive so `| 0` floors them.
            const tile = (((x * 20 + 100) | 0) + ((y * 20 + 100) | 0)) & 1;
            const c = tile === 0 ? TABLE_A : TABLE_B;
            out[o] = c[0];
            out[o + 1] = c[1];
            out[o + 2] = c[2];
            depth[idx] = 1 / t;
            continue;
          }
        }
        // Sky-like gradient: lighter toward the top of the world, whichever way the camera is rolled.
        const up = rz / Math.sqrt(rx * rx + ry * ry + rz * rz);
        out[o] = 170 + 40 * up;
        out[o + 1] = 180 + 40 * up;
        out[o + 2] = 196 + 40 * up;
      }
    }
  }

  private drawArm(pose: ArmPose): void {
    const G = SO100_GEOMETRY;
    const baseTop = vec3(0, 0, G.shoulderHeight - 0.03);
    this.segment(vec3(0, 0, 0), baseTop, 0.035, pose.jawAxis, ARM_COLOR);
    this.segment(baseTop, pose.shoulder, 0.022, pose.jawAxis, MOTOR_COLOR);
    this.segment(pose.shoulder, pose.elbow, 0.018, pose.jawAxis, ARM_COLOR);
    this.segment(pose.elbow, pose.wrist, 0.016, pose.jawAxis, ARM_COLOR);
    const palm = addScaled(pose.wrist, pose.toolAxis, 0.07);
    this.segment(pose.wrist, palm, 0.02, pose.jawAxis, MOTOR_COLOR);
    // Two jaws, each a thin bar from the palm to the tip, half the gap either side of the tool axis.
    const half = pose.jawGap / 2 + 0.004;
    for (const side of [-1, 1]) {
      const a = addScaled(palm, pose.jawAxis, side * half);
      const b = addScaled(pose.tip, pose.jawAxis, side * half);
      this.segment(a, b, 0.005, pose.jawAxis, ARM_COLOR);
    }
  }

  /** A thick straight link from a to b: a square-section box whose faces line up with `sideHint`. */
  private segment(a: Vec3, b: Vec3, radius: number, sideHint: Vec3, color: readonly [number, number, number]): void {
    const axis = sub(b, a);
    const len = Math.hypot(axis.x, axis.y, axis.z);
    if (len < 1e-9) return;
    const t = scale(axis, 1 / len);
    let u = cross(t, sideHint);
    if (Math.hypot(u.x, u.y, u.z) < 1e-6) u = cross(t, Math.abs(t.z) < 0.9 ? vec3(0, 0, 1) : vec3(1, 0, 0));
    u = normalize(u);
    const v = cross(t, u);
    this.box(addScaled(a, axis, 0.5), t, u, v, len / 2 + radius * 0.5, radius, radius, color);
  }

  /** A box given its centre, three unit axes and half-extents; faces turned away from the camera are skipped. */
  private box(
    c: Vec3,
    a: Vec3,
    b: Vec3,
    d: Vec3,
    ha: number,
    hb: number,
    hd: number,
    color: readonly [number, number, number],
  ): void {
    const cam = this.camera;
    const k = this.corners;
    const rel = sub(c, cam.position);
    for (let i = 0; i < 8; i++) {
      const sa = i & 1 ? ha : -ha;
      const sb = i & 2 ? hb : -hb;
      const sd = i & 4 ? hd : -hd;
      const px = rel.x + a.x * sa + b.x * sb + d.x * sd;
      const py = rel.y + a.y * sa + b.y * sb + d.y * sd;
      const pz = rel.z + a.z * sa + b.z * sb + d.z * sd;
      k[i * 3] = px * cam.right.x + py * cam.right.y + pz * cam.right.z;
      k[i * 3 + 1] = px * cam.down.x + py * cam.down.y + pz * cam.down.z;
      k[i * 3 + 2] = px * cam.forward.x + py * cam.forward.y + pz * cam.forward.z;
    }
    const axes = [a, b, d];
    const halves = [ha, hb, hd];
    for (const [i0, i1, i2, i3, axis, sign] of BOX_FACES) {
      const n = axes[axis];
      const nx = n.x * sign;
      const ny = n.y * sign;
      const nz = n.z * sign;
      // Back-face test: the face centre seen from the camera against the outward normal.
      const toFace = rel.x * nx + rel.y * ny + rel.z * nz + halves[axis];
      if (toFace >= 0) continue;
      const L = this.light;
      const light = L.ambient + L.diffuse * Math.max(0, nx * L.direction.x + ny * L.direction.y + nz * L.direction.z);
      const r = color[0] * light;
      const g = color[1] * light;
      const bl = color[2] * light;
      this.raster.triangle(k, i0, i1, i2, r, g, bl);
      this.raster.triangle(k, i0, i2, i3, r, g, bl);
    }
  }
}
