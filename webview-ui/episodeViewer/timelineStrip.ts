// The episode's one timeline: chunk spans as alternating bands, event markers above them (starved, nothing sent,
// notes, chunk arrivals and discards), the divergence tick and the cursor. Click or drag to move the cursor.
import type { TimelineEvent, ViewerEpisode } from '../../src/contracts/episodeViewerMessages';
import type { DashboardColors } from '../dashboard/theme';

const HEIGHT = 44;

export class TimelineStrip {
  private readonly canvas = document.createElement('canvas');
  private episode: ViewerEpisode | undefined;
  private lastTick = 0;
  private cursor = 0;
  private divergence: number | undefined;

  constructor(
    container: HTMLElement,
    private readonly onPick: (tick: number) => void,
  ) {
    this.canvas.className = 'strip';
    this.canvas.title = 'Click or drag to move the cursor';
    container.append(this.canvas);
    let dragging = false;
    const pick = (e: PointerEvent) => {
      const r = this.canvas.getBoundingClientRect();
      this.onPick(Math.round(((e.clientX - r.left) / r.width) * this.lastTick));
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      pick(e);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (dragging) pick(e);
    });
    this.canvas.addEventListener('pointerup', () => {
      dragging = false;
    });
  }

  set(episode: ViewerEpisode, lastTick: number, divergence: number | undefined): void {
    this.episode = episode;
    this.lastTick = Math.max(1, lastTick);
    this.divergence = divergence;
  }

  setCursor(tick: number): void {
    this.cursor = tick;
  }

  /** Events near `tick`, for the cursor panel. */
  eventsAt(tick: number): TimelineEvent[] {
    return this.episode?.events.filter((e) => e.tick <= tick && tick <= e.toTick) ?? [];
  }

  draw(colors: DashboardColors): void {
    const e = this.episode;
    const dpr = devicePixelRatio;
    const w = this.canvas.clientWidth;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    const ctx = this.canvas.getContext('2d');
    if (!ctx || !e) return;
    ctx.scale(dpr, dpr);
    const x = (tick: number) => (tick / this.lastTick) * (w - 1);
    e.spans.forEach((s, i) => {
      ctx.fillStyle = i % 2 === 0 ? colors.measured : colors.boundary;
      ctx.globalAlpha = 0.35;
      ctx.fillRect(x(s.firstTick), 22, Math.max(1, x(s.lastTick + 1) - x(s.firstTick)), 14);
    });
    ctx.globalAlpha = 1;
    const rows: Record<TimelineEvent['kind'], [number, string]> = {
      starved: [2, colors.starved],
      refused: [2, colors.clamp],
      note: [8, colors.warn],
      'chunk-arrival': [14, colors.fan],
      'chunk-discarded': [14, colors.error],
      // What the record kept beside the ticks share the notes' row, each in its colour.
      warning: [8, colors.warn],
      clamp: [8, colors.clamp],
      swap: [8, colors.boundary],
      fault: [8, colors.error],
      reconnect: [8, colors.fan],
    };
    for (const ev of e.events) {
      const [y, color] = rows[ev.kind];
      ctx.fillStyle = color;
      ctx.fillRect(x(ev.tick), y, Math.max(2, x(ev.toTick + 1) - x(ev.tick)), 5);
    }
    if (this.divergence !== undefined) {
      ctx.fillStyle = colors.error;
      ctx.fillRect(x(this.divergence) - 1, 0, 2, HEIGHT);
    }
    ctx.fillStyle = colors.foreground;
    ctx.fillRect(x(this.cursor) - 1, 0, 2, HEIGHT);
  }
}
