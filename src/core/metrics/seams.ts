// Chunk-seam smoothness and tracking lag of an episode, from its rows (live, tick by tick, or from a record).
//
// step(t) = |sent(t) − sent(t−1)| per body joint, in the joint's units (degrees). The seam ratio is the largest step
// at a chunk boundary ÷ the p99 step inside chunks. The same three numbers are kept for the policy's raw rows (what
// it asked for, before the seam remedy and safety): a remedy is judged by how far it lowers the raw seam, not by the
// sent ratio alone, which a rate limiter wins by construction. Two tracking numbers say what the smoothing costs:
// the lag, the shift in ticks by which the sent commands best match the raw rows (least mean squared difference,
// refined between whole ticks by a parabola through the neighbouring shifts), and the tracking error, the mean
// |sent(t) − raw(t)| in degrees over the ticks that have both (a limiter that falls behind shows here even when its
// lag curve is flat). All are computed per body joint and over all body joints (overall, a tick's step and error are
// the largest of the joints'; the overall lag minimises the summed squared difference).
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

/** Seam steps of one command stream (sent, or the policy's raw rows). */
export interface SeamSteps {
  /** Largest step at a chunk boundary; NaN without a measured boundary. */
  readonly maxBoundaryStep: number;
  /** p99 of the steps inside chunks; NaN without any. */
  readonly inChunkP99Step: number;
  /** maxBoundaryStep ÷ inChunkP99Step; NaN when either is missing or the p99 is 0. */
  readonly seamRatio: number;
}

/** Seam steps of the sent commands (top level) and of the raw rows, with how far the first trail the second. */
export interface JointSeams extends SeamSteps {
  readonly joint: string;
  /** The same measured on the policy's raw rows: the seam the policy asked for. */
  readonly raw: SeamSteps;
  /** Ticks the sent command trails the raw rows; NaN without enough rows. */
  readonly lagTicks: number;
  /** Mean |sent − raw| over the ticks with both, degrees; NaN without any. */
  readonly trackingError: number;
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
const N_JOINTS = JOINT_COLUMNS.length;

/** Boundary and in-chunk steps of one stream of body-joint vectors; the one definition of a step for both streams. */
class StepStream {
  readonly inChunk = JOINT_COLUMNS.map(() => new StageSamples());
  /** Per tick, the largest joint step inside chunks. */
  readonly inChunkMax = new StageSamples();
  readonly boundaryMax = new Float64Array(N_JOINTS).fill(NaN);
  worstStep = NaN;
  private prev: Float64Array | null = null;
  private readonly steps = new Float64Array(N_JOINTS);

  /**
   * Adds this tick's vector (absent: nothing was commanded); returns the largest joint step when the tick is a
   * measured boundary (contiguous with a previous vector), else undefined.
   */
  add(v: ArrayLike<number> | undefined, contiguous: boolean, boundary: boolean, inChunk: boolean): number | undefined {
    let result: number | undefined;
    if (v && this.prev && contiguous) {
      let step = 0;
      for (let j = 0; j < N_JOINTS; j++) {
        this.steps[j] = Math.abs(v[JOINT_COLUMNS[j]] - this.prev[j]);
        step = Math.max(step, this.steps[j]);
      }
      if (boundary) {
        for (let j = 0; j < N_JOINTS; j++)
          if (!(this.steps[j] <= this.boundaryMax[j])) this.boundaryMax[j] = this.steps[j];
        if (!(step <= this.worstStep)) this.worstStep = step;
        result = step;
      } else if (inChunk) {
        for (let j = 0; j < N_JOINTS; j++) this.inChunk[j].push(this.steps[j]);
        this.inChunkMax.push(step);
      }
    }
    if (v) {
      this.prev ??= new Float64Array(N_JOINTS);
      for (let j = 0; j < N_JOINTS; j++) this.prev[j] = v[JOINT_COLUMNS[j]];
    } else this.prev = null;
    return result;
  }

  overall(): SeamSteps {
    return stepsOf(this.worstStep, p99(this.inChunkMax.values));
  }

  joint(j: number): SeamSteps {
    return stepsOf(this.boundaryMax[j], p99(this.inChunk[j].values));
  }
}

function stepsOf(maxBoundaryStep: number, inChunkP99Step: number): SeamSteps {
  return { maxBoundaryStep, inChunkP99Step, seamRatio: ratioOf(maxBoundaryStep, inChunkP99Step) };
}

/** Accumulates a SeamReport one tick at a time in bounded memory (percentiles from a bounded sample). */
export class SeamMeter {
  private readonly nJ = N_JOINTS;
  private readonly sent = new StepStream();
  private readonly raw = new StepStream();
  private readonly boundarySteps: { tick: number; step: number }[] = [];
  private boundaries = 0;
  private worstTick = NaN;
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
  /** Per joint: sum of |sent − raw| on the same tick; and of the largest joint's, with the tick count. */
  private readonly sumAbs = new Float64Array(N_JOINTS);
  private sumAbsMax = 0;
  private trackedTicks = 0;

