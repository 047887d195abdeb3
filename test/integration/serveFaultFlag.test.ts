// `so100 serve --fault`: listed in its help, a bad spec is a usage error naming the spec, and a fault given on the
// command line is in force (a garbage reply reaches a real client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NdArray } from '../../src/core/ndarray';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { PolicyProtocolError } from '../../src/io/policy/policyErrors';
import { interrupt, runCli, startServeProcess } from '../helpers/cliProcess';

test(
  'so100 serve --help documents --fault; a bad spec exits 2 with what was expected',
  { timeout: 60_000 },
  async () => {
    const help = await runCli(['serve', '--help']);
    assert.match(help.stdout + help.stderr, /--fault SPEC .*\n(.*\n)*\s+crash-after=N/);
    const bad = await runCli(['serve', '--port', '0', '--fault', 'hang,shape=wide']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fault shape=wide: use shape=narrow or shape=batched/);
  },
);

test(
  'so100 serve --fault garbage,latency-ms=1 answers a real client with bytes that are not msgpack',
  { timeout: 60_000 },
  async () => {
    const server = await startServeProcess(['--latency-ms', '0', '--fault', 'garbage,latency-ms=1']);
    try {
      assert.match(server.output(), /injecting faults: garbage,latency-ms=1/);
      await using client = new OpenPiClient(`ws://127.0.0.1:${server.port}`, { requestTimeoutMs: 10_000 });
      await assert.rejects(
        client.infer({ 'observation/state': NdArray.fromTyped(new Float32Array(6), [6]), prompt: 'x' }),
        (err: unknown) => err instanceof PolicyProtocolError && /not a valid msgpack-numpy frame/.test(err.message),
      );
    } finally {
      await interrupt(server.child);
    }
  },
);

test(
  "so100 serve --policy hold answers a real client with the state it sent, at the profile's chunk shape",
  { timeout: 60_000 },
  async () => {
    const bad = await runCli(['serve', '--port', '0', '--policy', 'stay']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--policy must be demo or hold, got "stay"/);
    const server = await startServeProcess(['--latency-ms', '0', '--policy', 'hold', '--horizon', '7']);
    try {
      assert.match(server.output(), /openpi hold policy "pi0"/);
      await using client = new OpenPiClient(`ws://127.0.0.1:${server.port}`, { requestTimeoutMs: 10_000 });
      const state = [5, -20, 33, 61, -4, 12];
      const img = NdArray.zeros('|u1', [224, 224, 3]);
      const reply = await client.infer({
        'observation/state': NdArray.fromTyped(Float32Array.from(state), [6]),
        'observation/images.main': img,
        prompt: 'x',
      });
      const { horizon, dims, values } = reply.actions;
      assert.deepEqual([horizon, dims], [7, 32]);
      for (let t = 0; t < 7; t++) assert.deepEqual([...values.subarray(t * dims, t * dims + 6)], state);
    } finally {
      await interrupt(server.child);
    }
  },
);
