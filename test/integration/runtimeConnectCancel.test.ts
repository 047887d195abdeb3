// Cancelling a slow connect, as the host's progress notification does: `disconnect` while the runtime waits for a
// policy server that accepts the TCP connection but never answers aborts the connect, closes what it had opened
// (the socket to that server included) and leaves the session idle and reusable.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeCallError } from '../../src/runtime/rpc/runtimeClient';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const root = path.resolve(__dirname, '../..');

describe('cancelling a connect in the runtime process', () => {
  let rt: RuntimeProcess;
  let silent: Server;
  const sockets: Socket[] = [];
  const log: string[] = [];

  before(async () => {
    // Reads (and drops) what arrives, so the peer's FIN is seen and the socket closes.
    silent = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
      s.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: (l) => log.push(l),
    });
  });
  after(async () => {
    await rt?.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  test(
    'disconnect during the policy handshake: the connect fails as cancelled, its socket is closed, a later connect works',
    { timeout: 90_000 },
    async () => {
      const c = rt.client;
      const port = (silent.address() as { port: number }).port;
      const d = defaultConfig();
      const config = { ...d, record: { ...d.record, enabled: false } };
      const connect = c.call('connect', {
        config,
        endpoints: { pi0: { url: `ws://127.0.0.1:${port}`, protocol: 'openpi' } },
      });
      const outcome = connect.then(
        () => 'connected',
        (e: unknown) => e,
      );
      // The arm and cameras are open once the runtime knocks at the policy server.
      for (let i = 0; sockets.length === 0; i++) {
        assert.ok(i < 300, `the runtime never reached the policy server; log: ${log.slice(-5).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await c.call('status', {})).phase, 'connecting');
      const closed = new Promise((r) => sockets[0].once('close', r));
      const after = await c.call('disconnect', {});
      assert.equal(after.phase, 'idle');
      const err = await outcome;
      assert.ok(err instanceof RuntimeCallError, String(err));
      assert.equal(err.remoteName, 'ConnectCancelledError');
      assert.match(err.message, /connect cancelled/);
      await closed;

      const pi0 = await BuiltinPolicyServer.start({
        protocol: 'openpi',
        profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
      });
      try {
        const status = await c.call('connect', { config, endpoints: { pi0: { url: pi0.url, protocol: 'openpi' } } });
        assert.equal(status.phase, 'connected');
        await c.call('disconnect', {});
      } finally {
        await pi0.close();
      }
    },
  );
});
