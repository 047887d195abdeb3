import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoalLog } from '../../src/core/sim';

test('the goal log keeps the newest writes in order once it wraps, and since() counts from a mark', () => {
  const log = new GoalLog(4);
  for (let i = 0; i < 10; i++)
    log.add({
      id: 1 + (i % 6),
      goal: 2000 + i,
      present: 1990 + i,
      lastRead: i % 2 ? 1980 + i : undefined,
      torqueOn: i > 2,
      atUs: i * 100,
    });
  assert.equal(log.total, 10);
  assert.deepEqual(
    log.all().map((g) => g.goal),
    [2006, 2007, 2008, 2009],
  );
  assert.deepEqual(log.all()[1], { id: 2, goal: 2007, present: 1997, lastRead: 1987, torqueOn: true, atUs: 700 });
  assert.equal(log.all()[0].lastRead, undefined, 'never read stays undefined');
  assert.deepEqual(
    log.since(8).map((g) => g.goal),
    [2008, 2009],
  );
  assert.deepEqual(
    log.since(2).map((g) => g.goal),
    [2006, 2007, 2008, 2009],
    'a mark older than the kept writes gives all kept',
  );
  log.clear();
  assert.deepEqual(log.all(), []);
});
