// Telemetry → Dashboard webview with back-pressure: the panel must degrade, never the control loop or the
// extension host. Ticks are coalesced into one batch per flush (≤ 30 Hz); chunks ride along with the flush;
// a camera's frame is replaced by its newer frame while a post is still in flight; state, warnings and episode
// results are never dropped. Kept free of `vscode` so it can be unit-tested with a fake post and timer.
import type {
  DashboardChunk,
  DashboardEpisodeSummary,
  DashboardFrame,
  DashboardProgress,
  DashboardStatus,
  DashboardTick,
  HostToDashboard,
} from '../../contracts/dashboardMessages';
import type { EpisodeSummary } from '../../core/rpc';
import { enabledCommands } from './enabledCommands';

/** Posts one message; resolves when the webview took it (VS Code's postMessage returns a Thenable<boolean>). */
export type PostToDashboard = (message: HostToDashboard) => PromiseLike<boolean>;

export interface DashboardFeedOptions {
  /** Minimum interval between tick batches (default 33 ms: ≤ 30 batches per second). */
  readonly flushIntervalMs?: number;
  /** Ticks kept for a panel that is rebuilt (hidden → shown, reload) and for a batch waiting on a slow webview. */
  readonly historyTicks?: number;
  readonly historyChunks?: number;
  /** Timer used to schedule a flush (tests pass their own). */
  readonly schedule?: (fn: () => void, ms: number) => { dispose(): void };
}

export interface DashboardFeedCounters {
  /** Ticks that never reached the webview because a newer batch replaced them (webview slower than the ticks). */
  readonly droppedTicks: number;
  readonly droppedChunks: number;
  /** Frames replaced by a newer one of the same camera while a frame post was pending. */
  readonly droppedFrames: number;
  readonly postedFrames: number;
  readonly postedBatches: number;
}

/**
 * A frame whose pixels can be posted as a typed array. The runtime client hands out Node Buffers (views into
 * the socket's buffer): JSON serialisation turns a Buffer into `{type: 'Buffer', data: [...]}` — a JSON array
 * of every byte — before VS Code's typed-array transfer sees it, and a view would carry its whole underlying
 * ArrayBuffer. A plain Uint8Array of exactly the frame's bytes avoids both.
 */
export function postableFrame(f: DashboardFrame): DashboardFrame {
  const plain =
    Object.getPrototypeOf(f.rgb) === Uint8Array.prototype &&
    f.rgb.byteOffset === 0 &&
    f.rgb.byteLength === f.rgb.buffer.byteLength;
  return plain
    ? f
    : {
        episode: f.episode,
        tick: f.tick,
        camera: f.camera,
        width: f.width,
        height: f.height,
        rgb: new Uint8Array(f.rgb),
      };
}

const defaultSchedule = (fn: () => void, ms: number): { dispose(): void } => {
  const t = setTimeout(fn, ms);
  return { dispose: () => clearTimeout(t) };
};

/** A fixed-capacity FIFO that forgets its oldest items. */
class History<T> {
  private items: T[] = [];
  constructor(private readonly capacity: number) {}
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity * 2) this.items = this.items.slice(-this.capacity);
  }
  toArray(): T[] {
    return this.items.length > this.capacity ? this.items.slice(-this.capacity) : this.items.slice();
  }
  clear(): void {
    this.items = [];
  }
}

export class DashboardFeed {
  private readonly flushIntervalMs: number;
  private readonly schedule: NonNullable<DashboardFeedOptions['schedule']>;
  private readonly historyTicks: History<DashboardTick>;
  private readonly historyChunks: History<DashboardChunk>;
  private readonly maxPendingTicks: number;
  private pendingTicks: DashboardTick[] = [];
  private pendingChunks: DashboardChunk[] = [];
  private readonly pendingFrames = new Map<string, DashboardFrame>();
  private batchInFlight = false;
  private frameInFlight = false;
  private timer: { dispose(): void } | undefined;
  private connected = false;
  private disposed = false;
  private droppedSinceBatch = 0;
  private lastEpisode: number | undefined;
  private counts = { droppedTicks: 0, droppedChunks: 0, droppedFrames: 0, postedFrames: 0, postedBatches: 0 };

  constructor(
    private readonly post: PostToDashboard,
    options: DashboardFeedOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 33;
    this.schedule = options.schedule ?? defaultSchedule;
    const ticks = options.historyTicks ?? 600;
    this.historyTicks = new History(ticks);
    this.historyChunks = new History(options.historyChunks ?? 40);
    this.maxPendingTicks = ticks;
  }

  get counters(): DashboardFeedCounters {
    return { ...this.counts };
  }

  /** The webview is (re)built and said `ready`: it gets the recent history with `init`, then live telemetry. */
  attach(init: (history: { ticks: DashboardTick[]; chunks: DashboardChunk[] }) => HostToDashboard): void {
    this.connected = true;
    this.pendingTicks = [];
    this.pendingChunks = [];
    this.pendingFrames.clear();
    this.batchInFlight = false;
    this.frameInFlight = false;
    this.send(init({ ticks: this.historyTicks.toArray(), chunks: this.historyChunks.toArray() }));
  }

