// The built-in policy layouts: which keys, shapes and dtypes each policy server expects (policy-protocols §1.6, §1.8, §2).
import type { MotorName } from '../so100/motors';
import type { CameraRole } from './cameraRoles';
import { ConverterError } from './converterError';

/** Names of the built-in layouts. */
export type LayoutName = 'openpi-so100' | 'droid' | 'libero' | 'aloha' | 'lerobot-ws';

/** One float32 state vector of the policy input and where each SO-100 motor goes in it (others stay 0). */
export interface StateField {
  readonly key: string;
  readonly length: number;
  readonly motorIndex: Readonly<Partial<Record<MotorName, number>>>;
}

/** One policy image, fed by the camera assigned to `role`. */
export interface ImageSlot {
  readonly role: CameraRole;
  readonly key: string;
  /** Sent black (with a warning) when no camera fills it; optional slots are then left out. */
  readonly required: boolean;
}

/** Images resized-with-pad into fixed slots (openpi). */
export interface SlotImages {
  readonly kind: 'slots';
  /** Key of a nested map holding the slots (ALOHA's `images`), or undefined for top-level keys. */
  readonly container?: string;
  readonly slots: readonly ImageSlot[];
  readonly height: number;
  readonly width: number;
  readonly order: 'HWC' | 'CHW';
}

/** Every camera at its own resolution under `<prefix><camera>` (awesome-lerobot). */
export interface CameraImages {
  readonly kind: 'cameras';
  readonly prefix: string;
}

/** Everything a converter needs to know about one policy server's input and output. */
export interface Layout {
  readonly name: LayoutName;
  readonly description: string;
  /** The robot the layout was made for when it is not an SO-100 (the converter warns once). */
  readonly madeFor?: string;
  readonly state: readonly StateField[];
  readonly images: SlotImages | CameraImages;
  /** Task key; `asList` sends `[task]` (awesome-lerobot). Left out when the task is empty. */
  readonly prompt: { readonly key: string; readonly asList: boolean };
  readonly action: {
    readonly key: string;
    /** Action width the server normally returns for this layout. */
    readonly dims: number;
    /** Column of each motor's target in one action row. */
    readonly motorIndex: Readonly<Record<MotorName, number>>;
    /** The server returns the model's full padded width (e.g. 32), which is expected, not a mismatch. */
    readonly padded: boolean;
  };
}

/** Options of the built-in converters (config `converter.*`). */
export interface ConverterOptions {
  /** Camera per role, e.g. `{ primary: 'front', secondary: 'wrist' }`; unset roles are guessed from names. */
  readonly cameras?: Readonly<Partial<Record<string, string>>>;
  /** Override slot keys per role, e.g. `{ primary: 'observation/images.phone' }` for a phospho config with other image_keys. */
  readonly imageKeys?: Readonly<Partial<Record<CameraRole, string>>>;
  /** Target image size of slot layouts; 224 × 224 unless set. */
  readonly imageSize?: { readonly height: number; readonly width: number };
  /**
   * The policy's gripper units: the values meaning fully closed and fully open. Default `{ closed: 0, open: 100 }`
   * = LeRobot's RANGE_0_100 (no change). State is mapped into these units and actions back out of them.
   */
  readonly gripper?: { readonly closed: number; readonly open: number };
}

// Body joints first, the gripper last: the usual order of single-arm joint-space policies.
const SO100_ORDER = {
  shoulder_pan: 0,
  shoulder_lift: 1,
  elbow_flex: 2,
  wrist_flex: 3,
  wrist_roll: 4,
  gripper: 5,
} as const;
const BODY_ONLY = { shoulder_pan: 0, shoulder_lift: 1, elbow_flex: 2, wrist_flex: 3, wrist_roll: 4 } as const;
// Left-arm slots of a 2×(6 joints + gripper) vector: the SO-100's 5 body joints, then the gripper at index 6.
const LEFT_ARM_OF_14 = { ...BODY_ONLY, gripper: 6 } as const;

const OPENPI_SO100: Layout = {
  name: 'openpi-so100',
  description: 'phospho-app/openpi SO-100 configs (pi0_so100, pi0_fast_so100, pi0.5 SO-100 fine-tunes)',
  state: [{ key: 'observation/state', length: 6, motorIndex: SO100_ORDER }],
  images: {
    kind: 'slots',
    height: 224,
    width: 224,
    order: 'HWC',
    slots: [
      { role: 'primary', key: 'observation/images.main', required: true },
      { role: 'secondary', key: 'observation/images.secondary_0', required: false },
    ],
  },
  prompt: { key: 'prompt', asList: false },
  action: { key: 'actions', dims: 6, motorIndex: SO100_ORDER, padded: true },
};

