// Stacked bars of stage times, newest right, scaled to the bars (not to the budget: 60 ms bars under an 833 ms
// budget would be slivers), with the budget as a line when it is on the scale and as a labelled mark at the top when
// it is far above; a bar over budget gets a red cap. Two of them: the loop's own stages for every tick, and the
// policy requests (one bar per chunk received).
import { axisLabel, barTop } from './axisScale';
import { CanvasSurface, scale, withAlpha } from './canvasSurface';
import type { DashboardColors } from './theme';

const PAD = { left: 44, right: 6, top: 16, bottom: 4 };

export interface WaterfallSpec {
  readonly title: string;
  readonly stages: readonly string[];
  /** The stage that is the whole; the rest of it beyond the listed stages is drawn as "other". */
  readonly total: string;
  /** Colour of the part of a bar no listed stage explains (default: muted, labelled "other"). */
  readonly restColor?: (colors: DashboardColors) => string;
  readonly restLabel?: string;
}

/** One bar: stage → ms. */
export interface WaterfallRow {
  readonly stageMs: Readonly<Record<string, number>>;
}

export class TimingWaterfall {
  private readonly surface: CanvasSurface;
  /** Bars drawn at the last draw. */
  bars = 0;
  /** The top of the y axis at the last draw, ms. */
  topMs = 0;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly spec: WaterfallSpec,
  ) {
    this.surface = new CanvasSurface(canvas);
  }

  draw(ticks: readonly WaterfallRow[], budgetMs: number, colors: DashboardColors): void {
    const s = this.surface;
    if (!s.begin()) return;
    const { ctx, width, height } = s;
    const maxBars = Math.max(10, Math.floor((width - PAD.left - PAD.right) / 4));
    const rows = ticks.filter((t) => t.stageMs[this.spec.total] !== undefined).slice(-maxBars);
    this.bars = rows.length;
    const { top, budgetShown } = barTop(
      rows.map((t) => t.stageMs[this.spec.total] ?? 0),
      budgetMs,
    );
    this.topMs = top;
    const y = scale(0, top, height - PAD.bottom, PAD.top);
    const barW = (width - PAD.left - PAD.right) / maxBars;
    const rest = this.spec.restColor?.(colors) ?? withAlpha(colors.muted, 0.45);
    ctx.font = `10px ${colors.font}`;
    rows.forEach((t, i) => {
      const x = PAD.left + i * barW;
      let acc = 0;
      this.spec.stages.forEach((stage, k) => {
        const ms = t.stageMs[stage] ?? 0;
        if (ms <= 0) return;
        ctx.fillStyle = colors.stages[k % colors.stages.length];
        ctx.fillRect(x, y(acc + ms), Math.max(1, barW - 1), y(acc) - y(acc + ms));
        acc += ms;
      });
      const total = t.stageMs[this.spec.total] ?? acc;
      if (total > acc) {
        ctx.fillStyle = rest;
        ctx.fillRect(x, y(total), Math.max(1, barW - 1), y(acc) - y(total));
      }
      if (total > budgetMs) {
        ctx.fillStyle = colors.error;
        ctx.fillRect(x, y(total) - 2, Math.max(1, barW - 1), 2);
      }
    });
    // Budget: a line when it is on the scale, else a mark at the top saying how far above it is.
    const budgetText = `budget ${axisLabel(budgetMs, budgetMs < 100 ? 1 : 100, 'ms')}`;
    ctx.fillStyle = colors.error;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    if (budgetShown) {
      const by = Math.round(y(budgetMs)) + 0.5;
      ctx.strokeStyle = colors.error;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(PAD.left, by);
      ctx.lineTo(width - PAD.right, by);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillText(budgetText, width - PAD.right, by - 2);
    } else {
      ctx.textBaseline = 'top';
      ctx.fillText(`↑ ${budgetText} (off scale)`, width - PAD.right, PAD.top);
    }
    ctx.fillStyle = colors.muted;
    ctx.textBaseline = 'middle';
    ctx.fillText('0 ms', PAD.left - 3, height - PAD.bottom - 4);
    ctx.fillText(axisLabel(top, top, 'ms'), PAD.left - 3, PAD.top + 4);
    // Title and legend.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = colors.foreground;
    ctx.font = `11px ${colors.font}`;
    let lx = PAD.left;
    ctx.fillText(this.spec.title, lx, 1);
    lx += ctx.measureText(this.spec.title).width + 12;
    ctx.font = `10px ${colors.font}`;
    [...this.spec.stages, this.spec.restLabel ?? 'other'].forEach((stage, k) => {
      ctx.fillStyle = k < this.spec.stages.length ? colors.stages[k % colors.stages.length] : rest;
      ctx.fillRect(lx, 3, 8, 8);
      ctx.fillStyle = colors.muted;
      ctx.fillText(stage, lx + 11, 2);
      lx += ctx.measureText(stage).width + 22;
    });
  }
}
