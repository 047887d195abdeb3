// What the Converter Inspector shows about one exchange with the policy, as plain data: it crosses the runtime's
// socket (msgpack) and the webview's postMessage. Types only, no imports, so the webview can share them.

/** min / max / mean of an array's finite elements, and how many were NaN or ±Infinity. */
export interface ValueStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly nonFinite: number;
}

/** A small RGB picture (rows top to bottom, R,G,B bytes), at most THUMBNAIL_MAX_SIDE on its longer side. */
export interface Thumbnail {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** One key of a policy input (or reply, or observation) as the inspector lists it. */
export interface ValueSummary {
  /** Path of the key; nested maps are joined with '/' as openpi flattens them (`images/cam_high`). */
  readonly key: string;
  readonly kind: 'array' | 'string' | 'number' | 'boolean' | 'null' | 'bytes' | 'list' | 'map';
  /** numpy dtype string (`|u1`, `<f4`, …) of arrays and numpy scalars. */
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly stats?: ValueStats;
  /** Strings, scalars and short lists, as text (long values cut). */
  readonly text?: string;
  /** The elements of small arrays (at most 32), for state vectors and action rows. */
  readonly values?: readonly number[];
  /** Arrays that look like a 3-channel image: their layout and a thumbnail as the policy receives it. */
  readonly image?: { readonly order: 'HWC' | 'CHW'; readonly thumbnail: Thumbnail };
}

/** A likely converter mistake, found by comparing the policy input with the raw observation. */
export interface ConverterWarning {
  readonly code: 'bgr' | 'float-255' | 'channel-order' | 'unmapped-camera' | 'state-units';
  /** The policy input key (or camera name, for `unmapped-camera`) it is about. */
  readonly key?: string;
  readonly message: string;
}

/** Where a user converter module failed, as data (the runtime keeps running). */
export interface ConverterFailure {
  readonly stage: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** The measured joints, the targets after back-conversion and what safety let through, for one tick (motor order). */
export interface SafetySnapshot {
  readonly tick: number;
  readonly motors: readonly string[];
  readonly measured: readonly number[];
  /** Absent when nothing was written (refused as unsafe, e-stopped). */
  readonly sent?: readonly number[];
  readonly clamped: readonly { readonly motor: string; readonly reason: string }[];
}

/** The last exchange with the policy (or a converter run on it), summarised for display. */
export interface InspectionReport {
  /** `episode`: what the running loop did; `runConverter`: the converter run on demand on the last observation. */
  readonly source: 'episode' | 'runConverter';
  /** The converter's name (layout, or the module's path) and its layout. */
  readonly converter: string;
  readonly layout?: string;
  readonly episode?: number;
  /** Tick of the observation the input was built from. */
  readonly tick?: number;
  /** Set when the observation came from an episode record: its folder and tick. */
  readonly recorded?: { readonly dir: string; readonly tick: number };
  readonly observation?: {
    readonly task: string;
    readonly joints: readonly { readonly motor: string; readonly value: number }[];
    /** Raw camera frames (HWC RGB), with thumbnails. */
    readonly cameras: readonly ValueSummary[];
  };
  readonly input?: readonly ValueSummary[];
  /** The policy's raw reply (every key; `actions` with its shape and stats). */
  readonly output?: readonly ValueSummary[];
  /**
   * Joint targets after back-conversion: horizon × motors, with the first row spelled out, and the row meant for
   * the tick `safety` measured (row i is the target for tick `tick` + i) when that tick lies inside the chunk.
   */
  readonly targets?: {
    readonly horizon: number;
    readonly motors: readonly string[];
    readonly first: readonly number[];
    readonly atSafetyTick?: { readonly step: number; readonly values: readonly number[] };
    readonly stats: ValueStats;
  };
  readonly safety?: SafetySnapshot;
  /** Warnings of the lint (likely mistakes). */
  readonly warnings: readonly ConverterWarning[];
  /** Warnings the converter itself returned. */
  readonly converterWarnings: readonly string[];
  readonly error?: ConverterFailure;
  /** Why parts are missing (no episode yet, no reply yet). */
  readonly notes: readonly string[];
}

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 96;
