// OpenPiClient against the built-in server (and scripted misbehaving servers) over real sockets.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { NdArray } from '../../src/core/ndarray';
import { encodePolicyFrame } from '../../src/core/protocols';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import {
  PolicyClosedError,
  PolicyConnectionError,
  PolicyProtocolError,
  PolicyServerError,
  PolicyTimeoutError,
} from '../../src/io/policy/policyErrors';
import { startRawServer } from '../helpers/rawPolicyServer';

const fast = { baseMs: 10, maxMs: 20, maxAttempts: 2 };

function observation(state: number[]) {
  return {
    'observation/state': NdArray.fromTyped(Float32Array.from(state), [state.length]),
    'observation/images.main': NdArray.zeros('|u1', [224, 224, 3]),
    prompt: 'pick up the cube',
  };
}

describe('OpenPiClient ↔ built-in server (openpi protocol)', () => {
  const servers: BuiltinPolicyServer[] = [];
  const start = async (latencyMs = 0, name: 'pi0' | 'pi0_fast' = 'pi0') => {
    const s = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES[name], { latencyMs }),
    });
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('reads the metadata frame, then returns (50, 32) chunks with server and client timing', async () => {
    const server = await start();
    await using client = new OpenPiClient(server.url);
    await client.connect();
    assert.equal(client.metadata?.model, 'pi0');
    assert.equal(client.metadata?.action_horizon, 50);
    const state = [0, 10, -10, 5, 0, 30];
    const first = await client.infer(observation(state));
    assert.equal(first.actions.horizon, 50);
    assert.equal(first.actions.dims, 32);
    assert.ok(first.serverTiming && first.serverTiming.inferMs >= 0);
    assert.equal(first.serverTiming?.prevTotalMs, undefined, 'no prev_total_ms on the first request of a connection');
    assert.ok(first.policyTiming && first.policyTiming.inferMs >= 0);
    const t = first.clientTiming;
    assert.ok(t.encodeMs >= 0 && t.decodeMs >= 0 && t.sendToFirstByteMs >= 0 && t.totalMs >= t.sendToFirstByteMs);
    assert.ok(t.networkMs !== undefined && t.networkMs >= 0);
    // Padding past the robot's six joints is zero; the joints start where the state is and move smoothly.
    for (let step = 0; step < 50; step++) {
      const row = first.actions.row(step);
      for (let d = 6; d < 32; d++) assert.equal(row[d], 0);
    }
    const row0 = first.actions.row(0);
    for (let j = 0; j < 6; j++) assert.ok(Math.abs(row0[j] - state[j]) <= 1.5, `joint ${j} starts near the state`);
    const second = await client.infer(observation(state));
    assert.equal(typeof second.serverTiming?.prevTotalMs, 'number', 'prev_total_ms from the second request on');
  });

  test('the pi0_fast profile gives (10, 12) chunks', async () => {
    const server = await start(0, 'pi0_fast');
    await using client = new OpenPiClient(server.url);
    const r = await client.infer(observation([0, 0, 0, 0, 0, 50]));
    assert.deepEqual([r.actions.horizon, r.actions.dims], [10, 12]);
  });

  test('a server-side exception arrives as PolicyServerError with the traceback; the next call reconnects', async () => {
    const server = await start();
    await using client = new OpenPiClient(server.url);
    await assert.rejects(client.infer({ prompt: 'no state here' }), (err: unknown) => {
      assert.ok(err instanceof PolicyServerError);
      assert.match(err.traceback, /has no state/);
      assert.match(err.message, /observation\/state/);
      return true;
    });
    const ok = await client.infer(observation([1, 2, 3, 4, 5, 6]));
    assert.equal(ok.actions.horizon, 50);
    assert.equal(server.stats.connections, 2, 'the failed connection was replaced');
  });

  test('after a timeout the late reply is never returned for the next request', async () => {
    const server = await start(400);
    await using client = new OpenPiClient(server.url, { backoff: fast });
    await assert.rejects(client.infer(observation([0, 0, 0, 0, 0, 0]), { timeoutMs: 100 }), PolicyTimeoutError);
    assert.equal(client.connected, false, 'the timed-out connection is dropped');
    const wanted = [40, 40, 40, 40, 40, 40];
    const r = await client.infer(observation(wanted), { timeoutMs: 5000 });
    const row0 = r.actions.row(0);
    for (let j = 0; j < 6; j++)
      assert.ok(Math.abs(row0[j] - wanted[j]) <= 1.5, `reply belongs to the second request (joint ${j}: ${row0[j]})`);
  });

  test("a profile narrower than the SO-100's 6 joints fails the start with the reason", async () => {
    await assert.rejects(
      BuiltinPolicyServer.start({ protocol: 'openpi', profile: { ...MODEL_PROFILES.pi0, actionDim: 4 } }),
      (err: unknown) => err instanceof RangeError && /action dim 4 is too narrow/.test(err.message),
    );
  });

  test('no compression is negotiated even when the client offers permessage-deflate (openpi: compression=None)', async () => {
    const offer = async (url: string) => {
      const ws = new WebSocket(url, { perMessageDeflate: true });
      const headers = await new Promise<IncomingMessage['headers']>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no upgrade within 5 s')), 5000);
        ws.once('upgrade', (res) => {
          clearTimeout(timer);
          resolve(res.headers);
        });
        ws.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      await new Promise<void>((resolve) =>
        ws.readyState === WebSocket.OPEN ? resolve() : ws.once('open', () => resolve()),
      );
      const extensions = ws.extensions;
      ws.terminate();
      return { header: headers['sec-websocket-extensions'], extensions };
    };
    const openpi = await start();
    assert.deepEqual(await offer(openpi.url), { header: undefined, extensions: '' });
    // The control: awesome-lerobot keeps websockets' default and accepts the offer, so the check above can see one.
    const lerobot = await BuiltinPolicyServer.start({ protocol: 'lerobot-ws', profile: MODEL_PROFILES.pi0_fast });
    servers.push(lerobot);
    const accepted = await offer(lerobot.url);
    assert.match(String(accepted.header), /permessage-deflate/);
    assert.match(accepted.extensions, /permessage-deflate/);
  });

  test('healthy() follows /healthz', async () => {
    const server = await start();
    const client = new OpenPiClient(server.url);
    assert.equal(await client.healthy(), true);
    const port = server.port;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    assert.equal(await new OpenPiClient(`127.0.0.1:${port}`).healthy(), false);
    await client.close();
  });
});

