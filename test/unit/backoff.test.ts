import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../src/core/retry/backoff';

const policy = { baseMs: 100, maxMs: 1000, maxAttempts: 10 };

test('delays double per retry within [ceiling/2, ceiling], capped at maxMs', () => {
  assert.equal(
    backoffDelayMs(1, policy, () => 0),
    50,
  );
  assert.equal(
    backoffDelayMs(1, policy, () => 1),
    100,
  );
  assert.equal(
    backoffDelayMs(3, policy, () => 1),
    400,
  );
  assert.equal(
    backoffDelayMs(3, policy, () => 0.5),
    300,
  );
  assert.equal(
    backoffDelayMs(20, policy, () => 1),
    1000,
  );
  assert.equal(
    backoffDelayMs(20, policy, () => 0),
    500,
  );
});

test('jitter spreads clients apart', () => {
  const seen = new Set([0.1, 0.4, 0.9].map((r) => backoffDelayMs(2, policy, () => r)));
  assert.equal(seen.size, 3);
});
