// The Episode Viewer page: one timeline with a cursor that everything follows. The host sends each episode's series
// once; the page moves the cursor itself (plots, strip) and asks the host for the cursor's state and frames, one
// request per episode at a time (a newer tick replaces a waiting one, so scrubbing and playing never queue).
import 'uplot/dist/uPlot.min.css';
import './viewer.css';
import {
  isViewerHostMessage,
  type EpisodeComparison,
  type HostToViewer,
  type ViewerEpisode,
  type ViewerSlot,
  type ViewerToHost,
  type ViewerPageState,
} from '../../src/contracts/episodeViewerMessages';
import { readColors, watchTheme } from '../dashboard/theme';
import { HostBridge } from '../shared/hostBridge';
import { CursorPanel } from './cursorPanel';
import { JointCharts } from './jointCharts';
import { TimelineStrip } from './timelineStrip';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const bridge = new HostBridge<ViewerToHost, HostToViewer, ViewerPageState>(isViewerHostMessage);
/** The episodes shown, kept for a window reload (the host's serializer reopens them). */
const keepState = () =>
  (bridge.state = { dirs: { ...(episodes.a && { a: episodes.a.dir }), ...(episodes.b && { b: episodes.b.dir }) } });
let colors = readColors();
const episodes: Partial<Record<ViewerSlot, ViewerEpisode>> = {};
let comparison: EpisodeComparison | undefined;
let tick = 0;
let lastTick = 0;
const inFlight: Record<ViewerSlot, boolean> = { a: false, b: false };
const waiting: Partial<Record<ViewerSlot, number>> = {};

const charts = new JointCharts($('joints'), (t) => moveTo(t));
const strip = new TimelineStrip($('timeline'), (t) => moveTo(t));
const panel = new CursorPanel($('cameras'), $('chunkInfo'), $<HTMLTableElement>('stages'), $('replayInfo'));
const scrub = $<HTMLInputElement>('scrub');

function rebuild(): void {
  const a = episodes.a;
  if (!a) return;
  const b = episodes.b;
  lastTick = Math.max(a.ticks.at(-1) ?? 0, b?.ticks.at(-1) ?? 0);
  $('title').textContent = b ? `${a.label} vs ${b.label}` : a.label;
  // Compared, each result names its episode: the title's order alone did not say which was which.
  $('result').textContent = b ? `${a.label}: ${a.result} · ${b.label}: ${b.result}` : a.result;
  $('closeCompare').hidden = !b;
  const notes = $('notes');
  notes.textContent = '';
  const lines = [...a.notes.map((n) => `${a.label}: ${n}`), ...(b?.notes.map((n) => `${b.label}: ${n}`) ?? [])];
  if (b && comparison)
    lines.push(
      comparison.divergenceTick === undefined
        ? `the two never differ by more than ${comparison.threshold} in any joint (largest difference ${comparison.maxDifference.toFixed(1)})`
        : `they diverge at tick ${comparison.divergenceTick} (${a.joints[comparison.divergenceJoint ?? 0].name} differs by more than ${comparison.threshold} ${a.joints[comparison.divergenceJoint ?? 0].unit})`,
    );
  for (const n of lines) {
    const li = document.createElement('li');
    li.textContent = n;
    notes.append(li);
  }
  scrub.max = String(lastTick);
  const divergence = b ? comparison?.divergenceTick : undefined;
  // The marked tick, on the strip's element too (the lines are drawn on canvases).
  const timeline = $('timeline');
  if (divergence === undefined) delete timeline.dataset.divergenceTick;
  else timeline.dataset.divergenceTick = String(divergence);
  strip.set(a, lastTick, divergence);
  charts.build(a, b, colors);
  charts.setDivergence(divergence);
  panel.reset();
  moveTo(Math.min(tick, lastTick));
}

function moveTo(t: number): void {
  tick = Math.max(0, Math.min(lastTick, Math.round(t)));
  scrub.value = String(tick);
  $('tickLabel').textContent = `tick ${tick} / ${lastTick}`;
  strip.setCursor(tick);
  strip.draw(colors);
  charts.setCursor(tick);
  for (const slot of ['a', 'b'] as const) if (episodes[slot]) requestCursor(slot, tick);
}

