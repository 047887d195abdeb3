// The frame every joint chart shares: a titled canvas, a value range with margins, a light grid.
import { axisLabel } from './axisScale';
import { CanvasSurface, scale } from './canvasSurface';
import type { DashboardColors } from './theme';

export const PAD = { left: 44, right: 6, top: 16, bottom: 14 };

export function jointCard(title: string, cls: string): { card: HTMLElement; surface: CanvasSurface } {
  const card = document.createElement('div');
  card.className = `plot ${cls}`;
  card.dataset.joint = title;
  const canvas = document.createElement('canvas');
  canvas.className = 'plot-canvas';
  card.append(canvas);
  return { card, surface: new CanvasSurface(canvas) };
}

export interface Axes {
  x: (tick: number) => number;
  y: (value: number) => number;
}

/** Grid, title and y labels (with `unit`); returns the scales for the data. */
export function drawAxes(
  s: CanvasSurface,
  colors: DashboardColors,
  title: string,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  note = '',
  unit = '',
): Axes {
  const { ctx, width, height } = s;
  const x = scale(x0, x1, PAD.left, width - PAD.right);
  const y = scale(y0, y1, height - PAD.bottom, PAD.top);
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  ctx.font = `10px ${colors.font}`;
  ctx.fillStyle = colors.muted;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const v of [y0 + (y1 - y0) * 0.1, (y0 + y1) / 2, y1 - (y1 - y0) * 0.1]) {
    const py = Math.round(y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, py);
    ctx.lineTo(width - PAD.right, py);
    ctx.stroke();
    ctx.fillText(axisLabel(v, y1 - y0, unit), PAD.left - 3, py);
  }
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillStyle = colors.foreground;
  ctx.font = `11px ${colors.font}`;
  ctx.fillText(title, PAD.left, 2);
  if (note) {
    ctx.textAlign = 'right';
    ctx.fillStyle = colors.muted;
    ctx.fillText(note, width - PAD.right, 2);
  }
  ctx.textAlign = 'left';
  ctx.fillStyle = colors.muted;
  ctx.textBaseline = 'bottom';
  ctx.font = `10px ${colors.font}`;
  ctx.fillText(`tick ${Math.round(x0)}`, PAD.left, height);
  ctx.textAlign = 'right';
  ctx.fillText(`${Math.round(x1)}`, width - PAD.right, height);
  return { x, y };
}

/** A polyline through (tick, value) points; NaN values break the line. */
export function polyline(ctx: CanvasRenderingContext2D, axes: Axes, points: Iterable<[number, number]>): void {
  ctx.beginPath();
  let pen = false;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const px = axes.x(t);
    const py = axes.y(v);
    if (pen) ctx.lineTo(px, py);
    else {
      ctx.moveTo(px, py);
      pen = true;
    }
  }
  ctx.stroke();
}

/** One card (title + canvas) per motor in `container`, rebuilt only when the motor list changes. */
export class MotorCards {
  surfaces: CanvasSurface[] = [];
  motors: readonly string[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly cls: string,
  ) {}

  set(motors: readonly string[]): void {
    if (motors.join() === this.motors.join()) return;
    this.motors = motors;
    this.container.replaceChildren();
    this.surfaces = motors.map((m) => {
      const { card, surface } = jointCard(m, this.cls);
      this.container.append(card);
      return surface;
    });
  }
}
