// Chunk-seam smoothness and tracking lag of an episode, from its rows (live, tick by tick, or from a record).
//
// step(t) = |sent(t) − sent(t−1)| per body joint, in the joint's units (degrees). The seam ratio is the largest step
// at a chunk boundary ÷ the p99 step inside chunks; the tracking lag is the shift, in ticks, by which the sent
// commands best match the policy's raw rows (least mean squared difference, refined between whole ticks by a
// parabola through the neighbouring shifts). Both are computed per body joint and over all body joints (the
// overall step is the largest of the joints' steps; the overall lag minimises the summed squared difference).
// The gripper is left out: its units are percent and its open/close moves are steps by design.
import { StageSamples } from '../timing/stageSamples';
import { SO100_BODY_MOTORS, SO100_MOTORS } from '../so100/motors';

/** A boundary step this many times the in-chunk p99 or more is marked as a rough seam. */
export const ROUGH_SEAM_RATIO = 1.5;
/** Shifts tried for the lag, 0 … this many ticks. */
export const MAX_LAG_TICKS = 12;

/** One tick of an episode; vectors are in motor order (SO100_MOTORS). */
export interface SeamRow {
  readonly tick: number;
  /** What was written to the servos; absent when nothing was. */
  readonly sent?: ArrayLike<number>;
  /** The policy's row for this tick as it came (before any blending or smoothing); absent when starved. */
  readonly raw?: ArrayLike<number>;
  readonly chunkBoundary: boolean;
  readonly starved: boolean;
}

export interface JointSeams {
  readonly joint: string;
  /** Largest step at a chunk boundary; NaN without a measured boundary. */
  readonly maxBoundaryStep: number;
  /** p99 of the steps inside chunks; NaN without any. */
  readonly inChunkP99Step: number;
  /** maxBoundaryStep ÷ inChunkP99Step; NaN when either is missing or the p99 is 0. */
  readonly seamRatio: number;
  /** Ticks the sent command trails the raw rows; NaN without enough rows. */
  readonly lagTicks: number;
}

export interface SeamReport extends Omit<JointSeams, 'joint'> {
  /** Boundaries measured (a boundary needs a sent command on the tick before). */
  readonly boundaries: number;
  /** Boundaries whose step is at least ROUGH_SEAM_RATIO × the in-chunk p99. */
  readonly roughSeams: number;
  /** Tick of the largest boundary step; NaN without one. */
  readonly worstBoundaryTick: number;
  readonly perJoint: readonly JointSeams[];
}

const JOINT_COLUMNS = SO100_BODY_MOTORS.map((m) => SO100_MOTORS.indexOf(m));

/** Accumulates a SeamReport one tick at a time in bounded memory (percentiles from a bounded sample). */
export class SeamMeter {
  private readonly nJ = JOINT_COLUMNS.length;
  private readonly inChunk = JOINT_COLUMNS.map(() => new StageSamples());
  private readonly inChunkMax = new StageSamples();
  private readonly boundaryMax = new Float64Array(this.nJ).fill(NaN);
  private readonly boundarySteps: { tick: number; step: number }[] = [];
  private boundaries = 0;
  private worstStep = NaN;
  private worstTick = NaN;
  private prevSent: Float64Array | null = null;
  private prevTick = -Infinity;
  private prevStarved = true;
  private cachedP99 = NaN;
  private cachedAt = 0;
  /** Raw rows of the last MAX_LAG_TICKS + 1 ticks, by tick modulo the ring size (NaN = none). */
  private readonly rawRing: Float64Array;
  private readonly rawTick: Float64Array;
  /** Per shift s and joint: sum of squared differences and pair count. */
  private readonly sumSq: Float64Array;
  private readonly pairs: Float64Array;

  constructor(readonly maxLag = MAX_LAG_TICKS) {
    this.rawRing = new Float64Array((maxLag + 1) * this.nJ);
    this.rawTick = new Float64Array(maxLag + 1).fill(NaN);
    this.sumSq = new Float64Array((maxLag + 1) * this.nJ);
    this.pairs = new Float64Array(maxLag + 1);
  }

  /**
   * Adds one tick; returns the step's ratio to the in-chunk p99 so far when the tick is a measured boundary (the
   * dashboard marks rough ones), else undefined.
   */
  add(row: SeamRow): number | undefined {
    const { sent } = row;
    let ratio: number | undefined;
    const contiguous = row.tick === this.prevTick + 1;
    if (sent && this.prevSent && contiguous) {
      let step = 0;
      const steps = new Float64Array(this.nJ);
      for (let j = 0; j < this.nJ; j++) {
        steps[j] = Math.abs(sent[JOINT_COLUMNS[j]] - this.prevSent[j]);
        step = Math.max(step, steps[j]);
      }
      if (row.chunkBoundary) {
        this.boundaries++;
        for (let j = 0; j < this.nJ; j++) if (!(steps[j] <= this.boundaryMax[j])) this.boundaryMax[j] = steps[j];
        if (!(step <= this.worstStep)) {
          this.worstStep = step;
          this.worstTick = row.tick;
        }
        this.boundarySteps.push({ tick: row.tick, step });
        if (this.boundarySteps.length > 4096) this.boundarySteps.shift();
        ratio = step / this.liveP99();
      } else if (!row.starved && !this.prevStarved) {
        for (let j = 0; j < this.nJ; j++) this.inChunk[j].push(steps[j]);
        this.inChunkMax.push(step);
      }
    }
    if (sent) {
      this.prevSent ??= new Float64Array(this.nJ);
      for (let j = 0; j < this.nJ; j++) this.prevSent[j] = sent[JOINT_COLUMNS[j]];
    } else this.prevSent = null;
    this.prevTick = row.tick;
    this.prevStarved = row.starved;
    this.addLagPairs(row);
    return ratio;
  }

