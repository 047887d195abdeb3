// The six joint plots (uPlot: cursor synced across them, drag to zoom a range, double-click to zoom out): measured
// and sent (and the policy's rows when recorded) against the tick, in the joint's unit; a compared episode's
// measured joints overlaid; the predictions covering the cursor (the fan, frozen at the cursor) and the replayed
// chunks covering it in their model's colour (the legend names each model), both with their rows on the ticks they
// executed or would have (core/replay/rowAlignment.ts); the cursor and the divergence tick as vertical lines.
import uPlot from 'uplot';
import type { CursorState, ReplayAtTick, ViewerEpisode } from '../../src/contracts/episodeViewerMessages';
import type { DashboardColors } from '../dashboard/theme';
import { replayColor } from './replayColors';

const SYNC_KEY = 'so100-episode';
const HEIGHT = 150;

export class JointCharts {
  private charts: uPlot[] = [];
  private cursorTick = 0;
  private divergenceTick: number | undefined;
  private predictions: CursorState['predictions'] = [];
  private replays: readonly ReplayAtTick[] = [];
  /** Colour per replay model of the built episode. */
  private replayColors = new Map<string, string>();
  private zooming = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly onPick: (tick: number) => void,
  ) {}

  /** Rebuilds the plots for episode a (and b overlaid). */
  build(a: ViewerEpisode, b: ViewerEpisode | undefined, colors: DashboardColors): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.container.textContent = '';
    const width = Math.max(320, this.container.clientWidth - 8);
    this.replayColors = new Map(a.replays.map((r, k) => [r.model, replayColor(colors, k)]));
    // One x axis for both: every tick either episode holds, each series null where its episode has none.
    const ticks = [...new Set([...a.ticks, ...(b?.ticks ?? [])])].sort((x, y) => x - y);
    const align = (e: ViewerEpisode, values: readonly (number | null)[]) => {
      const at = new Map<number, number | null>();
      e.ticks.forEach((t, i) => at.set(t, values[i]));
      return ticks.map((t) => at.get(t) ?? null);
    };
    a.joints.forEach((joint, j) => {
      const series: uPlot.Series[] = [
        { label: 'tick' },
        { label: `measured (${a.label})`, stroke: colors.measured, width: 1.5 },
        { label: 'sent', stroke: colors.sent, width: 1, dash: [4, 3] },
      ];
      const data: (number | null)[][] = [ticks, align(a, a.measured[j]), align(a, a.sent[j])];
      if (a.policy.length > 0) {
        series.push({ label: 'policy', stroke: colors.fan, width: 1 });
        data.push(align(a, a.policy[j]));
      }
      if (b) {
        series.push({ label: `measured (${b.label})`, stroke: colors.boundary, width: 1.5 });
        data.push(align(b, b.measured[j]));
      }
      // Replayed chunks are drawn at the cursor (drawOverlay); these empty series only name them in the legend.
      for (const [model, stroke] of this.replayColors) {
        series.push({ label: `replay ${model}`, stroke, width: 2 });
        data.push(ticks.map(() => null));
      }
      const el = document.createElement('div');
      el.className = 'joint';
      this.container.append(el);
      const chart = new uPlot(
        {
          title: `${joint.name} (${joint.unit})`,
          width,
          height: HEIGHT,
          series,
          scales: { x: { time: false } },
          axes: [
            { stroke: colors.muted, grid: { stroke: colors.grid }, label: 'tick', labelSize: 14, size: 36 },
            { stroke: colors.muted, grid: { stroke: colors.grid }, label: joint.unit, labelSize: 14, size: 50 },
          ],
          cursor: { sync: { key: SYNC_KEY }, drag: { x: true, y: false } },
          legend: { show: j === 0 },
          hooks: {
            draw: [(u) => this.drawOverlay(u, j, colors)],
            setScale: [(u, key) => this.syncZoom(u, key)],
          },
        },
        data as uPlot.AlignedData,
        el,
      );
      // A click (not a drag) on a plot moves the cursor there.
      chart.over.addEventListener('click', () => {
        const idx = chart.cursor.idx;
        if (idx !== null && idx !== undefined && chart.select.width < 2) this.onPick(ticks[idx]);
      });
      this.charts.push(chart);
    });
  }

  setCursor(tick: number): void {
    this.cursorTick = tick;
    this.redraw();
  }

  setPredictions(p: CursorState['predictions']): void {
    this.predictions = p;
    this.redraw();
  }

  /** The colour a replay model is drawn in. */
  colorOf(model: string): string | undefined {
    return this.replayColors.get(model);
  }

  setReplays(r: readonly ReplayAtTick[]): void {
    this.replays = r;
    this.redraw();
  }

  setDivergence(tick: number | undefined): void {
    this.divergenceTick = tick;
    this.redraw();
  }

  private redraw(): void {
    for (const c of this.charts) c.redraw(false, false);
  }

  /** Zooming one plot zooms them all (uPlot syncs the cursor, not the scales). */
  private syncZoom(source: uPlot, key: string): void {
    if (key !== 'x' || this.zooming) return;
    this.zooming = true;
    const { min, max } = source.scales.x;
    for (const c of this.charts)
      if (c !== source && min !== undefined && max !== undefined) c.setScale('x', { min, max });
    this.zooming = false;
  }

  private drawOverlay(u: uPlot, joint: number, colors: DashboardColors): void {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const vline = (tick: number, color: string, dash: number[]) => {
      const x = u.valToPos(tick, 'x', true);
      ctx.save();
      ctx.strokeStyle = color;
      ctx.setLineDash(dash);
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.restore();
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, top, u.bbox.width, height);
    ctx.clip();
    // The fan: every prediction covering the cursor, newest brightest.
    this.predictions.forEach((p, k) => {
      if (!p.actions) return;
      ctx.strokeStyle = colors.fan;
      ctx.globalAlpha = 0.25 + (0.75 * (k + 1)) / this.predictions.length;
      ctx.lineWidth = devicePixelRatio * (p.accepted === false ? 1 : 2);
      ctx.setLineDash(p.accepted === false ? [3, 3] : []);
      ctx.beginPath();
      let started = false;
      p.actions.forEach((row, i) => {
        const v = row[joint];
        const at = p.rowTicks[i];
        if (v === null || v === undefined || at === undefined) return;
        const x = u.valToPos(at, 'x', true);
        const y = u.valToPos(v, 'y', true);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      });
      ctx.stroke();
    });
    // Replayed chunks: each model in its colour, newest brightest, a dot on the row executed at the cursor.
    ctx.setLineDash([]);
    for (const r of this.replays) {
      const color = this.replayColors.get(r.model);
      if (!color) continue;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      r.chunks.forEach((c, k) => {
        const newest = k === r.chunks.length - 1;
        ctx.globalAlpha = 0.3 + (0.7 * (k + 1)) / r.chunks.length;
        ctx.lineWidth = devicePixelRatio * (newest ? 2 : 1);
        ctx.beginPath();
        let started = false;
        c.rowTicks.forEach((t, i) => {
          const v = c.targets[i]?.[joint];
          if (v === null || v === undefined) return;
          const x = u.valToPos(t, 'x', true);
          const y = u.valToPos(v, 'y', true);
          if (started) ctx.lineTo(x, y);
          else ctx.moveTo(x, y);
          started = true;
        });
        ctx.stroke();
        const v = c.row !== undefined ? c.targets[c.row]?.[joint] : undefined;
        if (newest && v !== null && v !== undefined) {
          ctx.beginPath();
          ctx.arc(
            u.valToPos(c.rowTicks[c.row!], 'x', true),
            u.valToPos(v, 'y', true),
            3 * devicePixelRatio,
            0,
            2 * Math.PI,
          );
          ctx.fill();
        }
      });
    }
    ctx.restore();
    if (this.divergenceTick !== undefined) vline(this.divergenceTick, colors.error, [6, 4]);
    vline(this.cursorTick, colors.foreground, []);
  }
}
