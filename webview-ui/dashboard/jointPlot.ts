// Per joint, the last seconds of measured vs commanded (sent) position; the calibrated range shaded, ticks where
// safety clamped this joint marked with a red triangle, starved ticks (the arm held) as amber bands.
import { withAlpha } from './canvasSurface';
import { axisLabel, plotTitle, valueRange } from './axisScale';
import { drawAxes, MotorCards, polyline } from './plotFrame';
import type { DashboardTick } from '../../src/contracts/dashboardMessages';
import type { TelemetryStore } from './telemetryStore';
import type { DashboardColors } from './theme';

/** Seconds of history shown. */
const WINDOW_S = 10;

export class JointPlots {
  /** Ticks inside the window at the last draw. */
  plotted = 0;

  private readonly cards: MotorCards;

  constructor(container: HTMLElement) {
    this.cards = new MotorCards(container, 'joint-plot');
  }

  setMotors(motors: readonly string[]): void {
    this.cards.set(motors);
  }

  draw(store: TelemetryStore, colors: DashboardColors): void {
    const windowTicks = Math.max(30, Math.round(WINDOW_S * store.fps));
    const ticks = store.ticks.lastN(windowTicks);
    this.plotted = ticks.length;
    const newest = ticks.length > 0 ? ticks[ticks.length - 1].index : 0;
    const x1 = Math.max(newest, windowTicks - 1);
    const x0 = x1 - windowTicks + 1;
    this.cards.motors.forEach((motor, j) => {
      const s = this.cards.surfaces[j];
      if (!s.begin()) return;
      const range = store.ranges?.[j] ?? null;
      const yRange = valueRange(valuesOf(ticks, j), range);
      // No ticks: nothing to plot (the section says so), not an axis over made-up values.
      if (!yRange) return;
      const [y0, y1] = yRange;
      const unit = store.units?.[j] ?? '';
      const last = ticks[ticks.length - 1];
      // Newest measured / commanded, in the legend's order.
      const note = last
        ? `${axisLabel(last.measured[j], 1, unit)} / ${last.sent?.[j] !== undefined ? axisLabel(last.sent[j], 1, unit) : '—'}`
        : '';
      const title = plotTitle(motor, unit);
      // The canvas's name says what the picture shows, units included (screen readers, and tests read it).
      s.canvas.setAttribute('aria-label', `${title}: measured and commanded`);
      const axes = drawAxes(s, colors, title, x0, x1, y0, y1, note, unit);
      const { ctx, height } = s;
      if (range) {
        ctx.fillStyle = withAlpha(colors.measured, 0.08);
        const top = axes.y(range.max);
        ctx.fillRect(axes.x(x0), top, axes.x(x1) - axes.x(x0), axes.y(range.min) - top);
      }
      const w = Math.max(1, axes.x(1) - axes.x(0));
      ctx.fillStyle = withAlpha(colors.starved, 0.22);
      for (const t of ticks) if (t.starved) ctx.fillRect(axes.x(t.index) - w / 2, 14, w, height - 28);
      // Measured first, commanded (dashed) on top: where they coincide the commanded line must stay visible.
      ctx.lineWidth = 2;
      ctx.strokeStyle = colors.measured;
      polyline(
        ctx,
        axes,
        ticks.map((t) => [t.index, t.measured[j]]),
      );
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = colors.sent;
      ctx.setLineDash([5, 3]);
      polyline(
        ctx,
        axes,
        ticks.map((t) => [t.index, t.sent?.[j] ?? NaN]),
      );
      ctx.setLineDash([]);
      ctx.fillStyle = colors.clamp;
      for (const t of ticks) {
        if (!t.clamped.some((c) => c.motor === motor)) continue;
        const px = axes.x(t.index);
        const py = axes.y(t.sent?.[j] ?? t.measured[j]);
        ctx.beginPath();
        ctx.moveTo(px, py - 6);
        ctx.lineTo(px - 4, py + 2);
        ctx.lineTo(px + 4, py + 2);
        ctx.closePath();
        ctx.fill();
      }
    });
  }
}

function* valuesOf(ticks: readonly DashboardTick[], j: number): Iterable<number> {
  for (const t of ticks) {
    yield t.measured[j];
    if (t.sent) yield t.sent[j];
  }
}
