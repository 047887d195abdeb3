// One camera: its newest frame drawn through ImageData, either as captured or as the policy receives it
// (resized with padding to 224 × 224, openpi's resize_with_pad), with the frame's tick and age.
import type { FrameMode } from '../../src/contracts/dashboardMessages';
import type { ReceivedFrame } from './telemetryStore';

const POLICY_SIZE = 224;

export class CameraView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  /** The frame at its own size; the visible canvas is either this or the padded policy view of it. */
  private readonly source = document.createElement('canvas');
  private rgba: ImageData | undefined;
  private drawnTick = -1;
  private drawnMode: FrameMode | undefined;
  private drawnBehind = 0;
  width = 0;
  height = 0;
  tick = -1;

  constructor(readonly camera: string) {
    this.element = document.createElement('figure');
    this.element.className = 'camera';
    this.element.dataset.camera = camera;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'camera-canvas';
    this.caption = document.createElement('figcaption');
    this.caption.textContent = camera;
    this.element.append(this.canvas, this.caption);
  }

  /** Ticks this tile is behind the newest tile at the last draw (0: the tiles show one tick). */
  get behind(): number {
    return this.drawnBehind;
  }

  /**
   * Draws `received` unless it is the frame already shown in this mode; `behind` > 0 says the tiles could not
   * show one tick (this camera has nothing newer), and the caption says so.
   */
  draw(received: ReceivedFrame, mode: FrameMode, fps: number, behind = 0): void {
    const f = received.frame;
    if (f.tick === this.drawnTick && mode === this.drawnMode && behind === this.drawnBehind) return;
    if (!this.rgba || this.rgba.width !== f.width || this.rgba.height !== f.height) {
      this.rgba = new ImageData(f.width, f.height);
      this.source.width = f.width;
      this.source.height = f.height;
    }
    const out = this.rgba.data;
    const rgb = f.rgb;
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      out[j] = rgb[i];
      out[j + 1] = rgb[i + 1];
      out[j + 2] = rgb[i + 2];
      out[j + 3] = 255;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    if (mode === 'raw') {
      if (this.canvas.width !== f.width || this.canvas.height !== f.height) {
        this.canvas.width = f.width;
        this.canvas.height = f.height;
      }
      ctx.putImageData(this.rgba, 0, 0);
    } else {
      this.source.getContext('2d')?.putImageData(this.rgba, 0, 0);
      if (this.canvas.width !== POLICY_SIZE || this.canvas.height !== POLICY_SIZE) {
        this.canvas.width = POLICY_SIZE;
        this.canvas.height = POLICY_SIZE;
      }
      const k = Math.min(POLICY_SIZE / f.width, POLICY_SIZE / f.height);
      const w = Math.round(f.width * k);
      const h = Math.round(f.height * k);
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, POLICY_SIZE, POLICY_SIZE);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.source, Math.floor((POLICY_SIZE - w) / 2), Math.floor((POLICY_SIZE - h) / 2), w, h);
    }
    this.drawnTick = f.tick;
    this.drawnMode = mode;
    this.drawnBehind = behind;
    this.width = f.width;
    this.height = f.height;
    this.tick = f.tick;
    const size = mode === 'raw' ? `${f.width}×${f.height}` : `${f.width}×${f.height} → ${POLICY_SIZE}×${POLICY_SIZE}`;
    const age = Math.max(0, received.newestTickAtArrival - f.tick);
    this.caption.textContent = `${this.camera} · ${size} · tick ${f.tick} · age ${age} tick${age === 1 ? '' : 's'} (${Math.round((age * 1000) / fps)} ms)`;
    if (behind > 0) {
      const note = document.createElement('span');
      note.className = 'behind';
      note.textContent = ` · ${behind} tick${behind === 1 ? '' : 's'} behind the other camera (no newer frame)`;
      this.caption.append(note);
    }
  }

  get captionText(): string {
    return this.caption.textContent ?? '';
  }

  /** Pixels brighter than near-black, sampled on a grid (tests ask whether anything was drawn). */
  nonBlackPixels(): number {
    const ctx = this.canvas.getContext('2d');
    if (!ctx || this.canvas.width === 0) return 0;
    const data = ctx.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) if (data[i] + data[i + 1] + data[i + 2] > 30) n++;
    return n;
  }
}
