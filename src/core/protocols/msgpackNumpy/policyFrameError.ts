// The one error type of the openpi frame codec: it says where in the frame the problem sits.

/** A frame that cannot be encoded or decoded; `path` names the key, like "actions" or "images.cam_high" ("" = the whole frame). */
export class PolicyFrameError extends Error {
  override readonly name = 'PolicyFrameError';
  readonly path: string;

  constructor(path: string, problem: string) {
    super(path === '' ? `policy frame: ${problem}` : `policy frame, key "${path}": ${problem}`);
    this.path = path;
  }
}

/** Joins a path from map keys and array indices: `images.cam_high`, `task[0]`. */
export function formatPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** Frames nest at most this deep (a guard against hostile or cyclic values). */
export const MAX_FRAME_DEPTH = 32;
