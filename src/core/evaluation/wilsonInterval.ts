// Success rate with its Wilson score interval: unlike the textbook p ± z·sqrt(p(1−p)/n) it stays inside [0, 1]
// and does not collapse to a zero-width interval at 0/n or n/n, which small evaluation campaigns hit all the time.

/** z of a two-sided 95 % interval (the normal distribution's 97.5th percentile). */
export const Z95 = 1.959964;

/** A proportion's interval, both ends inside [0, 1]. */
export type Interval = readonly [lo: number, hi: number];

/** The Wilson score interval of k successes in n trials (n ≥ 1, 0 ≤ k ≤ n, whole numbers). */
export function wilsonInterval(k: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n is ${n}; a success rate needs at least one trial`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`k is ${k}; it must be a whole number 0..${n}`);
  const z2 = z * z;
  const centre = (k + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((k * (n - k)) / n + z2 / 4)) / (n + z2);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Half the width of the Wilson interval at an observed rate: how precisely n episodes pin a rate down. */
export function wilsonHalfWidth(rate: number, n: number, z = Z95): number {
  const z2 = z * z;
  return (z * Math.sqrt(rate * (1 - rate) * n + z2 / 4)) / (n + z2);
}
