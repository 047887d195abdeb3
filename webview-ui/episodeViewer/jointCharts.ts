// The six joint plots (uPlot: cursor synced across them, drag to zoom a range, double-click to zoom out): measured
// and sent (and the policy's rows when recorded) against the tick, in the joint's unit; a compared episode's
// measured joints overlaid; the predictions covering the cursor drawn from their observation tick (the fan,
// frozen at the cursor), the cursor and the divergence tick as vertical lines.
import uPlot from 'uplot';
import type { CursorState, ViewerEpisode } from '../../src/contracts/episodeViewerMessages';
import type { DashboardColors } from '../dashboard/theme';

const SYNC_KEY = 'so100-episode';
const HEIGHT = 150;

export class JointCharts {
  private charts: uPlot[] = [];
  private cursorTick = 0;
  private divergenceTick: number | undefined;
  private predictions: CursorState['predictions'] = [];
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
        { label: `measured (${a.name})`, stroke: colors.measured, width: 1.5 },
        { label: 'sent', stroke: colors.sent, width: 1, dash: [4, 3] },
      ];
      const data: (number | null)[][] = [ticks, align(a, a.measured[j]), align(a, a.sent[j])];
      if (a.policy.length > 0) {
        series.push({ label: 'policy', stroke: colors.fan, width: 1 });
        data.push(align(a, a.policy[j]));
      }
      if (b) {
        series.push({ label: `measured (${b.name})`, stroke: colors.boundary, width: 1.5 });
        data.push(align(b, b.measured[j]));
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
        if (v === null || v === undefined) return;
        const x = u.valToPos(p.observationTick + i, 'x', true);
        const y = u.valToPos(v, 'y', true);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      });
      ctx.stroke();
    });
    ctx.restore();
    if (this.divergenceTick !== undefined) vline(this.divergenceTick, colors.error, [6, 4]);
    vline(this.cursorTick, colors.foreground, []);
  }
}
