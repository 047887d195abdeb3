// An opened episode record as the viewer page gets it: its series per joint, spans, events and notes (plain data).
import type { JointSeries, ViewerEpisode, ViewerFrame, ViewerSlot } from '../../contracts/episodeViewerMessages';
import { SO100_MOTORS } from '../../core/so100';
import type { EpisodeFrameResult } from '../../io/recording/episodeFrames';
import type { EpisodeView } from '../../io/recording/episodeView';

export function viewerEpisode(slot: ViewerSlot, view: EpisodeView): ViewerEpisode {
  const { timeline, record } = view;
  const steps = timeline.steps;
  const series = (pick: (i: number) => readonly number[] | undefined): JointSeries[] =>
    SO100_MOTORS.map((_, j) =>
      steps.map((_s, i) => {
        const v = pick(i)?.[j];
        return v !== undefined && Number.isFinite(v) ? v : null;
      }),
    );
  const r = record.result;
  return {
    slot,
    dir: view.dir,
    label: view.label,
    result: r
      ? `${r.success ? 'success' : 'failure'}: ${r.reason} (${r.steps} ticks)`
      : 'no result (still running, or cut short)',
    fps: view.fps,
    budgetMs: timeline.budgetMs,
    joints: SO100_MOTORS.map((name, j) => ({ name, unit: view.units[j] })),
    ticks: steps.map((s) => s.tick),
    measured: series((i) => steps[i].positions),
    sent: series((i) => steps[i].sent),
    policy: record.policyRows ? series((i) => steps[i].raw) : [],
    spans: timeline.spans,
    boundaries: timeline.boundaries,
    events: timeline.events,
    cameras: view.frames.cameraNames,
    replays: view.replays.map((r) => ({ model: r.model, chunks: r.chunkCount })),
    notes: view.notes,
  };
}

/** Frames as they cross postMessage: plain Uint8Arrays of their own bytes (VS Code sends those as binary). */
export function viewerFrames(frames: readonly EpisodeFrameResult[]): ViewerFrame[] {
  return frames.map((f) =>
    'bytes' in f
      ? {
          camera: f.camera,
          tick: f.tick,
          mime: f.mime,
          bytes:
            f.bytes.constructor === Uint8Array &&
            f.bytes.byteOffset === 0 &&
            f.bytes.byteLength === f.bytes.buffer.byteLength
              ? f.bytes
              : new Uint8Array(f.bytes),
        }
      : f,
  );
}