  constructor(readonly maxLag = MAX_LAG_TICKS) {
    this.rawRing = new Float64Array((maxLag + 1) * this.nJ);
    this.rawTick = new Float64Array(maxLag + 1).fill(NaN);
    this.sumSq = new Float64Array((maxLag + 1) * this.nJ);
    this.pairs = new Float64Array(maxLag + 1);
  }

  /**
   * Adds one tick; returns the sent step's ratio to the in-chunk p99 so far when the tick is a measured boundary
   * (the dashboard marks rough ones), else undefined.
   */
  add(row: SeamRow): number | undefined {
    const contiguous = row.tick === this.prevTick + 1;
    const inChunk = !row.starved && !this.prevStarved;
    let ratio: number | undefined;
    const worstBefore = this.sent.worstStep;
    const step = this.sent.add(row.sent, contiguous, row.chunkBoundary, inChunk);
    if (step !== undefined) {
      this.boundaries++;
      if (!(step <= worstBefore)) this.worstTick = row.tick;
      this.boundarySteps.push({ tick: row.tick, step });
      if (this.boundarySteps.length > 4096) this.boundarySteps.shift();
      ratio = step / this.liveP99();
    }
    this.raw.add(row.starved ? undefined : row.raw, contiguous, row.chunkBoundary, inChunk);
    this.prevTick = row.tick;
    this.prevStarved = row.starved;
    this.addLagPairs(row);
    return ratio;
  }

  /** The in-chunk p99 so far, re-sorted only when the sample grew by a tenth (boundaries come every few ticks). */
  private liveP99(): number {
    const n = this.sent.inChunkMax.count;
    if (n > this.cachedAt * 1.1 || n - this.cachedAt > 50) {
      this.cachedP99 = p99(this.sent.inChunkMax.values);
      this.cachedAt = n;
    }
    return this.cachedP99;
  }

  report(): SeamReport {
    const overall = this.sent.overall();
    const lagCurve = new Float64Array(this.maxLag + 1);
    for (let s = 0; s <= this.maxLag; s++) {
      let sum = 0;
      for (let j = 0; j < this.nJ; j++) sum += this.sumSq[s * this.nJ + j];
      lagCurve[s] = this.pairs[s] > 0 ? sum / this.pairs[s] : NaN;
    }
    const tracked = (sum: number) => (this.trackedTicks > 0 ? sum / this.trackedTicks : NaN);
    const perJoint = SO100_BODY_MOTORS.map((joint, j): JointSeams => {
      const curve = new Float64Array(this.maxLag + 1);
      for (let s = 0; s <= this.maxLag; s++)
        curve[s] = this.pairs[s] > 0 ? this.sumSq[s * this.nJ + j] / this.pairs[s] : NaN;
      return {
        joint,
        ...this.sent.joint(j),
        raw: this.raw.joint(j),
        lagTicks: bestShift(curve),
        trackingError: tracked(this.sumAbs[j]),
      };
    });
    const rough = this.boundarySteps.filter((b) => b.step >= ROUGH_SEAM_RATIO * overall.inChunkP99Step).length;
    return {
      ...overall,
      raw: this.raw.overall(),
      lagTicks: bestShift(lagCurve),
      trackingError: tracked(this.sumAbsMax),
      boundaries: this.boundaries,
      roughSeams: Number.isFinite(overall.inChunkP99Step) ? rough : 0,
      worstBoundaryTick: this.worstTick,
      perJoint,
    };
  }

  /** Pairs sent(t) with raw(t − s) for every shift s whose raw row is still in the ring; sums |sent(t) − raw(t)|. */
  private addLagPairs(row: SeamRow): void {
    const size = this.maxLag + 1;
    const slot = ((row.tick % size) + size) % size;
    if (row.raw) {
      for (let j = 0; j < this.nJ; j++) this.rawRing[slot * this.nJ + j] = row.raw[JOINT_COLUMNS[j]];
      this.rawTick[slot] = row.tick;
    } else this.rawTick[slot] = NaN;
    const { sent } = row;
    if (!sent || row.starved) return;
    if (row.raw) {
      let worst = 0;
      for (let j = 0; j < this.nJ; j++) {
        const d = Math.abs(sent[JOINT_COLUMNS[j]] - row.raw[JOINT_COLUMNS[j]]);
        this.sumAbs[j] += d;
        worst = Math.max(worst, d);
      }
      this.sumAbsMax += worst;
      this.trackedTicks++;
    }
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
