// Which robot camera feeds which policy image slot: explicit settings first, then names, then a guess.
import { ConverterError } from './converterError';

/** The views policies distinguish: the scene camera and the wrist (or second) camera. */
export type CameraRole = 'primary' | 'secondary';

/** Every role, in the order slots are filled. */
export const CAMERA_ROLES: readonly CameraRole[] = ['primary', 'secondary'];

/** Name fragments (case-insensitive substrings) that mark a camera's role; primary is tried first. */
export const CAMERA_ROLE_HINTS: Readonly<Record<CameraRole, readonly string[]>> = {
  primary: ['front', 'main', 'base', 'cam_high'],
  secondary: ['wrist', 'secondary', 'cam_low', 'cam_left_wrist'],
};

/** The outcome of `assignCameraRoles`. */
export interface CameraAssignment {
  /** Camera name per role that got one. */
  readonly byRole: Readonly<Partial<Record<CameraRole, string>>>;
  /** Requested roles no camera could fill. */
  readonly missing: readonly CameraRole[];
  /** Cameras that feed no role (sorted). */
  readonly unused: readonly string[];
  /** One sentence per guess or leftover, telling the user how to make it explicit. */
  readonly warnings: readonly string[];
}

/** The role a camera name suggests, or undefined when it suggests none. */
export function roleFromName(camera: string): CameraRole | undefined {
  const lower = camera.toLowerCase();
  for (const role of CAMERA_ROLES) {
    if (CAMERA_ROLE_HINTS[role].some((hint) => lower.includes(hint))) return role;
  }
  return undefined;
}

function isRole(s: string): s is CameraRole {
  return (CAMERA_ROLES as readonly string[]).includes(s);
}

/**
 * Assigns cameras to the requested roles: `explicit` (config `converter.cameras`) wins; then a camera whose
 * name suggests the role; then the remaining cameras in sorted order, each such guess with a warning.
 */
export function assignCameraRoles(
  cameras: readonly string[],
  roles: readonly CameraRole[],
  explicit: Readonly<Partial<Record<string, string>>> = {},
): CameraAssignment {
  const byRole: Partial<Record<CameraRole, string>> = {};
  const warnings: string[] = [];
  const used = new Set<string>();
  const sorted = [...cameras].sort();

  for (const [role, camera] of Object.entries(explicit)) {
    if (camera === undefined) continue;
    if (!isRole(role)) {
      throw new ConverterError(`converter.cameras.${role}`, `one of the roles ${CAMERA_ROLES.join(', ')}`, `'${role}'`);
    }
    if (!cameras.includes(camera)) {
      throw new ConverterError(
        `converter.cameras.${role}`,
        `one of the robot's cameras (${sorted.join(', ') || 'none configured'})`,
        `'${camera}'`,
        'Name a camera from the robot configuration',
      );
    }
    if (!roles.includes(role)) {
      warnings.push(`converter.cameras.${role} is ignored: this layout has no ${role} image`);
      continue;
    }
    byRole[role] = camera;
    used.add(camera);
  }

  for (const role of roles) {
    if (byRole[role] !== undefined) continue;
    const named = sorted.find((c) => !used.has(c) && roleFromName(c) === role);
    if (named !== undefined) {
      byRole[role] = named;
      used.add(named);
    }
  }

  for (const role of roles) {
    if (byRole[role] !== undefined) continue;
    const guess = sorted.find((c) => !used.has(c));
    if (guess === undefined) break;
    byRole[role] = guess;
    used.add(guess);
    warnings.push(`camera '${guess}' guessed as the ${role} view; set converter.cameras to be sure`);
  }

  const unused = sorted.filter((c) => !used.has(c));
  for (const c of unused)
    warnings.push(
      `camera '${c}' is not sent: the layout has no image slot left for it; set converter.cameras to choose`,
    );
  const missing = roles.filter((r) => byRole[r] === undefined);
  return { byRole, missing, unused, warnings };
}
