import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoPolicy, DemoPolicyInputError } from '../../src/core/policy/demoPolicy';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';

test('plans are deterministic, zero-padded, start at the state and move at most 1.5 per step', () => {
  const a = new DemoPolicy(50, 32);
  const b = new DemoPolicy(50, 32);
  const state = [0, 0, 0, 0, 0, 50];
  const pa = a.plan(state);
  assert.deepEqual(pa, b.plan(state));
  for (let t = 0; t < 50; t++) {
    for (let d = 6; d < 32; d++) assert.equal(pa[t * 32 + d], 0);
    for (let j = 0; j < 6; j++) {
      const prev = t === 0 ? state[j] : pa[(t - 1) * 32 + j];
      assert.ok(Math.abs(pa[t * 32 + j] - prev) <= 1.5 + 1e-9);
    }
  }
  // The first waypoint is reached within one π₀ chunk from rest (reach: 15, -25, 35, 40, 0, 80).
  assert.deepEqual(
    [...pa.subarray(49 * 32, 49 * 32 + 6)].map((x) => Math.round(x)),
    [15, -25, 35, 40, 0, 80],
  );
});

test('the waypoint advances every three requests and reset starts over', () => {
  const p = new DemoPolicy(10, 6);
  const at = (plan: Float64Array) => [...plan.subarray(54, 60)];
  const state = [15, -25, 35, 40, 0, 80];
  const first = at(p.plan(state));
  p.plan(state);
  p.plan(state);
  const fourth = at(p.plan(state));
  assert.notDeepEqual(first, fourth);
  p.reset();
  assert.deepEqual(at(p.plan(state)), first);
});

test('non-finite state is refused with its index', () => {
  assert.throws(
    () => new DemoPolicy(5, 6).plan([0, NaN, 0]),
    (e: unknown) => e instanceof DemoPolicyInputError && /state\[1\] is NaN/.test(e.message),
  );
});

test('profiles: π₀ and π₀-FAST differ; overrides are range-checked', () => {
  assert.deepEqual([MODEL_PROFILES.pi0.horizon, MODEL_PROFILES.pi0_fast.horizon], [50, 10]);
  assert.equal(customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 0 }).latencyMs, 0);
  assert.equal(customizeProfile(MODEL_PROFILES.pi0, { latencyMs: undefined }).latencyMs, MODEL_PROFILES.pi0.latencyMs);
  assert.throws(() => customizeProfile(MODEL_PROFILES.pi0, { horizon: 0 }), /horizon must be/);
  assert.throws(() => customizeProfile(MODEL_PROFILES.pi0, { actionDim: 1.5 }), /action dim must be/);
  assert.throws(
    () => customizeProfile(MODEL_PROFILES.pi0, { actionDim: 5 }),
    /action dim 5 is too narrow: the SO-100 has 6 joints/,
  );
  assert.equal(customizeProfile(MODEL_PROFILES.pi0_fast, { actionDim: 6 }).actionDim, 6);
  assert.throws(() => customizeProfile(MODEL_PROFILES.pi0, { latencyMs: -3 }), /latency must be/);
});
