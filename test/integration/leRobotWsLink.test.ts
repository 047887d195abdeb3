// LeRobotWsClient against the built-in server in awesome-lerobot mode, and a stock-like server, over real sockets.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import { NdArray } from '../../src/core/ndarray';
import { decodePolicyFrame, encodePolicyFrame } from '../../src/core/protocols';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { LeRobotWsClient } from '../../src/io/policy/leRobotWsClient';
import { PolicyServerError, PolicyTimeoutError, PolicyUnsupportedError } from '../../src/io/policy/policyErrors';
import { startRawServer } from '../helpers/rawPolicyServer';

function observation(state: number[]) {
  return {
    'observation.state': NdArray.fromTyped(Float32Array.from(state), [state.length]),
    'observation.images.front': NdArray.zeros('|u1', [96, 128, 3]),
    task: ['pick up the cube'],
  };
}

describe('LeRobotWsClient ↔ built-in server (awesome-lerobot protocol)', () => {
  let server: BuiltinPolicyServer;
  after(async () => {
    await server?.close();
  });

  test('select_action returns one (1, 6) step per call from a server-side chunk', async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'lerobot-ws',
      profile: customizeProfile(MODEL_PROFILES.pi0_fast, { latencyMs: 0 }),
    });
    await using client = new LeRobotWsClient(server.url);
    await client.connect();
    assert.equal(client.supports('get_stats'), true);
    assert.equal(client.supports('configure'), true);
    const state = [0, 0, 0, 0, 0, 50];
    const steps: number[][] = [];
    for (let i = 0; i < 12; i++) {
      const r = await client.infer(observation(state));
      assert.deepEqual([r.actions.horizon, r.actions.dims], [1, 6]);
      assert.ok(r.serverTiming && r.serverTiming.inferMs >= 0);
      steps.push([...r.actions.row(0)]);
    }
    // Consecutive steps of one chunk differ by at most the demo policy's per-step cap.
    for (let i = 1; i < 10; i++) {
      for (let j = 0; j < 6; j++) assert.ok(Math.abs(steps[i][j] - steps[i - 1][j]) <= 1.5 + 1e-6);
    }
    assert.ok((await client.ping()) >= 0);
    const stats = await client.getStats();
    assert.equal(stats.model, 'pi0_fast');
    assert.equal(stats.action_horizon, 10);
    assert.equal(stats.queued_actions, 8, '12 calls = one chunk of 10 used up plus 2 of the next');
    await client.reset();
    assert.equal((await client.getStats()).queued_actions, 0, 'reset clears the server-side queue');
  });

  test('configure changes the simulated latency; bad values are errors that keep the connection', async () => {
    await using client = new LeRobotWsClient(server.url);
    const applied = await client.configure({ latency_ms: 5 });
    assert.equal(applied.latency_ms, 5);
    await assert.rejects(
      client.configure({ latency_ms: -1 }),
      (err: unknown) => err instanceof PolicyServerError && /latency_ms must be/.test(err.message),
    );
    assert.ok(await client.healthy());
    await client.configure({ latency_ms: 0 });
  });

  test('an observation without state is an error reply naming the expected keys; the session goes on', async () => {
    await using client = new LeRobotWsClient(server.url);
    await assert.rejects(client.infer({ task: ['x'] }), (err: unknown) => {
      assert.ok(err instanceof PolicyServerError);
      assert.match(err.message, /observation\.state/);
      return true;
    });
    const r = await client.infer(observation([1, 2, 3, 4, 5, 6]));
    assert.equal(r.actions.dims, 6);
  });
});

describe('LeRobotWsClient against a stock-like awesome-lerobot server', () => {
  test('optional operations are refused up front when the pong lists none; unknown types are never sent', async () => {
    const seen: string[] = [];
    const raw = await startRawServer((ws) => {
      ws.on('message', (data: Buffer) => {
        const msg = decodePolicyFrame(new Uint8Array(data)) as { type: string };
        seen.push(msg.type);
        if (msg.type === 'ping') ws.send(encodePolicyFrame({ type: 'pong' }));
        if (msg.type === 'select_action')
          ws.send(encodePolicyFrame({ type: 'action_response', action: NdArray.zeros('<f4', [1, 6]) }));
        // Like the stock server: no reply at all to anything else.
      });
    });
    try {
      await using client = new LeRobotWsClient(raw.url);
      await assert.rejects(client.getStats(), PolicyUnsupportedError);
      await assert.rejects(client.configure({}), /does not offer "configure"/);
      const r = await client.infer(observation([0, 0, 0, 0, 0, 0]));
      assert.equal(r.serverTiming, undefined);
      assert.deepEqual(seen, ['ping', 'select_action']);
    } finally {
      await raw.close();
    }
  });

  test('an error message from the server becomes PolicyServerError; a silent server times out', async () => {
    const raw = await startRawServer((ws) => {
      ws.on('message', (data: Buffer) => {
        const msg = decodePolicyFrame(new Uint8Array(data)) as { type: string };
        if (msg.type === 'ping') ws.send(encodePolicyFrame({ type: 'pong' }));
        if (msg.type === 'select_action') ws.send(encodePolicyFrame({ type: 'error', message: 'CUDA out of memory' }));
      });
    });
    try {
      await using client = new LeRobotWsClient(raw.url, { requestTimeoutMs: 200 });
      await assert.rejects(client.infer(observation([0])), /CUDA out of memory/);
      await assert.rejects(client.reset(), PolicyTimeoutError, 'the stock server does not answer… and we never hang');
    } finally {
      await raw.close();
    }
  });
});