function requestCursor(slot: ViewerSlot, t: number): void {
  if (inFlight[slot]) {
    waiting[slot] = t;
    return;
  }
  inFlight[slot] = true;
  bridge.post({ type: 'cursor', slot, tick: t });
}

function chunkTick(dir: 1 | -1): number {
  const b = episodes.a?.boundaries ?? [];
  if (dir > 0) return b.find((x) => x > tick) ?? lastTick;
  for (let i = b.length - 1; i >= 0; i--) if (b[i] < tick) return b[i];
  return 0;
}

// Play at the episode's rate times the chosen speed, on animation frames (whole ticks by elapsed time).
let playing: { startMs: number; startTick: number } | undefined;
function setPlaying(on: boolean): void {
  playing = on ? { startMs: performance.now(), startTick: tick >= lastTick ? 0 : tick } : undefined;
  $('play').textContent = on ? '⏸ Pause' : '▶ Play';
  if (on) requestAnimationFrame(step);
}
function step(now: number): void {
  if (!playing || !episodes.a) return;
  const speed = Number($<HTMLSelectElement>('speed').value);
  const t = playing.startTick + Math.floor(((now - playing.startMs) / 1000) * episodes.a.fps * speed);
  if (t !== tick) moveTo(t);
  if (t >= lastTick) setPlaying(false);
  else requestAnimationFrame(step);
}
$<HTMLSelectElement>('speed').addEventListener('change', () => {
  if (playing) setPlaying(true);
});

$('play').addEventListener('click', () => setPlaying(!playing));
scrub.addEventListener('input', () => moveTo(Number(scrub.value)));
$('compare').addEventListener('click', () => bridge.post({ type: 'compare' }));
$('exportDataset').addEventListener('click', () => bridge.post({ type: 'exportDataset' }));
$('closeCompare').addEventListener('click', () => bridge.post({ type: 'closeCompare' }));

window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLSelectElement) return;
  const keys: Record<string, () => void> = {
    ArrowRight: () => moveTo(e.shiftKey ? chunkTick(1) : tick + 1),
    ArrowLeft: () => moveTo(e.shiftKey ? chunkTick(-1) : tick - 1),
    Home: () => moveTo(0),
    End: () => moveTo(lastTick),
    ' ': () => setPlaying(!playing),
  };
  const act = keys[e.key];
  if (!act) return;
  e.preventDefault();
  if (e.key !== ' ') setPlaying(false);
  act();
});

watchTheme(() => {
  colors = readColors();
  rebuild();
});
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(rebuild, 150);
});

bridge.start((m) => {
  switch (m.type) {
    case 'episode':
      episodes[m.episode.slot] = m.episode;
      keepState();
      rebuild();
      return;
    case 'closed':
      delete episodes[m.slot];
      keepState();
      if (m.slot === 'b') comparison = undefined;
      rebuild();
      return;
    case 'comparison':
      comparison = m.comparison;
      rebuild();
      return;
    case 'cursor': {
      inFlight[m.slot] = false;
      const next = waiting[m.slot];
      delete waiting[m.slot];
      if (next !== undefined && next !== m.cursor.tick) requestCursor(m.slot, next);
      const e = episodes[m.slot];
      void panel.showFrames(m.slot, episodes.b ? (e?.label ?? m.slot) : '', m.frames);
      if (m.slot === 'a') {
        charts.setPredictions(m.cursor.predictions);
        charts.setReplays(m.replays);
        if (e) panel.showReplays(e, m.replays, (model) => charts.colorOf(model));
        panel.showCursor(m.cursor, strip.eventsAt(m.cursor.tick), (ms) => ms.toFixed(1));
      }
      return;
    }
    case 'error': {
      const li = document.createElement('li');
      li.className = 'error';
      li.textContent = m.message;
      $('notes').append(li);
      return;
    }
  }
});
