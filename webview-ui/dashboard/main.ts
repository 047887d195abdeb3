// The Dashboard webview: receives telemetry from the host (src/contracts/dashboardMessages.ts), keeps it in bounded
// buffers and draws on animation frames only — a burst of messages costs one draw, and a hidden or slow page drops
// work, never blocks anything upstream.
import { HostBridge } from '../shared/hostBridge';
import { CameraView } from './cameraView';
import { ChunkFan } from './chunkFan';
import { Controls } from './controls';
import { JointPlots } from './jointPlot';
import {
  isHostToDashboard,
  type DashboardProbeReport,
  type DashboardToHost,
  type FrameMode,
  type HostToDashboard,
} from '../../src/contracts/dashboardMessages';
import { CHUNK_LATENCY, LOOP_STAGES, stageBudgets, stageRows } from './stageStats';
import { pickFrames, TelemetryStore } from './telemetryStore';
import { readColors, watchTheme } from './theme';
import { TimingTable } from './timingTable';
import { TimingWaterfall } from './timingWaterfall';

interface ViewState {
  readonly frameMode?: FrameMode;
}

/** The timing table is recomputed at most this often (sorting every stage's window each frame is waste). */
const TABLE_INTERVAL_MS = 250;
/** Ticks the percentiles are computed over. */
const STATS_WINDOW = 300;

let messagesRejected = 0;
let lastRejected = '';
/** A short account of a rejected message, for the probe (protocol mismatches are otherwise silent). */
function describe(m: unknown): string {
  if (typeof m !== 'object' || m === null) return typeof m;
  return JSON.stringify(m, (_k, v: unknown) =>
    ArrayBuffer.isView(v) || v instanceof ArrayBuffer
      ? `${Object.prototype.toString.call(v)}(${(v as ArrayBuffer).byteLength})`
      : Array.isArray(v) && v.length > 8
        ? `[${v.length} items]`
        : v,
  ).slice(0, 300);
}
let framesReceived = 0;
const bridge = new HostBridge<Exclude<DashboardToHost, { type: 'ready' }>, HostToDashboard, ViewState>(
  (m): m is HostToDashboard => {
    if (isHostToDashboard(m)) return true;
    messagesRejected++;
    lastRejected = describe(m);
    return false;
  },
);
const store = new TelemetryStore();
let colors = readColors();
let frameMode: FrameMode = bridge.state?.frameMode ?? 'raw';
let draws = 0;
let lastTableAt = -Infinity;

const controls = new Controls((name) => bridge.post({ type: 'command', name }));
const joints = new JointPlots(element('joints'));
const fan = new ChunkFan(element('chunks'));
const loopWaterfall = new TimingWaterfall(element('waterfall-loop') as HTMLCanvasElement, {
  title: 'control loop, per tick',
  stages: LOOP_STAGES,
  total: 'tick',
});
// The runtime's per-tick stage times carry a request's encode / network / infer / decode only when the reply lands
// inside a tick, so the request bars are built from the chunk events' latency, which every request has.
const policyWaterfall = new TimingWaterfall(element('waterfall-policy') as HTMLCanvasElement, {
  title: 'policy requests, per chunk',
  stages: [],
  total: CHUNK_LATENCY,
  restColor: (c) => c.fan,
  restLabel: 'request → chunk received',
});
const table = new TimingTable(element('timing-table') as HTMLTableElement);
const cameras = new Map<string, CameraView>();
const cameraBox = element('cameras');
const budgetLabel = element('budget');
/** Sections with nothing to show say so instead of drawing axes over no data. */
const emptyToggles = [
  { content: element('joints'), note: element('joints-empty'), has: () => store.ticks.length > 0 },
  { content: element('chunks'), note: element('chunks-empty'), has: () => store.chunks.length > 0 },
  { content: element('timing'), note: element('timing-empty'), has: () => store.ticks.length > 0 },
];
const modeToggle = element('frame-mode') as HTMLInputElement;
modeToggle.checked = frameMode === 'policy';
modeToggle.addEventListener('change', () => {
  frameMode = modeToggle.checked ? 'policy' : 'raw';
  bridge.state = { frameMode };
  bridge.post({ type: 'setFrameMode', mode: frameMode });
  dirty.cameras = true;
  requestDraw();
});

const dirty = { plots: true, cameras: true, timing: true };
let drawPending = false;

function requestDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

let tableTimer: ReturnType<typeof setTimeout> | undefined;

