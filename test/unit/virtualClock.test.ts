// The virtual clock: delays fire in time order only when the driver passes them, tracked work finishes before time
// moves, drain fires what is left; and the frame pool a virtual-time loop waits on frees its waiter on release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import { FramePool } from '../../src/io/recording/framePool';

test('delays fire in time order when the driver passes them, and time stands at the deadline', async () => {
  const clock = new VirtualClock();
  const fired: Array<[string, number]> = [];
  void clock.delay(50).then(() => fired.push(['b', clock.now()]));
  void clock.delay(20).then(() => fired.push(['a', clock.now()]));
  void clock.delay(50).then(() => fired.push(['c', clock.now()]));
  await clock.advanceTo(33.3);
  assert.deepEqual(fired, [['a', 20]]);
  assert.equal(clock.now(), 33.3);
  await clock.advanceTo(66.6);
  assert.deepEqual(fired, [
    ['a', 20],
    ['b', 50],
    ['c', 50],
  ]);
  assert.equal(clock.now(), 66.6);
});

test('tracked work and its continuations run before time moves on', async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  // Work off the clock (a worker thread's conversion) that then waits on the clock (the simulated latency).
  const work = clock.track(new Promise<void>((r) => setTimeout(r, 20))).then(async () => {
    log.push(`converted at ${clock.now()}`);
    await clock.delay(10);
    log.push(`replied at ${clock.now()}`);
  });
  await clock.advanceTo(33);
  assert.deepEqual(log, ['converted at 0', 'replied at 10']);
  await work;
});

test('drain fires every pending delay, in order', async () => {
  const clock = new VirtualClock(100);
  let done = false;
  void clock.delay(500).then(() => (done = true));
  assert.equal(clock.pending, 1);
  await clock.drain();
  assert.ok(done);
  assert.equal(clock.now(), 600);
  assert.equal(clock.pending, 0);
});

test('a full frame pool lets its waiter go when a buffer comes back', async () => {
  const pool = new FramePool(4, 1);
  await pool.whenFree(); // room at once
  const b = pool.acquire()!;
  let freed = false;
  const waiting = pool.whenFree().then(() => (freed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(freed, false);
  pool.release(b);
  await waiting;
  assert.ok(pool.acquire());
});