  /** The webview is gone (panel hidden without retained context): keep history, post nothing. */
  detach(): void {
    this.connected = false;
    this.timer?.dispose();
    this.timer = undefined;
  }

  tick(t: DashboardTick): void {
    if (t.episode !== this.lastEpisode) {
      // A new episode: the previous one's history would draw as if it were this one's.
      this.historyTicks.clear();
      this.historyChunks.clear();
      this.lastEpisode = t.episode;
    }
    this.historyTicks.push(t);
    if (!this.connected) return;
    this.pendingTicks.push(t);
    if (this.pendingTicks.length > this.maxPendingTicks) {
      const drop = this.pendingTicks.length - this.maxPendingTicks;
      this.pendingTicks.splice(0, drop);
      this.counts.droppedTicks += drop;
      this.droppedSinceBatch += drop;
    }
    this.scheduleFlush();
  }

  chunk(c: DashboardChunk): void {
    this.historyChunks.push(c);
    if (!this.connected) return;
    this.pendingChunks.push(c);
    if (this.pendingChunks.length > 20) {
      this.pendingChunks.shift();
      this.counts.droppedChunks++;
    }
    this.scheduleFlush();
  }

  /**
   * Frames: only the newest per camera waits; one round of posts is in flight at a time, and a round carries every
   * camera's newest frame, so no camera waits behind another (the runtime sends a tick's frames together, so a
   * round is mostly one tick; the page picks a tick all cameras share).
   */
  frame(f: DashboardFrame): void {
    if (!this.connected) return;
    if (this.pendingFrames.has(f.camera)) this.counts.droppedFrames++;
    this.pendingFrames.set(f.camera, f);
    this.pumpFrames();
  }

  state(status: DashboardStatus | undefined, progress?: DashboardProgress): void {
    this.sendAlways({ type: 'state', status, enabled: enabledCommands(status), ...(progress && { progress }) });
  }

  episodeEnded(s: EpisodeSummary): void {
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const summary: DashboardEpisodeSummary = {
      episode: s.episode,
      success: s.success,
      reason: s.reason,
      steps: s.steps,
      starvedTicks: s.starvedTicks,
      chunks: s.chunks,
      clampedTicks: s.clampedTicks,
      lateTicks: s.lateTicks,
      ...(s.seams && {
        seams: {
          seamRatio: finite(s.seams.seamRatio),
          rawSeamRatio: finite(s.seams.raw.seamRatio),
          lagTicks: finite(s.seams.lagTicks),
          perJoint: s.seams.perJoint.map((j) => ({
            joint: j.joint,
            seamRatio: finite(j.seamRatio),
            lagTicks: finite(j.lagTicks),
          })),
        },
      }),
    };
    this.sendAlways({ type: 'episodeEnded', summary });
  }

  warning(message: string): void {
    this.sendAlways({ type: 'warning', message });
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
    this.pendingTicks = [];
    this.pendingChunks = [];
    this.pendingFrames.clear();
  }

  private sendAlways(m: HostToDashboard): void {
    if (this.connected) this.send(m);
  }

  private send(m: HostToDashboard): PromiseLike<boolean> | undefined {
    if (this.disposed) return undefined;
    try {
      return this.post(m);
    } catch {
      return undefined; // a disposed webview throws; the panel's dispose follows
    }
  }

  private scheduleFlush(): void {
    if (this.timer || this.batchInFlight || this.disposed) return;
    this.timer = this.schedule(() => {
      this.timer = undefined;
      this.flush();
    }, this.flushIntervalMs);
  }

  private flush(): void {
    if (!this.connected || this.batchInFlight) return;
    const ticks = this.pendingTicks;
    const chunks = this.pendingChunks;
    if (ticks.length === 0 && chunks.length === 0) return;
    this.pendingTicks = [];
    this.pendingChunks = [];
    const dropped = this.droppedSinceBatch;
    this.droppedSinceBatch = 0;
    // Chunks first: a tick batch may reference the chunk that started at its boundary.
    for (const chunk of chunks) this.send({ type: 'chunk', chunk });
    const posted = ticks.length > 0 ? this.send({ type: 'ticks', ticks, dropped }) : undefined;
    this.counts.postedBatches++;
    if (!posted) return;
    this.batchInFlight = true;
    const done = (): void => {
      this.batchInFlight = false;
      if (this.pendingTicks.length > 0 || this.pendingChunks.length > 0) this.scheduleFlush();
    };
    posted.then(done, done);
  }

  private pumpFrames(): void {
    if (this.frameInFlight || !this.connected || this.disposed || this.pendingFrames.size === 0) return;
    const frames = [...this.pendingFrames.values()];
    this.pendingFrames.clear();
    const posts: PromiseLike<boolean>[] = [];
    for (const frame of frames) {
      const posted = this.send({ type: 'frame', frame });
      this.counts.postedFrames++;
      if (posted) posts.push(posted);
    }
    if (posts.length === 0) return;
    this.frameInFlight = true;
    let left = posts.length;
    const done = (): void => {
      if (--left > 0) return;
      this.frameInFlight = false;
      this.pumpFrames();
    };
    for (const p of posts) p.then(done, done);
  }
}