/** Draws what changed; `force` also recomputes the timing table now (the probe reports what the page shows). */
function draw(force = false): void {
  draws++;
  for (const t of emptyToggles) {
    const has = t.has();
    t.content.hidden = !has;
    t.note.hidden = has;
  }
  if (dirty.plots) {
    joints.draw(store, colors);
    fan.draw(store, colors);
    dirty.plots = false;
  }
  if (dirty.cameras) {
    for (const [camera, shown] of pickFrames(store.frames))
      cameraView(camera).draw(shown.received, frameMode, store.fps, shown.behind);
    dirty.cameras = false;
  }
  if (dirty.timing) {
    const ticks = store.ticks.lastN(STATS_WINDOW);
    const horizon = store.chunks.last()?.horizon;
    const { tickMs, chunkMs } = stageBudgets(store.fps, horizon);
    loopWaterfall.draw(ticks, tickMs, colors);
    const chunks = store.chunks.lastN(store.chunks.capacity);
    policyWaterfall.draw(
      chunks.map((c) => ({ stageMs: { [CHUNK_LATENCY]: c.latencyMs } })),
      chunkMs,
      colors,
    );
    const now = performance.now();
    if (force || now - lastTableAt >= TABLE_INTERVAL_MS) {
      lastTableAt = now;
      table.update(
        stageRows(
          ticks,
          store.fps,
          horizon,
          chunks.map((c) => c.latencyMs),
        ),
      );
      budgetLabel.textContent =
        `budget ${tickMs.toFixed(1)} ms per tick (${store.fps} fps); policy ${chunkMs.toFixed(0)} ms` +
        `${horizon ? ` (half a ${horizon}-step chunk)` : ''}` +
        (ticks.length > 0 ? ` · p50/p95/p99 over the last ${ticks.length} ticks` : '');
      dirty.timing = false;
    } else {
      // The table is due later: come back then even if no tick arrives.
      dirty.timing = true;
      tableTimer ??= setTimeout(() => {
        tableTimer = undefined;
        requestDraw();
      }, TABLE_INTERVAL_MS);
    }
  }
}

function cameraView(camera: string): CameraView {
  let view = cameras.get(camera);
  if (!view) {
    view = new CameraView(camera);
    if (cameras.size === 0) cameraBox.replaceChildren();
    cameras.set(camera, view);
    cameraBox.append(view.element);
  }
  return view;
}

function receive(m: HostToDashboard): void {
  switch (m.type) {
    case 'init':
      store.reset();
      store.motors = m.motors;
      store.ranges = m.ranges ?? m.status?.jointRanges;
      store.status = m.status;
      if (m.frameMode && !bridge.state?.frameMode) {
        frameMode = m.frameMode;
        modeToggle.checked = frameMode === 'policy';
      }
      joints.setMotors(m.motors);
      fan.setMotors(m.motors);
      for (const c of m.chunks) store.addChunk(c);
      store.addTicks(m.ticks);
      store.progress = m.progress;
      store.roughSeamRatio = m.roughSeamRatio;
      controls.show(m.status, m.enabled, store.progress);
      break;
    case 'ticks':
      store.addTicks(m.ticks);
      store.ticksDropped += m.dropped;
      dirty.plots = true;
      dirty.timing = true;
      break;
    case 'chunk':
      store.addChunk(m.chunk);
      dirty.plots = true;
      break;
    case 'frame':
      framesReceived++;
      store.addFrame(m.frame);
      dirty.cameras = true;
      break;
    case 'state':
      store.status = m.status;
      if (m.progress) store.progress = m.progress;
      if (m.status?.jointRanges || m.status?.jointUnits) {
        if (m.status.jointRanges) store.ranges = m.status.jointRanges;
        dirty.plots = true;
      }
      controls.show(m.status, m.enabled, store.progress);
      break;
    case 'episodeEnded':
      controls.episodeEnded(m.summary);
      break;
    case 'warning':
      controls.note(m.message, 'warning');
      break;
    case 'probe':
      for (const raw of m.postBack ?? []) bridge.post(raw as Exclude<DashboardToHost, { type: 'ready' }>);
      // Whatever is pending is drawn now, so the report says what the page shows.
      draw(true);
      bridge.post({ type: 'probe-reply', id: m.id, report: probeReport() });
      return;
  }
  if (m.type === 'init') {
    dirty.plots = dirty.cameras = dirty.timing = true;
  }
  requestDraw();
}

function probeReport(): DashboardProbeReport {
  return {
    ticksReceived: store.ticksReceived,
    ticksPlotted: joints.plotted,
    chunksInFan: fan.drawnChunks,
    cameras: [...cameras.values()].map((v) => ({
      camera: v.camera,
      tick: v.tick,
      behind: v.behind,
      caption: v.captionText,
      width: v.width,
      height: v.height,
      nonBlackPixels: v.nonBlackPixels(),
    })),
    timingRows: table.rows.map((r) => r.stage),
    timingHeader: [...document.querySelectorAll('#timing-table thead th')].map((th) => th.textContent ?? ''),
    progressText: controls.progressText,
    units: store.units ? [...store.units] : [],
    policyTopMs: policyWaterfall.topMs,
    waterfallBars: loopWaterfall.bars,
    phaseText: controls.phaseText,
    modelText: controls.modelText,
    frameMode,
    draws,
    framesReceived,
    messagesRejected,
    lastRejected,
  };
}

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the dashboard page`);
  return el;
}

watchTheme(() => {
  colors = readColors();
  dirty.plots = dirty.cameras = dirty.timing = true;
  requestDraw();
});
new ResizeObserver(() => {
  dirty.plots = dirty.timing = true;
  requestDraw();
}).observe(document.body);

bridge.start(receive);