  /** The in-chunk p99 so far, re-sorted only when the sample grew by a tenth (boundaries come every few ticks). */
  private liveP99(): number {
    const n = this.inChunkMax.count;
    if (n > this.cachedAt * 1.1 || n - this.cachedAt > 50) {
      this.cachedP99 = p99(this.inChunkMax.values);
      this.cachedAt = n;
    }
    return this.cachedP99;
  }

  report(): SeamReport {
    const overallP99 = p99(this.inChunkMax.values);
    const lagCurve = new Float64Array(this.maxLag + 1);
    for (let s = 0; s <= this.maxLag; s++) {
      let sum = 0;
      for (let j = 0; j < this.nJ; j++) sum += this.sumSq[s * this.nJ + j];
      lagCurve[s] = this.pairs[s] > 0 ? sum / this.pairs[s] : NaN;
    }
    const perJoint = SO100_BODY_MOTORS.map((joint, j): JointSeams => {
      const curve = new Float64Array(this.maxLag + 1);
      for (let s = 0; s <= this.maxLag; s++)
        curve[s] = this.pairs[s] > 0 ? this.sumSq[s * this.nJ + j] / this.pairs[s] : NaN;
      const inChunkP99Step = p99(this.inChunk[j].values);
      const maxBoundaryStep = this.boundaryMax[j];
      return {
        joint,
        maxBoundaryStep,
        inChunkP99Step,
        seamRatio: ratioOf(maxBoundaryStep, inChunkP99Step),
        lagTicks: bestShift(curve),
      };
    });
    const rough = this.boundarySteps.filter((b) => b.step >= ROUGH_SEAM_RATIO * overallP99).length;
    return {
      maxBoundaryStep: this.worstStep,
      inChunkP99Step: overallP99,
      seamRatio: ratioOf(this.worstStep, overallP99),
      lagTicks: bestShift(lagCurve),
      boundaries: this.boundaries,
      roughSeams: Number.isFinite(overallP99) ? rough : 0,
      worstBoundaryTick: this.worstTick,
      perJoint,
    };
  }

  /** Pairs sent(t) with raw(t − s) for every shift s whose raw row is still in the ring. */
  private addLagPairs(row: SeamRow): void {
    const size = this.maxLag + 1;
    const slot = ((row.tick % size) + size) % size;
    if (row.raw) {
      for (let j = 0; j < this.nJ; j++) this.rawRing[slot * this.nJ + j] = row.raw[JOINT_COLUMNS[j]];
      this.rawTick[slot] = row.tick;
    } else this.rawTick[slot] = NaN;
    const { sent } = row;
    if (!sent || row.starved) return;
    for (let s = 0; s <= this.maxLag; s++) {
      const t = row.tick - s;
      const k = ((t % size) + size) % size;
      if (this.rawTick[k] !== t) continue;
      this.pairs[s]++;
      for (let j = 0; j < this.nJ; j++) {
        const d = sent[JOINT_COLUMNS[j]] - this.rawRing[k * this.nJ + j];
        this.sumSq[s * this.nJ + j] += d * d;
      }
    }
  }
}

/** The seam report of a whole episode's rows (a record read back, an evaluation's episodes). */
export function measureSeams(rows: Iterable<SeamRow>, maxLag = MAX_LAG_TICKS): SeamReport {
  const meter = new SeamMeter(maxLag);
  for (const r of rows) meter.add(r);
  return meter.report();
}

function ratioOf(a: number, b: number): number {
  return Number.isFinite(a) && b > 0 ? a / b : NaN;
}

/** The 99th percentile (nearest rank) of `values`; NaN when empty. */
export function p99(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
}

/** The shift with the least error, refined between whole ticks by a parabola through its neighbours. */
function bestShift(curve: Float64Array): number {
  let best = -1;
  for (let s = 0; s < curve.length; s++)
    if (Number.isFinite(curve[s]) && (best < 0 || curve[s] < curve[best])) best = s;
  if (best < 0) return NaN;
  if (best === 0 || best === curve.length - 1) return best;
  const [a, b, c] = [curve[best - 1], curve[best], curve[best + 1]];
  const denom = a - 2 * b + c;
  if (!Number.isFinite(denom) || denom <= 0) return best;
  return best + (0.5 * (a - c)) / denom;
}
