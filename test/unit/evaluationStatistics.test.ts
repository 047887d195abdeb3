import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wilsonHalfWidth, wilsonInterval } from '../../src/core/evaluation/wilsonInterval';
import {
  binomialHalfCdf,
  mcnemarExactP,
  pairedDifference,
  pairedTable,
} from '../../src/core/evaluation/pairedComparison';

const near = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not ${expected} ± ${tol}`);

test('Wilson 95 % interval matches the known values', () => {
  const cases: [number, number, number, number][] = [
    [8, 10, 0.49, 0.943],
    [0, 10, 0, 0.278],
    [10, 10, 0.722, 1],
    [45, 50, 0.786, 0.957],
  ];
  for (const [k, n, lo, hi] of cases) {
    const [l, h] = wilsonInterval(k, n);
    near(l, lo, 0.0005, `${k}/${n} low`);
    near(h, hi, 0.0005, `${k}/${n} high`);
  }
});

test('Wilson half-width at 50 % with n = 50 is ±13.4 %', () => {
  near(wilsonHalfWidth(0.5, 50), 0.134, 0.0005, 'half-width');
  const [l, h] = wilsonInterval(25, 50);
  near((h - l) / 2, wilsonHalfWidth(0.5, 50), 1e-12, 'same as the interval');
});

test('Wilson refuses what is not a rate', () => {
  assert.throws(() => wilsonInterval(1, 0), /at least one trial/);
  assert.throws(() => wilsonInterval(11, 10), /0\.\.10/);
  assert.throws(() => wilsonInterval(1.5, 10), /whole number/);
});

test('exact McNemar p-value matches the known values', () => {
  near(mcnemarExactP(7, 1), 0.0703, 0.00005, 'b=7, c=1');
  near(mcnemarExactP(1, 7), 0.0703, 0.00005, 'b=1, c=7 (two-sided)');
  near(mcnemarExactP(10, 0), 0.00195, 0.000005, 'b=10, c=0');
  assert.equal(mcnemarExactP(4, 4), 1);
  assert.equal(mcnemarExactP(0, 0), 1);
  near(mcnemarExactP(9, 3), 0.146, 0.0005, 'the paired line of the issue: 9 vs 3');
  assert.throws(() => mcnemarExactP(-1, 2), /whole numbers/);
});

test('binomial(½) CDF stays exact for large n (no underflow)', () => {
  near(binomialHalfCdf(1000, 2000), 0.5 + 0.5 * 0.0178, 0.001, 'P[X ≤ n/2] for n = 2000');
  assert.equal(binomialHalfCdf(-1, 5), 0);
  assert.equal(binomialHalfCdf(5, 5), 1);
  near(binomialHalfCdf(0, 3), 1 / 8, 1e-15, 'P[X = 0], n = 3');
});

test('pairedTable counts per seed', () => {
  const t = pairedTable([true, true, false, false, true], [true, false, true, false, false]);
  assert.deepEqual(t, { both: 1, onlyA: 2, onlyB: 1, neither: 1 });
  assert.throws(() => pairedTable([true], []), /pair them by seed/);
});

test("paired difference: Newcombe's method 10 on a published example (Bentur et al. 2009: 1, 1, 7, 12)", () => {
  // Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables, ch. 8: −0.2857 (−0.5070 to −0.0256).
  const d = pairedDifference({ both: 1, onlyA: 1, onlyB: 7, neither: 12 });
  near(d.difference, -6 / 21, 1e-12, 'difference');
  near(d.interval[0], -0.507, 0.0005, 'low');
  near(d.interval[1], -0.0256, 0.0005, 'high');
});

test('paired difference is antisymmetric, contains 0 for identical models and stays in [-1, 1]', () => {
  const ab = pairedDifference({ both: 20, onlyA: 9, onlyB: 3, neither: 18 });
  const ba = pairedDifference({ both: 20, onlyA: 3, onlyB: 9, neither: 18 });
  near(ab.difference, -ba.difference, 1e-12, 'difference');
  near(ab.interval[0], -ba.interval[1], 1e-12, 'ends mirror');
  const same = pairedDifference({ both: 7, onlyA: 0, onlyB: 0, neither: 3 });
  assert.equal(same.difference, 0);
  assert.ok(same.interval[0] < 0 && same.interval[1] > 0);
  const all = pairedDifference({ both: 0, onlyA: 10, onlyB: 0, neither: 0 });
  assert.ok(all.interval[0] > 0 && all.interval[1] <= 1);
  assert.throws(() => pairedDifference({ both: 0, onlyA: 0, onlyB: 0, neither: 0 }), /at least one seed/);
});
