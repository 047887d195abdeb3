// The worm plot: per joint, every predicted action chunk drawn from the tick of its observation forward (newest
// brightest, older ones fading), over the path the arm actually took, with chunk boundaries marked. Where the
// fan and the path part ways is where the policy and the arm disagree — the stutter and the re-anchor sawtooth
// users ask about.
import { withAlpha } from './canvasSurface';
import { plotTitle, valueRange } from './axisScale';
import { drawAxes, MotorCards, polyline } from './plotFrame';
import type { DashboardChunk } from '../../src/contracts/dashboardMessages';
import type { TelemetryStore } from './telemetryStore';
import type { DashboardColors } from './theme';

/** Seconds of the executed past shown left of "now". */
const PAST_S = 5;
/** Chunks drawn at most (older ones are faded out anyway). */
const MAX_CHUNKS = 12;

export class ChunkFan {
  /** Chunks drawn at the last draw. */
  drawnChunks = 0;

  private readonly cards: MotorCards;

  constructor(container: HTMLElement) {
    this.cards = new MotorCards(container, 'fan-plot');
  }

  setMotors(motors: readonly string[]): void {
    this.cards.set(motors);
  }

  draw(store: TelemetryStore, colors: DashboardColors): void {
    const pastTicks = Math.max(30, Math.round(PAST_S * store.fps));
    const ticks = store.ticks.lastN(pastTicks);
    const newest = ticks.length > 0 ? ticks[ticks.length - 1].index : 0;
    const x0 = Math.max(0, newest - pastTicks + 1);
    const chunks: DashboardChunk[] = [];
    for (const c of store.chunks) if (c.observationTick + c.horizon - 1 >= x0) chunks.push(c);
    const shown = chunks.slice(-MAX_CHUNKS);
    this.drawnChunks = shown.length;
    const accepted = shown.filter((c) => c.accepted);
    const newestAccepted = accepted[accepted.length - 1];
    const x1 = Math.max(newest + 1, x0 + 30, ...shown.map((c) => c.observationTick + c.horizon - 1));
    this.cards.motors.forEach((motor, j) => {
      const s = this.cards.surfaces[j];
      if (!s.begin()) return;
      const values: number[] = [];
      for (const t of ticks) values.push(t.measured[j]);
      for (const c of shown) for (let i = 0; i < c.horizon; i++) values.push(c.targets[i * c.dims + j]);
      const yRange = valueRange(values);
      if (!yRange) return;
      const [y0, y1] = yRange;
      const unit = store.units?.[j] ?? '';
      const note = newestAccepted
        ? `chunk #${newestAccepted.requestId} · ${newestAccepted.horizon} steps · ${Math.round(newestAccepted.latencyMs)} ms`
        : '';
      const title = plotTitle(motor, unit);
      // The canvas's name says what the picture shows, units included (screen readers, and tests read it).
      s.canvas.setAttribute('aria-label', `${title}: predicted chunks and executed path`);
      const axes = drawAxes(s, colors, title, x0, x1, y0, y1, note, unit);
      const { ctx, height } = s;
      // Chunk boundaries: where execution moved on to a newer chunk.
      // Full strength: at partial alpha the thin dashes read grey, not the legend's green.
      ctx.strokeStyle = colors.boundary;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      for (const t of ticks) {
        if (!t.chunkBoundary) continue;
        const px = Math.round(axes.x(t.index)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(px, 14);
        ctx.lineTo(px, height - 14);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      // Rough seams (as the episode summary counts them; the threshold comes from the host): a mark atop the boundary.
      ctx.fillStyle = colors.boundary;
      for (const t of ticks) {
        if (t.seamRatio === undefined || t.seamRatio < store.roughSeamRatio) continue;
        const px = Math.round(axes.x(t.index)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(px - 4, 8);
        ctx.lineTo(px + 4, 8);
        ctx.lineTo(px, 14);
        ctx.fill();
      }
      // "Now".
      ctx.strokeStyle = colors.muted;
      const nowX = Math.round(axes.x(newest)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(nowX, 14);
      ctx.lineTo(nowX, height - 14);
      ctx.stroke();
      // The fan: oldest first so the newest lies on top.
      shown.forEach((c, k) => {
        const age = shown.length - 1 - k;
        const alpha = c.accepted ? Math.max(0.14, 1 - age * (0.86 / Math.max(1, MAX_CHUNKS - 1)) * 1.6) : 0.25;
        ctx.strokeStyle = withAlpha(c.accepted ? colors.fan : colors.muted, alpha);
        ctx.lineWidth = c === newestAccepted ? 2.2 : 1.2;
        if (!c.accepted) ctx.setLineDash([3, 3]);
        const pts: [number, number][] = [];
        for (let i = 0; i < c.horizon; i++) pts.push([c.observationTick + i, c.targets[i * c.dims + j]]);
        polyline(ctx, axes, pts);
        ctx.setLineDash([]);
        ctx.fillStyle = withAlpha(colors.fan, alpha);
        ctx.beginPath();
        ctx.arc(axes.x(c.observationTick), axes.y(c.targets[j]), c === newestAccepted ? 3 : 2, 0, Math.PI * 2);
        ctx.fill();
      });
      // The executed path on top: what the arm did.
      ctx.strokeStyle = colors.measured;
      ctx.lineWidth = 2;
      polyline(
        ctx,
        axes,
        ticks.map((t) => [t.index, t.measured[j]]),
      );
      ctx.fillStyle = withAlpha(colors.starved, 0.9);
      for (const t of ticks) if (t.starved) ctx.fillRect(axes.x(t.index) - 1, height - 16, 2, 4);
    });
  }
}