describe('LeRobotWsClient: failures of select_action and how the session recovers', () => {
  /** A stock-like server: answers ping; select_action is handled by `onSelect` for the connection `index`. */
  const scripted = (onSelect: (ws: WebSocket, index: number, call: number) => void) => {
    let calls = 0;
    return startRawServer((ws, index) => {
      ws.on('message', (data: Buffer) => {
        const msg = decodePolicyFrame(new Uint8Array(data)) as { type: string };
        if (msg.type === 'ping') ws.send(encodePolicyFrame({ type: 'pong' }));
        if (msg.type === 'select_action') onSelect(ws, index, calls++);
      });
    });
  };
  const step = (v: number) =>
    encodePolicyFrame({
      type: 'action_response',
      action: NdArray.fromTyped(Float32Array.from([v, v, v, v, v, v]), [1, 6]),
    });

  test('an {"type": "error"} reply is a PolicyServerError with its message; the connection stays and the next call works', async () => {
    const raw = await scripted((ws, _index, call) => {
      ws.send(
        call === 0 ? encodePolicyFrame({ type: 'error', message: 'Expected observation.state of 6 values' }) : step(7),
      );
    });
    try {
      await using client = new LeRobotWsClient(raw.url, { requestTimeoutMs: 10_000 });
      await assert.rejects(client.infer(observation([0, 0, 0, 0, 0, 0])), (err: unknown) => {
        assert.ok(err instanceof PolicyServerError, `got ${String(err)}`);
        assert.equal(err.traceback, 'Expected observation.state of 6 values');
        assert.match(err.message, /failed while handling the request:\nExpected observation\.state of 6 values/);
        return true;
      });
      assert.equal(client.connected, true, 'an error reply is an answer: the connection is still in step');
      const r = await client.infer(observation([0, 0, 0, 0, 0, 0]));
      assert.deepEqual([...r.actions.row(0)], [7, 7, 7, 7, 7, 7]);
      assert.equal(raw.connections(), 1);
    } finally {
      await raw.close();
    }
  });

  test('a server that never answers select_action: PolicyTimeoutError, the connection is dropped, the next call works on a new one', async () => {
    const raw = await scripted((ws, index) => {
      if (index === 0) return; // silent, like the stock server on a message it does not handle
      ws.send(step(index));
    });
    try {
      await using client = new LeRobotWsClient(raw.url, { requestTimeoutMs: 10_000 });
      await assert.rejects(client.infer(observation([0, 0, 0, 0, 0, 0]), { timeoutMs: 150 }), (err: unknown) => {
        assert.ok(err instanceof PolicyTimeoutError, `got ${String(err)}`);
        assert.equal(err.operation, 'select_action');
        assert.match(
          err.message,
          /select_action on ws:\/\/127\.0\.0\.1:\d+ got no reply within 150 ms; the connection was dropped/,
        );
        return true;
      });
      assert.equal(client.connected, false);
      const r = await client.infer(observation([0, 0, 0, 0, 0, 0]));
      assert.deepEqual([...r.actions.row(0)], [1, 1, 1, 1, 1, 1], 'the reply of the second connection');
      assert.equal(raw.connections(), 2);
    } finally {
      await raw.close();
    }
  });

  test('a handler that dies (close 1011, as the stock server does on an exception) is a PolicyServerError; the next call reconnects', async () => {
    const raw = await scripted((ws, index) => {
      if (index === 0) ws.close(1011, 'keyframe error');
      else ws.send(step(2));
    });
    try {
      await using client = new LeRobotWsClient(raw.url, { requestTimeoutMs: 10_000 });
      await assert.rejects(client.infer(observation([0, 0, 0, 0, 0, 0])), (err: unknown) => {
        assert.ok(err instanceof PolicyServerError, `got ${String(err)}`);
        assert.match(
          err.message,
          /select_action: it closed the connection with 1011 \(internal error: keyframe error\) without sending a traceback/,
        );
        return true;
      });
      const r = await client.infer(observation([0, 0, 0, 0, 0, 0]));
      assert.deepEqual([...r.actions.row(0)], [2, 2, 2, 2, 2, 2]);
      assert.equal(raw.connections(), 2);
    } finally {
      await raw.close();
    }
  });
});
