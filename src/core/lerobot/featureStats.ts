// Per-feature statistics as LeRobot stores them (meta/stats.json, and stats/<feature>/<stat> columns of the
// episodes table): min, max, mean, std, count and the q01…q99 quantiles, each a list shaped like the feature.
// Numbers are computed exactly over every frame; images per channel from a 256-bin histogram (values in [0, 1]),
// so frames stream through one at a time.

export const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.99] as const;
export const STAT_NAMES = ['min', 'max', 'mean', 'std', 'count', 'q01', 'q10', 'q50', 'q90', 'q99'] as const;
export type StatName = (typeof STAT_NAMES)[number];

/** One feature's statistics; every value a flat list (images: 3 values, stored shaped (3,1,1)). */
export type FeatureStats = Record<StatName, number[]>;

/** numpy's default (linear) quantile of sorted values. */
function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Stats of `rows` vectors of `width` values stored row-major in `values`. */
export function vectorStats(values: ArrayLike<number>, width: number): FeatureStats {
  const rows = width === 0 ? 0 : Math.floor(values.length / width);
  const out: FeatureStats = {
    min: [],
    max: [],
    mean: [],
    std: [],
    count: [rows],
    q01: [],
    q10: [],
    q50: [],
    q90: [],
    q99: [],
  };
  const column = new Float64Array(rows);
  for (let d = 0; d < width; d++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      column[r] = values[r * width + d];
      sum += column[r];
    }
    const mean = rows > 0 ? sum / rows : Number.NaN;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (column[r] - mean) ** 2;
    column.sort();
    out.min.push(column[0]);
    out.max.push(column[rows - 1]);
    out.mean.push(mean);
    out.std.push(rows > 0 ? Math.sqrt(sq / rows) : Number.NaN);
    out.q01.push(quantileSorted(column, 0.01));
    out.q10.push(quantileSorted(column, 0.1));
    out.q50.push(quantileSorted(column, 0.5));
    out.q90.push(quantileSorted(column, 0.9));
    out.q99.push(quantileSorted(column, 0.99));
  }
  return out;
}

/** RGB statistics accumulated frame by frame; values reported in [0, 1] like LeRobot's image stats. */
export class ImageStatsAccumulator {
  private readonly histogram = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  private frames = 0;

  /** Adds one rgb24 frame; `stride` > 1 samples every stride-th pixel (same weight for each channel). */
  add(rgb: Uint8Array, stride = 1): void {
    const step = 3 * Math.max(1, Math.floor(stride));
    const [r, g, b] = this.histogram;
    for (let i = 0; i + 2 < rgb.length; i += step) {
      r[rgb[i]]++;
      g[rgb[i + 1]]++;
      b[rgb[i + 2]]++;
    }
    this.frames++;
  }

  merge(other: ImageStatsAccumulator): void {
    for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) this.histogram[c][v] += other.histogram[c][v];
    this.frames += other.frames;
  }

  stats(): FeatureStats {
    const out: FeatureStats = {
      min: [],
      max: [],
      mean: [],
      std: [],
      count: [this.frames],
      q01: [],
      q10: [],
      q50: [],
      q90: [],
      q99: [],
    };
    for (const h of this.histogram) {
      let n = 0;
      let sum = 0;
      let sq = 0;
      let min = -1;
      let max = -1;
      for (let v = 0; v < 256; v++) {
        if (h[v] === 0) continue;
        if (min < 0) min = v;
        max = v;
        n += h[v];
        sum += h[v] * v;
        sq += h[v] * v * v;
      }
      const mean = n > 0 ? sum / n : Number.NaN;
      out.min.push(min / 255);
      out.max.push(max / 255);
      out.mean.push(mean / 255);
      out.std.push(Math.sqrt(Math.max(0, sq / n - mean * mean)) / 255);
      const quantile = (q: number) => {
        const target = q * n;
        let acc = 0;
        for (let v = 0; v < 256; v++) {
          acc += h[v];
          if (acc >= target && h[v] > 0) return v / 255;
        }
        return max / 255;
      };
      out.q01.push(quantile(0.01));
      out.q10.push(quantile(0.1));
      out.q50.push(quantile(0.5));
      out.q90.push(quantile(0.9));
      out.q99.push(quantile(0.99));
    }
    return out;
  }
}

/**
 * Stats of a union of parts from the parts' stats, the way LeRobot aggregates episode stats: min, max, count,
 * mean and (population) std exactly; quantiles as the count-weighted mean of the parts' quantiles. The export
 * keeps one episode's rows at a time and an append never rereads old rows, so dataset stats come from here.
 */
export function mergeFeatureStats(parts: readonly FeatureStats[]): FeatureStats {
  if (parts.length === 0) throw new Error('no stats to merge');
  const counts = parts.map((p) => p.count[0]);
  const total = counts.reduce((a, b) => a + b, 0);
  const width = parts[0].mean.length;
  const out: FeatureStats = {
    min: [],
    max: [],
    mean: [],
    std: [],
    count: [total],
    q01: [],
    q10: [],
    q50: [],
    q90: [],
    q99: [],
  };
  const weighted = (pick: (p: FeatureStats) => number) =>
    parts.reduce((acc, p, k) => acc + counts[k] * pick(p), 0) / total;
  for (let d = 0; d < width; d++) {
    out.min.push(Math.min(...parts.map((p) => p.min[d])));
    out.max.push(Math.max(...parts.map((p) => p.max[d])));
    const mean = weighted((p) => p.mean[d]);
    out.mean.push(mean);
    out.std.push(
      Math.sqrt(
        Math.max(
          0,
          weighted((p) => p.std[d] ** 2 + (p.mean[d] - mean) ** 2),
        ),
      ),
    );
    for (const q of ['q01', 'q10', 'q50', 'q90', 'q99'] as const) out[q].push(weighted((p) => p[q][d]));
  }
  return out;
}

/** Image stats are stored shaped (3, 1, 1): [[[r]], [[g]], [[b]]]; count stays [n]. */
export function imageStatsForJson(stats: FeatureStats): Record<string, unknown> {
  return Object.fromEntries(
    STAT_NAMES.map((k) => [k, k === 'count' ? stats[k] : stats[k].map((v) => [[v]])]),
  ) as Record<string, unknown>;
}

/** Back from stats.json: image stats shaped (3, 1, 1) or vectors, to flat lists. */
export function statsFromJson(json: Record<string, unknown>): FeatureStats {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flat(3).map(Number) : [Number(v)]);
  return Object.fromEntries(STAT_NAMES.map((k) => [k, flat(json[k])])) as FeatureStats;
}
