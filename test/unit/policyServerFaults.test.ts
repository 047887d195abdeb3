// The built-in server's fault settings: the --fault SPEC syntax (set, combine, clear, refuse with the reason), and
// the check that tells a chunk far outside the joint ranges from an ordinary one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyFaultSpecError, applyPolicyFault, noPolicyFaults } from '../../src/core/policy/policyServerFaults';
import { SO100_MOTORS, findFarTarget } from '../../src/core/so100';

test('fault specs set the faults they name, comma-separated or one at a time; clear resets them', () => {
  const f = noPolicyFaults();
  applyPolicyFault(f, 'hang, latency-ms=250.5');
  applyPolicyFault(f, 'shape=batched,dtype=int64,values=inf,scale=-1000');
  applyPolicyFault(f, 'garbage,traceback,no-metadata,refuse,crash-after=0');
  assert.deepEqual(f, {
    hang: true,
    extraLatencyMs: 250.5,
    garbage: true,
    traceback: true,
    actionShape: 'batched',
    actionDtype: 'int64',
    actionValues: 'inf',
    actionScale: -1000,
    skipMetadata: true,
    refuseConnections: true,
    crashAfterRequests: 0,
  });
  applyPolicyFault(f, 'clear');
  assert.deepEqual(f, noPolicyFaults());
});

test('a bad spec is refused with what was expected, and changes nothing', () => {
  const cases: [string, RegExp][] = [
    ['hangs', /unknown fault "hangs"; use hang, latency-ms=MS/],
    ['hang=1', /hang takes no value/],
    ['latency-ms=', /give a number from 0 to 600000, e\.g\. latency-ms=500/],
    ['latency-ms=-5', /from 0 to 600000/],
    ['shape=wide', /use shape=narrow or shape=batched/],
    ['dtype', /use dtype=int64 or dtype=string/],
    ['values=NaN', /use values=nan or values=inf/],
    ['scale=0', /0 would zero every action/],
    ['scale=abc', /give a number/],
    ['crash-after=1.5', /give a whole number from 0/],
  ];
  for (const [spec, why] of cases) {
    const f = noPolicyFaults();
    assert.throws(
      () => applyPolicyFault(f, spec),
      (err: unknown) =>
        err instanceof PolicyFaultSpecError && err.message.startsWith(`--fault ${spec}: `) && why.test(err.message),
      spec,
    );
    assert.deepEqual(f, noPolicyFaults(), `${spec} changed nothing`);
  }
});

test('findFarTarget: targets past the range by more than its width are far; near misses and non-finite values are not', () => {
  const ranges = SO100_MOTORS.map(() => ({ min: -100, max: 100 }));
  const row = (v: number[]) => Float64Array.from(v);
  assert.equal(
    findFarTarget(row([0, 50, -100, 100, 299, -299]), ranges),
    undefined,
    'inside, or less than a width past',
  );
  assert.equal(
    findFarTarget(row([Number.NaN, Number.POSITIVE_INFINITY, 0, 0, 0, 0]), ranges),
    undefined,
    "non-finite is safety's to refuse",
  );
  const far = findFarTarget(row([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -301]), ranges);
  assert.deepEqual(far, { motor: 'gripper', row: 1, value: -301, range: { min: -100, max: 100 } });
});
