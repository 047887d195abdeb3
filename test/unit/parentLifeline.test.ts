// The `--parent-pid` value of the runtime and `so100 serve`: one rule for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseParentPid } from '../../src/io/process/parentLifeline';

test('--parent-pid takes a process id, and refuses anything else naming the value', () => {
  assert.equal(parseParentPid(undefined), undefined);
  assert.equal(parseParentPid('1'), 1);
  assert.equal(parseParentPid('4242'), 4242);
  for (const bad of ['', '0', '-5', '1.5', 'abc', '12abc', '0x10', ' 7', '1e3', '99999999999999999999']) {
    assert.throws(
      () => parseParentPid(bad),
      (err: Error) =>
        err instanceof RangeError &&
        err.message === `--parent-pid must be a process id (a whole number above 0), got "${bad}"`,
      bad,
    );
  }
});