describe('OpenPiClient against servers that misbehave', () => {
  test('connection refused → PolicyConnectionError with advice, after the backoff attempts', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = new OpenPiClient(`ws://127.0.0.1:${port}`, { backoff: fast });
    await assert.rejects(client.infer(observation([0])), (err: unknown) => {
      assert.ok(err instanceof PolicyConnectionError);
      assert.match(err.message, /nothing is listening/);
      assert.match(err.message, /2 attempts/);
      return true;
    });
  });

  test('a plain HTTP server is named as such', async () => {
    const http = createServer((_req, res) => {
      res.writeHead(200);
      res.end('hello');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as AddressInfo).port;
    try {
      await assert.rejects(
        new OpenPiClient(`127.0.0.1:${port}`, { backoff: fast }).connect(),
        /answered HTTP 200 instead of upgrading/,
      );
    } finally {
      http.close();
    }
  });

  test('a server that never sends the metadata frame times out on connect', async () => {
    const raw = await startRawServer(() => {});
    try {
      await assert.rejects(
        new OpenPiClient(raw.url, { connectTimeoutMs: 150, backoff: { ...fast, maxAttempts: 1 } }).connect(),
        /metadata frame/,
      );
    } finally {
      await raw.close();
    }
  });

  test('garbage bytes as a reply → PolicyProtocolError, and the connection is replaced', async () => {
    const raw = await startRawServer((ws) => {
      ws.send(encodePolicyFrame({}));
      ws.on('message', () => ws.send(Buffer.from([0xc1, 0xff, 0x00, 0x13])));
    });
    try {
      const client = new OpenPiClient(raw.url, { backoff: fast });
      await assert.rejects(
        client.infer(observation([0])),
        (err: unknown) => err instanceof PolicyProtocolError && /not a valid msgpack-numpy frame/.test(err.message),
      );
      assert.equal(client.connected, false);
      await client.close();
    } finally {
      await raw.close();
    }
  });

  test('close 1011 with no traceback frame → PolicyServerError saying the server failed; the next request gets a fresh connection', async () => {
    const raw = await startRawServer((ws, index) => {
      ws.send(encodePolicyFrame({}));
      ws.on('message', () => {
        if (index === 0) ws.close(1011, 'handler crashed');
        else ws.send(encodePolicyFrame({ actions: NdArray.zeros('<f4', [10, 6]) }));
      });
    });
    try {
      await using client = new OpenPiClient(raw.url, { backoff: fast, requestTimeoutMs: 10_000 });
      await assert.rejects(client.infer(observation([0])), (err: unknown) => {
        assert.ok(err instanceof PolicyServerError, `got ${String(err)}`);
        assert.match(err.message, /the policy server at ws:\/\/127\.0\.0\.1:\d+ failed while handling the request/);
        assert.match(
          err.message,
          /closed the connection with 1011 \(internal error: handler crashed\) without sending a traceback/,
        );
        assert.match(err.message, /server's log/);
        return true;
      });
      assert.equal(client.connected, false, 'the failed connection is not reused');
      const ok = await client.infer(observation([0]));
      assert.deepEqual([ok.actions.horizon, ok.actions.dims], [10, 6]);
      assert.equal(raw.connections(), 2);
    } finally {
      await raw.close();
    }
  });

  test('a connection dropped in the middle of a request → PolicyClosedError at once, not a timeout; the next request works', async () => {
    const raw = await startRawServer((ws, index) => {
      ws.send(encodePolicyFrame({}));
      ws.on('message', () => {
        if (index === 0)
          ws.terminate(); // the process died: no close frame, no reply
        else if (index === 1) ws.close(1001, 'going away');
        else ws.send(encodePolicyFrame({ actions: NdArray.zeros('<f8', [4, 6]) }));
      });
    });
    try {
      // A hang would surface as PolicyTimeoutError after 10 s, which the checks below reject.
      await using client = new OpenPiClient(raw.url, { backoff: fast, requestTimeoutMs: 10_000 });
      await assert.rejects(client.infer(observation([0])), (err: unknown) => {
        assert.ok(err instanceof PolicyClosedError, `got ${String(err)}`);
        assert.equal(err.code, 1006);
        assert.match(err.message, /dropped the connection without a close frame \(1006\) before replying to infer/);
        return true;
      });
      await assert.rejects(client.infer(observation([0])), (err: unknown) => {
        assert.ok(err instanceof PolicyClosedError, `got ${String(err)}`);
        assert.equal(err.code, 1001);
        assert.match(err.message, /closed the connection \(1001 going away: going away\) before replying to infer/);
        return true;
      });
      const ok = await client.infer(observation([0]));
      assert.deepEqual([ok.actions.horizon, ok.actions.dims], [4, 6]);
      assert.equal(raw.connections(), 3);
    } finally {
      await raw.close();
    }
  });

  test('wrong action shape and missing actions are explained', async () => {
    let reply: Uint8Array = encodePolicyFrame({});
    const raw = await startRawServer((ws) => {
      ws.send(encodePolicyFrame({}));
      ws.on('message', () => ws.send(reply));
    });
    try {
      const client = new OpenPiClient(raw.url, { backoff: fast });
      reply = encodePolicyFrame({ actions: NdArray.zeros('<f4', [2, 3, 4]) });
      await assert.rejects(client.infer(observation([0])), /shaped \(horizon, dims\) — got \(2, 3, 4\)/);
      reply = encodePolicyFrame({ state: NdArray.zeros('<f4', [6]) });
      await assert.rejects(client.infer(observation([0])), /has no "actions"; it has: state/);
      reply = encodePolicyFrame({ actions: 'nope' });
      await assert.rejects(client.infer(observation([0])), /should be an ndarray, got a string/);
      reply = encodePolicyFrame({ actions: NdArray.zeros('<f8', [10, 6]) });
      const ok = await client.infer(observation([0]));
      assert.deepEqual([ok.actions.horizon, ok.actions.dims], [10, 6]);
      assert.equal(ok.serverTiming, undefined, 'servers older than May 2025 send no timing; that is fine');
      await client.close();
    } finally {
      await raw.close();
    }
  });
});
