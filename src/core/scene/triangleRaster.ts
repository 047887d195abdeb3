// A tiny z-buffered triangle rasteriser: triangles in camera space (x right, y down, z forward, metres), clipped
// at a near plane, flat colour per triangle, written into a caller's RGB (HWC) buffer. Depth is kept as 1/z,
// which interpolates linearly across the screen. Scratch storage is reused; nothing is allocated per triangle.

/** Closest distance in front of the camera that is drawn, metres. */
const NEAR = 0.005;

/** Draws into one image at a time; `begin` binds the image, depth buffer and focal length. */
export class TriangleRaster {
  private rgb: Uint8Array = new Uint8Array(0);
  private invDepth: Float32Array = new Float32Array(0);
  private width = 0;
  private height = 0;
  private focal = 1;
  // Up to 4 clipped vertices × (x, y, z), and their screen projections (x, y, 1/z).
  private readonly input = new Float64Array(9);
  private readonly clipped = new Float64Array(12);
  private readonly screen = new Float64Array(12);

  /** Binds the target: `rgb` holds width × height × 3 bytes, `invDepth` width × height (already cleared). */
  begin(rgb: Uint8Array, invDepth: Float32Array, width: number, height: number, focal: number): void {
    this.rgb = rgb;
    this.invDepth = invDepth;
    this.width = width;
    this.height = height;
    this.focal = focal;
  }

  /**
   * Draws one triangle with a flat colour: vertices i0, i1, i2 of `points` (x, y, z triples in camera space), colour
   * channels 0–255. Vertices go by index, not as numbers: every double passed to a call V8 does not inline is boxed,
   * and at twelve per triangle that was most of what a rendered frame allocated.
   */
  triangle(points: Float64Array, i0: number, i1: number, i2: number, r: number, g: number, b: number): void {
    const v = this.input;
    for (let k = 0; k < 3; k++) {
      v[k] = points[i0 * 3 + k];
      v[3 + k] = points[i1 * 3 + k];
      v[6 + k] = points[i2 * 3 + k];
    }
    if (v[2] < NEAR && v[5] < NEAR && v[8] < NEAR) return;
    const n = this.clipNear();
    const s = this.screen;
    const c = this.clipped;
    const hw = this.width / 2;
    const hh = this.height / 2;
    for (let i = 0; i < n; i++) {
      const w = 1 / c[i * 3 + 2];
      s[i * 3] = hw + this.focal * c[i * 3] * w;
      s[i * 3 + 1] = hh + this.focal * c[i * 3 + 1] * w;
      s[i * 3 + 2] = w;
    }
    // Whole channel values: a Uint8Array store truncates anyway, and small integers are passed unboxed.
    for (let i = 1; i + 1 < n; i++) this.fill(0, i, i + 1, r | 0, g | 0, b | 0);
  }

  /** Sutherland–Hodgman of `input` against z = NEAR; returns the vertex count (0, 3 or 4) left in `clipped`. */
  private clipNear(): number {
    const v = this.input;
    const out = this.clipped;
    let n = 0;
    for (let i = 0; i < 3; i++) {
      const j = (i + 1) % 3;
      const zi = v[i * 3 + 2];
      const zj = v[j * 3 + 2];
      if (zi >= NEAR) {
        out[n * 3] = v[i * 3];
        out[n * 3 + 1] = v[i * 3 + 1];
        out[n * 3 + 2] = zi;
        n++;
      }
      if (zi >= NEAR !== zj >= NEAR) {
        const t = (NEAR - zi) / (zj - zi);
        out[n * 3] = v[i * 3] + t * (v[j * 3] - v[i * 3]);
        out[n * 3 + 1] = v[i * 3 + 1] + t * (v[j * 3 + 1] - v[i * 3 + 1]);
        out[n * 3 + 2] = NEAR;
        n++;
      }
    }
    return n;
  }

  /** Fills the screen triangle of `screen` vertices p0, p1, p2 (x, y, 1/z) where it is nearer than the depth buffer. */
  private fill(p0: number, p1: number, p2: number, r: number, g: number, b: number): void {
    const s = this.screen;
    const x0 = s[p0 * 3],
      y0 = s[p0 * 3 + 1],
      w0 = s[p0 * 3 + 2];
    const x1 = s[p1 * 3],
      y1 = s[p1 * 3 + 1],
      w1 = s[p1 * 3 + 2];
    const x2 = s[p2 * 3],
      y2 = s[p2 * 3 + 1],
      w2 = s[p2 * 3 + 2];
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(area) < 1e-9) return;
    const inv = 1 / area;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    const maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1, y2)));
    if (minX > maxX || minY > maxY) return;
    // Barycentric weights (edge functions / area) and their change per pixel step in x.
    const d0 = -(y2 - y1) * inv;
    const d1 = -(y0 - y2) * inv;
    const d2 = -(y1 - y0) * inv;
    const width = this.width;
    const rgb = this.rgb;
    const depth = this.invDepth;
    for (let py = minY; py <= maxY; py++) {
      const sy = py + 0.5;
      const sx = minX + 0.5;
      let b0 = ((x2 - x1) * (sy - y1) - (y2 - y1) * (sx - x1)) * inv;
      let b1 = ((x0 - x2) * (sy - y2) - (y0 - y2) * (sx - x2)) * inv;
      let b2 = ((x1 - x0) * (sy - y0) - (y1 - y0) * (sx - x0)) * inv;
      // Narrow the row to the pixels where every weight is ≥ 0 (each weight is linear in x), so the cost follows
      // the covered area rather than the bounding box.
      let from = 0;
      let to = maxX - minX;
      if (d0 > 0) from = Math.max(from, Math.ceil(-b0 / d0 - 1e-9));
      else if (d0 < 0) to = Math.min(to, Math.floor(b0 / -d0 + 1e-9));
      else if (b0 < 0) continue;
      if (d1 > 0) from = Math.max(from, Math.ceil(-b1 / d1 - 1e-9));
      else if (d1 < 0) to = Math.min(to, Math.floor(b1 / -d1 + 1e-9));
      else if (b1 < 0) continue;
      if (d2 > 0) from = Math.max(from, Math.ceil(-b2 / d2 - 1e-9));
      else if (d2 < 0) to = Math.min(to, Math.floor(b2 / -d2 + 1e-9));
      else if (b2 < 0) continue;
      if (from > to) continue;
      b0 += d0 * from;
      b1 += d1 * from;
      b2 += d2 * from;
      let idx = py * width + minX + from;
      for (let px = minX + from; px <= minX + to; px++, idx++, b0 += d0, b1 += d1, b2 += d2) {
        if (b0 < 0 || b1 < 0 || b2 < 0) continue;
        const w = b0 * w0 + b1 * w1 + b2 * w2;
        if (w <= depth[idx]) continue;
        depth[idx] = w;
        const o = idx * 3;
        rgb[o] = r;
        rgb[o + 1] = g;
        rgb[o + 2] = b;
      }
    }
  }
}
