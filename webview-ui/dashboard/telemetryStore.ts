// What the page keeps of the episode: bounded rings of ticks and chunks, the newest frame per camera. Drawing
// reads from here on animation frames; messages only append.
import type { DashboardChunk, DashboardFrame, DashboardStatus, DashboardTick, JointRange } from './protocol';
import { RingBuffer } from './ringBuffer';

/** 30 s at 30 fps. */
const TICK_CAPACITY = 900;
const CHUNK_CAPACITY = 64;

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
  readonly frames = new Map<string, ReceivedFrame>();
  episode: number | undefined;
  ticksReceived = 0;
  /** Ticks the host could not deliver (the page was slower than the loop). */
  ticksDropped = 0;

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
    this.frames.set(f.camera, { frame: f, newestTickAtArrival: Math.max(this.newestTick, f.tick) });
  }

  /** A new episode starts from an empty plot (the old one's tick indices would overlap). */
  private enterEpisode(episode: number): boolean {
    if (this.episode === episode) return true;
    if (this.episode !== undefined && episode < this.episode) return false; // late telemetry of an earlier episode
    this.ticks.clear();
    this.chunks.clear();
    this.episode = episode;
    return true;
  }
}
