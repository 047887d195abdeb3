// `so100 serve --fault`: listed in its help, a bad spec is a usage error naming the spec, and a fault given on the
// command line is in force (a garbage reply reaches a real client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NdArray } from '../../src/core/ndarray';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { PolicyProtocolError } from '../../src/io/policy/policyErrors';
import { interrupt, runCli, startServeProcess } from '../helpers/cliProcess';

test('so100 serve --help documents --fault; a bad spec exits 2 with what was expected', { timeout: 60_000 }, async () => {
  const help = await runCli(['serve', '--help']);
  assert.match(help.stdout + help.stderr, /--fault SPEC .*\n(.*\n)*\s+crash-after=N/);
  const bad = await runCli(['serve', '--port', '0', '--fault', 'hang,shape=wide']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--fault shape=wide: use shape=narrow or shape=batched/);
});

test('so100 serve --fault garbage,latency-ms=1 answers a real client with bytes that are not msgpack', { timeout: 60_000 }, async () => {
  const server = await startServeProcess(['--latency-ms', '0', '--fault', 'garbage,latency-ms=1']);
  try {
    assert.match(server.output(), /injecting faults: garbage,latency-ms=1/);
    await using client = new OpenPiClient(`ws://127.0.0.1:${server.port}`, { requestTimeoutMs: 10_000 });
    await assert.rejects(client.infer({ 'observation/state': NdArray.fromTyped(new Float32Array(6), [6]), prompt: 'x' }),
      (err: unknown) => err instanceof PolicyProtocolError && /not a valid msgpack-numpy frame/.test(err.message));
  } finally {
    await interrupt(server.child);
  }
});
