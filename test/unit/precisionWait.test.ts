// The precision wait at the end of each tick's period: never done before its deadline, done on the next turn when the
// deadline has passed, and cut short on demand. Only orderings are asserted, no upper bounds on time (a busy CI
// machine may be late by any amount; it can never be early).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINE_WAIT_MS, FINE_WAIT_SLICE_MS, PrecisionWait } from '../../src/runtime/precisionWait';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const HOUR_MS = 3_600_000;

test('never resolves before its deadline, on the timer path and in the fine slices', async () => {
  const wait = new PrecisionWait();
  // Below one slice, within the fine-wait span, and beyond it (timer, then slices).
  const offsets = [0, 0.01, FINE_WAIT_SLICE_MS / 2, FINE_WAIT_SLICE_MS, 0.7, FINE_WAIT_MS, FINE_WAIT_MS + 0.3, 5, 15];
  for (let round = 0; round < 3; round++) {
    for (const offset of offsets) {
      const deadline = performance.now() + offset;
      await wait.sleepUntil(deadline);
      const now = performance.now();
      assert.ok(now >= deadline, `done at ${now}, before its deadline ${deadline} (offset ${offset} ms)`);
    }
  }
});

test('a deadline already past resolves on the next event-loop turn', async () => {
  const wait = new PrecisionWait();
  for (const pastBy of [0.001, 1, 1000]) {
    let done = false;
    void wait.sleepUntil(performance.now() - pastBy).then(() => {
      done = true;
    });
    assert.equal(done, false, 'not synchronously');
    await nextTurn(); // queued after the wait's own turn, so that one has run by now
    assert.equal(done, true, `a deadline ${pastBy} ms past was still waited for after one turn`);
  }
});

test('cutShort ends the wait in progress at once, and clears its timer', async () => {
  const wait = new PrecisionWait();
  const before = timers();
  const deadline = performance.now() + HOUR_MS;
  let done = false;
  const waiting = wait.sleepUntil(deadline).then(() => {
    done = true;
  });
  assert.equal(timers(), before + 1, 'the coarse part waits on a timer');
  await nextTurn();
  assert.equal(done, false);
  const cut = wait.cutShort; // handed around detached, as the loop does
  cut();
  await waiting;
  assert.ok(performance.now() < deadline);
  assert.equal(timers(), before, 'the cut wait left no timer behind');
});

test('cutShort with no wait in progress does nothing, and a cut does not carry over to the next wait', async () => {
  const wait = new PrecisionWait();
  wait.cutShort();
  const first = performance.now() + 5;
  await wait.sleepUntil(first);
  assert.ok(performance.now() >= first, 'an earlier cutShort (nothing waiting) ended a later wait');

  void wait.sleepUntil(performance.now() + HOUR_MS);
  wait.cutShort();
  wait.cutShort(); // twice: the second finds nothing
  const next = performance.now() + 5;
  await wait.sleepUntil(next);
  assert.ok(performance.now() >= next, "the previous wait's cut ended the next one");
});
