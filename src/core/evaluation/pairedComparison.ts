// Two models on the same seeds: the exact McNemar test on the discordant seeds and the difference of success rates
// with Newcombe's interval for paired proportions (method 10 of Newcombe 1998: Wilson intervals of both rates,
// combined with the correlation of the pairs). Both use only the 2 × 2 table of outcomes per seed.
import { type Interval, Z95, wilsonInterval } from './wilsonInterval';

/** Outcomes of two models A and B on the seeds both ran. */
export interface PairedTable {
  /** Seeds where both succeeded. */
  readonly both: number;
  /** Seeds where only A succeeded (McNemar's b). */
  readonly onlyA: number;
  /** Seeds where only B succeeded (McNemar's c). */
  readonly onlyB: number;
  /** Seeds where neither succeeded. */
  readonly neither: number;
}

/** The 2 × 2 table from per-seed outcomes of A and B (same length, same seed order). */
export function pairedTable(a: readonly boolean[], b: readonly boolean[]): PairedTable {
  if (a.length !== b.length) throw new RangeError(`A has ${a.length} outcomes and B ${b.length}; pair them by seed`);
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let neither = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    else if (a[i]) onlyA++;
    else if (b[i]) onlyB++;
    else neither++;
  }
  return { both, onlyA, onlyB, neither };
}

/** P[X ≤ k] for X ~ Binomial(n, ½), summed in log space so large n neither underflows nor loses precision. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const ln2n = n * Math.LN2;
  let logC = 0; // log C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    sum += Math.exp(logC - ln2n);
  }
  return Math.min(1, sum);
}

/** Exact (binomial) McNemar p-value, two-sided: min(1, 2·P[X ≤ min(b, c)]), X ~ Binomial(b + c, ½); 1 with no discordant seeds. */
export function mcnemarExactP(b: number, c: number): number {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} is ${v}; discordant counts are whole numbers ≥ 0`);
  }
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
}

/** rate(A) − rate(B) on the shared seeds and its 95 % interval (Newcombe's method 10). */
export interface PairedDifference {
  readonly difference: number;
  readonly interval: Interval;
}

export function pairedDifference(t: PairedTable, z = Z95): PairedDifference {
  const { both: a, onlyA: b, onlyB: c, neither: d } = t;
  const n = a + b + c + d;
  if (n < 1) throw new RangeError('no shared seeds: a paired difference needs at least one seed both models ran');
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilsonInterval(a + b, n, z);
  const [l2, u2] = wilsonInterval(a + c, n, z);
  // Correlation of the pairs, as Newcombe defines it for method 10: a positive ad − bc is reduced by n/2 (not below
  // 0), a negative one kept; 0 when a margin is empty (the product under the root is 0).
  const marginProduct = (a + b) * (c + d) * (a + c) * (b + d);
  const cross = a * d - b * c;
  const corrected = cross > n / 2 ? cross - n / 2 : cross < 0 ? cross : 0;
  const phi = marginProduct === 0 ? 0 : corrected / Math.sqrt(marginProduct);
  const difference = p1 - p2;
  const dl1 = p1 - l1;
  const du2 = u2 - p2;
  const du1 = u1 - p1;
  const dl2 = p2 - l2;
  const delta = Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
  const epsilon = Math.sqrt(Math.max(0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2));
  return { difference, interval: [Math.max(-1, difference - delta), Math.min(1, difference + epsilon)] };
}
