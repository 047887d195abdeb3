// Which recorded camera frame stands for a tick, for every reader of a record (the Episode Viewer, Open Recorded
// Tick, replay, the dataset export): the last frame recorded at or before the tick. An mp4's frames are placed on
// ticks by its frame index (`<camera>.ticks.csv`, the tick of every frame the encoder took: a frame dropped under
// load leaves a gap, so frame n is not tick n); a record made before the index is read frame n = tick n, with a
// note. PNG frames are named by their tick, so their file list is their index.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VIDEO_TICKS_HEADER, videoTicksFileName } from './frameRecorder';

/** The frame that stands for a tick and the tick it was taken at. */
export interface FrameForTick {
  readonly frame: number;
  /** The tick the frame is from: earlier than asked when frames were dropped or kept every Nth tick; later only when
   *  the tick is before the first frame (then the first frame is given). */
  readonly tick: number;
}

/** Index of the last value ≤ x in a rising list, or -1. */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The frame shown for `tick`: the last recorded frame at or before it, by `frameTicks` (frame → tick, rising) when
 * the record has an index; frame n = tick n when it has none (undefined). A tick before the first frame gets the
 * first frame (its `tick` then says it is later); a reader that must not show a later frame checks that. An empty
 * index gives undefined.
 */
export function frameForTick(frameTicks: readonly number[] | undefined, tick: number): FrameForTick | undefined {
  if (!frameTicks) return { frame: tick, tick };
  if (frameTicks.length === 0) return undefined;
  const frame = Math.max(0, lastAtOrBefore(frameTicks, tick));
  return { frame, tick: frameTicks[frame] };
}

/** Whether the index places frame n on tick n for every tick below `length` (decoding in order needs no mapping). */
export function isIdentityIndex(frameTicks: readonly number[] | undefined, length: number): boolean {
  if (!frameTicks) return true;
  if (frameTicks.length < length) return false;
  for (let t = 0; t < length; t++) if (frameTicks[t] !== t) return false;
  return true;
}

/** The note for a camera read without its frame index. */
export function noFrameIndexNote(camera: string): string {
  return `${camera}: this record has no frame index (${videoTicksFileName(camera)}; records made before it), so video frame n is read as tick n — wrong after a dropped frame`;
}

/**
 * `<camera>.ticks.csv` of the episode folder `dir` as frame → tick; undefined (with a note pushed to `notes`) when
 * the record predates it or it is unreadable, so the video is read frame n = tick n.
 */
export async function readFrameIndex(dir: string, camera: string, notes: string[]): Promise<number[] | undefined> {
  const file = videoTicksFileName(camera);
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    notes.push(noFrameIndexNote(camera));
    return undefined;
  }
  const lines = text.split('\n').filter((l) => l !== '');
  const ticks: number[] = [];
  if (lines[0] !== VIDEO_TICKS_HEADER) {
    notes.push(`${file}: the first line is not "${VIDEO_TICKS_HEADER}"; video frame n is read as tick n`);
    return undefined;
  }
  for (const [i, line] of lines.slice(1).entries()) {
    const [frame, tick] = line.split(',').map(Number);
    if (frame !== i || !Number.isInteger(tick) || (i > 0 && tick <= ticks[i - 1])) {
      notes.push(`${file}:${i + 2}: not "frame,tick" in order; video frame n is read as tick n`);
      return undefined;
    }
    ticks.push(tick);
  }
  return ticks;
}
