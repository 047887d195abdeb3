// ActionSmoother: the `limit` seam remedy's per-joint caps on command velocity and acceleration (lerobot#3794).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActionSmoother } from '../../src/core/chunking';

const f = (...v: number[]): Float64Array => Float64Array.from(v);

test('the first target passes: there is nothing to limit from', () => {
  const s = new ActionSmoother(2, 1);
  assert.deepEqual([...s.apply(f(50, -50))], [50, -50]);
});

test('a single number caps the body joints; per-value caps apply to their own value; the gripper is free by default', () => {
  const s = new ActionSmoother(6, 2);
  s.hold(f(0, 0, 0, 0, 0, 0));
  assert.deepEqual([...s.apply(f(10, -10, 1, 0, 0, 100))], [2, -2, 1, 0, 0, 100]);
  const p = new ActionSmoother(2, [1, 3]);
  p.hold(f(0, 0));
  assert.deepEqual([...p.apply(f(10, -10))], [1, -3]);
  assert.deepEqual([...p.apply(f(10, -10))], [2, -6]);
});

test('an acceleration cap ramps the step up and brakes before the target without overshoot', () => {
  const s = new ActionSmoother(1, 10, 1);
  s.hold(f(0));
  const seen: number[] = [];
  for (let i = 0; i < 12; i++) seen.push(s.apply(f(10))[0]);
  assert.deepEqual(seen.slice(0, 3), [1, 3, 6]);
  assert.ok(
    seen.every((v) => v <= 10),
    `no overshoot: ${seen.join(' ')}`,
  );
  assert.equal(seen.at(-1), 10);
});

test('hold() re-anchors on the measured position at rest', () => {
  const s = new ActionSmoother(1, 2);
  s.hold(f(0));
  s.apply(f(2));
  s.hold(f(10)); // the arm was pushed while holding
  assert.deepEqual([...s.apply(f(20))], [12]);
  s.reset();
  assert.deepEqual([...s.apply(f(-50))], [-50], 'after reset the first target passes');
});

test('property: output moves at most the cap per tick and toward the target', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 40 }),
      (cap, targets) => {
        const s = new ActionSmoother(1, [cap]);
        s.hold(f(0));
        let prev = 0;
        for (const t of targets) {
          const out = s.apply(f(t))[0];
          assert.ok(Math.abs(out - prev) <= cap + 1e-9);
          assert.ok(Math.min(prev, t) - 1e-9 <= out && out <= Math.max(prev, t) + 1e-9);
          prev = out;
        }
      },
    ),
  );
});
