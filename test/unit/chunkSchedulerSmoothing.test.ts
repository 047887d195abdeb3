// ActionSmoother: the optional EMA + per-value delta cap applied after the scheduler (lerobot#3794).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActionSmoother, ActionSmoothingConfigError } from '../../src/core/chunking';

const f = (...v: number[]): Float64Array => Float64Array.from(v);

test('off by default: targets pass through unchanged', () => {
  const s = new ActionSmoother(3);
  assert.equal(s.isIdentity, true);
  s.hold(f(0, 0, 0));
  assert.deepEqual([...s.apply(f(5, -7, 100))], [5, -7, 100]);
  assert.deepEqual([...s.apply(f(-5, 7, 0))], [-5, 7, 0]);
});

test('EMA moves alpha of the way from the previous command to the target', () => {
  const s = new ActionSmoother(2, { emaAlpha: 0.25 });
  assert.equal(s.isIdentity, false);
  assert.deepEqual([...s.apply(f(8, -8))], [8, -8], 'the first target passes: nothing to average with');
  assert.deepEqual([...s.apply(f(0, 0))], [6, -6]); // 0.25·0 + 0.75·8
  assert.deepEqual([...s.apply(f(0, 0))], [4.5, -4.5]);
});

test("delta cap limits each value's move per tick; per-value caps apply to their own value", () => {
  const s = new ActionSmoother(2, { maxDeltaPerTick: [1, 3] });
  s.hold(f(0, 0));
  assert.deepEqual([...s.apply(f(10, -10))], [1, -3]);
  assert.deepEqual([...s.apply(f(10, -10))], [2, -6]);
  assert.deepEqual([...s.apply(f(2.5, -6.5))], [2.5, -6.5], 'within the cap: exact');
});

test('hold() re-anchors on the measured position, so a resumed stream does not jump from a stale command', () => {
  const s = new ActionSmoother(1, { maxDeltaPerTick: 2 });
  s.hold(f(0));
  s.apply(f(2));
  s.hold(f(10)); // the arm was pushed while holding
  assert.deepEqual([...s.apply(f(20))], [12]);
  s.reset();
  assert.deepEqual([...s.apply(f(-50))], [-50], 'after reset the first target passes');
});

test('property: output moves at most the cap per tick and stays between the previous command and the target', () => {
  const val = fc.double({ min: -1000, max: 1000, noNaN: true });
  fc.assert(
    fc.property(
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      fc.double({ min: 0.01, max: 50, noNaN: true }),
      val,
      fc.array(val, { minLength: 1, maxLength: 50 }),
      (alpha, cap, start, targets) => {
        const s = new ActionSmoother(1, { emaAlpha: alpha, maxDeltaPerTick: cap });
        s.hold(f(start));
        let prev = start;
        for (const t of targets) {
          const out = s.apply(f(t))[0];
          assert.ok(Math.abs(out - prev) <= cap + 1e-9, `moved ${out - prev} > ${cap}`);
          assert.ok(
            out >= Math.min(prev, t) - 1e-9 && out <= Math.max(prev, t) + 1e-9,
            `${out} outside [${prev}, ${t}]`,
          );
          prev = out;
        }
      },
    ),
  );
});

test('bad settings name the setting', () => {
  const cases: [() => unknown, string][] = [
    [() => new ActionSmoother(2, { emaAlpha: 0 }), 'emaAlpha'],
    [() => new ActionSmoother(2, { emaAlpha: 1.5 }), 'emaAlpha'],
    [() => new ActionSmoother(2, { maxDeltaPerTick: -1 }), 'maxDeltaPerTick'],
    [() => new ActionSmoother(2, { maxDeltaPerTick: [1] }), 'maxDeltaPerTick'],
    [() => new ActionSmoother(2, { maxDeltaPerTick: [1, 0] }), 'maxDeltaPerTick[1]'],
  ];
  for (const [make, key] of cases) {
    assert.throws(
      make,
      (e: unknown) => e instanceof ActionSmoothingConfigError && e.key === key && e.message.startsWith(key),
    );
  }
  assert.throws(() => new ActionSmoother(2).apply(f(1)), /target has 1 values; this smoother was made for 2/);
});