const DROID: Layout = {
  name: 'droid',
  description: 'openpi DROID (pi0_droid, pi0_fast_droid, pi05_droid)',
  madeFor: 'the 7-joint Franka arm of DROID; its actions are joint velocities, not positions',
  state: [
    { key: 'observation/joint_position', length: 7, motorIndex: BODY_ONLY },
    { key: 'observation/gripper_position', length: 1, motorIndex: { gripper: 0 } },
  ],
  images: {
    kind: 'slots',
    height: 224,
    width: 224,
    order: 'HWC',
    slots: [
      { role: 'primary', key: 'observation/exterior_image_1_left', required: true },
      { role: 'secondary', key: 'observation/wrist_image_left', required: true },
    ],
  },
  prompt: { key: 'prompt', asList: false },
  action: { key: 'actions', dims: 8, motorIndex: { ...BODY_ONLY, gripper: 7 }, padded: false },
};

const LIBERO: Layout = {
  name: 'libero',
  description: 'openpi LIBERO (pi0_libero, pi0_fast_libero, pi05_libero)',
  madeFor: 'the simulated Franka of LIBERO; its state is an end-effector pose and its actions are end-effector deltas',
  state: [{ key: 'observation/state', length: 8, motorIndex: { ...BODY_ONLY, gripper: 6 } }],
  images: {
    kind: 'slots',
    height: 224,
    width: 224,
    order: 'HWC',
    slots: [
      { role: 'primary', key: 'observation/image', required: true },
      { role: 'secondary', key: 'observation/wrist_image', required: true },
    ],
  },
  prompt: { key: 'prompt', asList: false },
  action: { key: 'actions', dims: 7, motorIndex: { ...BODY_ONLY, gripper: 6 }, padded: false },
};

const ALOHA: Layout = {
  name: 'aloha',
  description: 'openpi ALOHA / ALOHA_SIM (pi0_aloha, pi05_aloha, pi0_aloha_sim)',
  madeFor: 'the two-arm ALOHA; the SO-100 drives its left arm and the right arm gets zeros',
  state: [{ key: 'state', length: 14, motorIndex: LEFT_ARM_OF_14 }],
  images: {
    // AlohaInputs needs cam_high; the wrist cameras are optional (masked out when absent).
    kind: 'slots',
    container: 'images',
    height: 224,
    width: 224,
    order: 'CHW',
    slots: [
      { role: 'primary', key: 'cam_high', required: true },
      { role: 'secondary', key: 'cam_left_wrist', required: false },
    ],
  },
  prompt: { key: 'prompt', asList: false },
  action: { key: 'actions', dims: 14, motorIndex: LEFT_ARM_OF_14, padded: false },
};

const LEROBOT_WS: Layout = {
  name: 'lerobot-ws',
  description: 'awesome-lerobot websocket server (LeRobot select_action, one step per reply)',
  state: [{ key: 'observation.state', length: 6, motorIndex: SO100_ORDER }],
  images: { kind: 'cameras', prefix: 'observation.images.' }, // its client sends camera-resolution HWC u8
  prompt: { key: 'task', asList: true },
  action: { key: 'action', dims: 6, motorIndex: SO100_ORDER, padded: false },
};

/** The built-in layouts by name. */
export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = {
  'openpi-so100': OPENPI_SO100,
  droid: DROID,
  libero: LIBERO,
  aloha: ALOHA,
  'lerobot-ws': LEROBOT_WS,
};

/** Every built-in layout name. */
export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

/** The built-in layout called `name` (config `converter.layout`). */
export function layoutByName(name: string): Layout {
  if (!Object.prototype.hasOwnProperty.call(LAYOUTS, name)) {
    throw new ConverterError(
      'converter.layout',
      `one of ${LAYOUT_NAMES.join(', ')}`,
      `'${name}'`,
      'Or point converter.module at your own toPolicy/fromPolicy module',
    );
  }
  return LAYOUTS[name as LayoutName];
}

/** Number of columns an action row must have to hold every motor of `layout`. */
export function minActionDims(layout: Layout): number {
  return Math.max(...Object.values(layout.action.motorIndex)) + 1;
}
