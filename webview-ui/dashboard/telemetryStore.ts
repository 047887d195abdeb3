// What the page keeps of the episode: bounded rings of ticks and chunks, the newest frame per camera. Drawing
// reads from here on animation frames; messages only append.
import type {
  DashboardChunk,
  DashboardFrame,
  DashboardProgress,
  DashboardStatus,
  DashboardTick,
  JointRange,
} from '../../src/contracts/dashboardMessages';
import { RingBuffer } from './ringBuffer';

/** 30 s at 30 fps. */
const TICK_CAPACITY = 900;
const CHUNK_CAPACITY = 64;
/** Recent frames kept per camera, so the tiles can show a tick every camera has. */
const FRAMES_PER_CAMERA = 3;

export interface ReceivedFrame {
  readonly frame: DashboardFrame;
  /** Newest tick index known when the frame arrived (the frame's age in ticks is the difference). */
  readonly newestTickAtArrival: number;
}

export class TelemetryStore {
  motors: readonly string[] = [];
  ranges: readonly (JointRange | null)[] | undefined;
  status: DashboardStatus | undefined;
  readonly ticks = new RingBuffer<DashboardTick>(TICK_CAPACITY);
  readonly chunks = new RingBuffer<DashboardChunk>(CHUNK_CAPACITY);
  /** Per camera its newest few frames, oldest first. */
  readonly frames = new Map<string, ReceivedFrame[]>();
  /** The episode's progress as the status bar and side bar show it. */
  progress: DashboardProgress | undefined;
  episode: number | undefined;
  ticksReceived = 0;
  /** Ticks the host could not deliver (the page was slower than the loop). */
  ticksDropped = 0;
  /** From the host's init (core's threshold); no marks before it. */
  roughSeamRatio = Infinity;

  /** Each joint's position unit, motor order (from the runtime's status). */
  get units(): readonly string[] | undefined {
    return this.status?.jointUnits;
  }

  get fps(): number {
    return this.status?.fps ?? 30;
  }

  get newestTick(): number {
    return this.ticks.last()?.index ?? -1;
  }

  reset(): void {
    this.ticks.clear();
    this.chunks.clear();
    this.frames.clear();
    this.episode = undefined;
  }

  addTicks(ticks: readonly DashboardTick[]): void {
    for (const t of ticks) {
      if (!this.enterEpisode(t.episode)) continue;
      this.ticks.push(t);
      this.ticksReceived++;
    }
  }

  addChunk(c: DashboardChunk): void {
    if (this.enterEpisode(c.episode)) this.chunks.push(c);
  }

  addFrame(f: DashboardFrame): void {
    if (!this.enterEpisode(f.episode)) return;
    const list = this.frames.get(f.camera) ?? [];
    list.push({ frame: f, newestTickAtArrival: Math.max(this.newestTick, f.tick) });
    if (list.length > FRAMES_PER_CAMERA) list.shift();
    this.frames.set(f.camera, list);
  }

  /** A new episode starts from an empty plot (the old one's tick indices would overlap). */
  private enterEpisode(episode: number): boolean {
    if (this.episode === episode) return true;
    if (this.episode !== undefined && episode < this.episode) return false; // late telemetry of an earlier episode
    this.ticks.clear();
    this.chunks.clear();
    this.frames.clear();
    this.episode = episode;
    return true;
  }
}

/** The frame a camera tile shows, and how many ticks it is behind the newest tile (0 when the tiles agree). */
export interface ShownFrame {
  readonly received: ReceivedFrame;
  readonly behind: number;
}

/**
 * The frames the camera tiles show: the newest tick every camera has a frame of, so the tiles agree; when no tick
 * is shared (a camera stalled), each camera's newest, with how far behind the newest it is (the tile says so).
 */
export function pickFrames(frames: ReadonlyMap<string, readonly ReceivedFrame[]>): Map<string, ShownFrame> {
  const shown = new Map<string, ShownFrame>();
  const lists = [...frames.entries()].filter(([, l]) => l.length > 0);
  if (lists.length === 0) return shown;
  let common: number | undefined;
  for (const { frame } of lists[0][1])
    if (lists.every(([, l]) => l.some((r) => r.frame.tick === frame.tick)))
      common = Math.max(common ?? -Infinity, frame.tick);
  if (common !== undefined) {
    for (const [camera, l] of lists)
      shown.set(camera, { received: l.find((r) => r.frame.tick === common)!, behind: 0 });
    return shown;
  }
  const newest = Math.max(...lists.map(([, l]) => l[l.length - 1].frame.tick));
  for (const [camera, l] of lists) {
    const received = l[l.length - 1];
    shown.set(camera, { received, behind: newest - received.frame.tick });
  }
  return shown;
}
