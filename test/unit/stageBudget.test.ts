import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StageBudget } from '../../src/core/timing/stageBudget';

test('a loop stage over 1000/fps ms is reported once per stage and episode; policy stages are not loop stages', () => {
  const b = new StageBudget();
  assert.deepEqual(b.check({ episode: 1, index: 0, stageMs: { read: 1, tick: 20 } }, 30), []);
  const first = b.check({ episode: 1, index: 1, stageMs: { read: 40, tick: 45, 'server infer': 90 } }, 30);
  assert.equal(first.length, 2);
  assert.match(first[0], /episode 1, tick 1: read took 40\.0 ms, over the 33\.3 ms budget of a tick at 30 fps/);
  assert.match(first[1], /tick took 45\.0 ms/);
  assert.deepEqual(b.check({ episode: 1, index: 2, stageMs: { read: 50, tick: 60 } }, 30), [], 'said once');
  assert.equal(b.check({ episode: 2, index: 0, stageMs: { read: 50 } }, 30).length, 1, 'a new episode says it again');
  assert.deepEqual(b.check({ episode: 2, index: 1, stageMs: { write: 5 } }, 0), [], 'no rate, no budget');
});
