// The Episode Viewer's messages between the extension host (src/extension/viewer/episodeViewerPanel.ts) and its
// webview (webview-ui/episodeViewer). The host owns the model (core/episodeView): the page gets each episode's
// series once and asks for the cursor's state and frames, one request at a time.
import type {
  ChunkSpan,
  CursorState,
  EpisodeComparison,
  ReplayAtTick,
  ReplayDeviation,
  ReplayedChunkAtTick,
  TimelineEvent,
} from '../core/episodeView';

export type {
  ChunkSpan,
  CursorState,
  EpisodeComparison,
  ReplayAtTick,
  ReplayDeviation,
  ReplayedChunkAtTick,
  TimelineEvent,
};

/** The viewed episode ('a') and the one compared with it ('b'). */
export type ViewerSlot = 'a' | 'b';

/** Per joint, one value per tick of `ticks`; null where the record has none (nothing sent, not a number). */
export type JointSeries = readonly (number | null)[];

export interface ViewerEpisode {
  readonly slot: ViewerSlot;
  readonly dir: string;
  /** What the page calls the episode in every title, legend, note and tile (core's episodeLabel). */
  readonly label: string;
  /** The recorded result in words ("success", "failed: timeout", "no result (cut short)"). */
  readonly result: string;
  readonly fps: number;
  readonly budgetMs: number;
  readonly joints: readonly { readonly name: string; readonly unit: string }[];
  readonly ticks: readonly number[];
  readonly measured: readonly JointSeries[];
  readonly sent: readonly JointSeries[];
  /** The policy's rows (empty when the record predates them). */
  readonly policy: readonly JointSeries[];
  readonly spans: readonly ChunkSpan[];
  readonly boundaries: readonly number[];
  readonly events: readonly TimelineEvent[];
  readonly cameras: readonly string[];
  /** The finished replays beside the record (`replay-<model>.jsonl`), one per model, with their chunk counts. */
  readonly replays: readonly { readonly model: string; readonly chunks: number }[];
  /** What is missing or assumed, one sentence each. */
  readonly notes: readonly string[];
}

/** A camera's picture at the cursor (PNG or JPEG bytes), or why there is none. */
export type ViewerFrame =
  | { readonly camera: string; readonly tick: number; readonly mime: string; readonly bytes: Uint8Array }
  | { readonly camera: string; readonly error: string };

/** Host → webview. */
export type HostToViewer =
  | { readonly type: 'episode'; readonly episode: ViewerEpisode }
  | { readonly type: 'closed'; readonly slot: ViewerSlot }
  | {
      readonly type: 'cursor';
      readonly slot: ViewerSlot;
      readonly cursor: CursorState;
      readonly frames: readonly ViewerFrame[];
      /** Per replay model (as in the episode's `replays`), the replayed chunks covering the cursor. */
      readonly replays: readonly ReplayAtTick[];
    }
  | { readonly type: 'comparison'; readonly comparison: EpisodeComparison }
  | { readonly type: 'error'; readonly message: string };

/** What the page keeps across a window reload (the host's serializer reopens these). */
export interface ViewerPageState {
  readonly dirs: Partial<Record<ViewerSlot, string>>;
}

/** Webview → host. */
export type ViewerToHost =
  | { readonly type: 'ready' }
  /** The cursor's state and frames at `tick` of a slot's episode. */
  | { readonly type: 'cursor'; readonly slot: ViewerSlot; readonly tick: number }
  /** Pick a second episode to compare with. */
  | { readonly type: 'compare' }
  | { readonly type: 'closeCompare' }
  /** The episode shown as a LeRobot dataset (SO-100: Export as LeRobot Dataset… on its folder). */
  | { readonly type: 'exportDataset' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSlot = (v: unknown): v is ViewerSlot => v === 'a' || v === 'b';

/** True for a well-formed webview → host message (anything else is dropped by the host). */
export function isViewerMessage(m: unknown): m is ViewerToHost {
  if (!isRecord(m)) return false;
  switch (m.type) {
    case 'ready':
    case 'compare':
    case 'closeCompare':
    case 'exportDataset':
      return true;
    case 'cursor':
      return isSlot(m.slot) && typeof m.tick === 'number' && Number.isFinite(m.tick);
    default:
      return false;
  }
}

/** True for a well-formed host → webview message. */
export function isViewerHostMessage(m: unknown): m is HostToViewer {
  if (!isRecord(m)) return false;
  switch (m.type) {
    case 'episode':
      return isRecord(m.episode) && isSlot(m.episode.slot) && Array.isArray(m.episode.ticks);
    case 'closed':
      return isSlot(m.slot);
    case 'cursor':
      return isSlot(m.slot) && isRecord(m.cursor) && Array.isArray(m.frames) && Array.isArray(m.replays);
    case 'comparison':
      return isRecord(m.comparison);
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}
