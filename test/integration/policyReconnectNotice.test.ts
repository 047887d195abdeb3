// A policy client that had to reconnect says so: after the server ended the connection between requests, and after
// a reconnect that took several attempts. A plain first connect, or a reset, says nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { NdArray } from '../../src/core/ndarray';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { OpenPiClient } from '../../src/io/policy/openPiClient';

const observation = () => ({ 'observation/state': NdArray.fromTyped(new Float32Array(6), [6]), prompt: 'pick' });

test(
  'the server ending the connection between requests, then refusing for a while: both are reported when the client gets back',
  { timeout: 60_000 },
  async () => {
    const server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 1 }),
    });
    const notices: string[] = [];
    const client = new OpenPiClient(server.url, {
      backoff: { baseMs: 20, maxMs: 100, maxAttempts: 20 },
      onReconnected: (m) => notices.push(m),
    });
    try {
      await client.infer(observation());
      await client.reset();
      await client.infer(observation());
      assert.deepEqual(notices, [], 'the first connect and a reset are not worth a word');

      server.dropConnections();
      await untilClosed(client);
      await client.infer(observation());
      assert.equal(notices.length, 1);
      assert.match(
        notices[0],
        /the server ended the last connection between requests \(it closed the connection \(1006\)\); reconnected; /,
      );

      server.faults.refuseConnections = true;
      server.dropConnections();
      await untilClosed(client);
      setTimeout(() => {
        server.faults.refuseConnections = false;
      }, 300);
      await client.infer(observation());
      assert.equal(notices.length, 2);
      assert.match(notices[1], /reconnected on attempt \d+, after \d+ ms \(the server answered HTTP 503/);
    } finally {
      await client.close();
      await server.close();
    }
  },
);

async function untilClosed(client: OpenPiClient): Promise<void> {
  while (client.connected) await new Promise((r) => setTimeout(r, 5));
}
