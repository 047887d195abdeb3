// The inference-server commands in a real extension host, against real child processes and sockets.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { So100Api } from '../../../src/extension/extension';
import {
  activateExtension,
  clearServerSettings,
  connectOutcome,
  httpGetStatus,
  isAlive,
  serverLogText,
  useServerSettings,
  waitFor,
} from './hostHelpers';

const SERVER_COMMANDS = ['so100.startServer', 'so100.stopServer', 'so100.showServerLog'];

suite('SO-100 inference server commands', function () {
  let api: So100Api;

  suiteSetup(async function () {
    api = await activateExtension();
    await clearServerSettings();
  });

  teardown(async function () {
    await vscode.commands.executeCommand('so100.stopServer');
    await clearServerSettings();
  });

  test('the three server commands are registered and contributed under the SO-100 category', async function () {
    const all = await vscode.commands.getCommands(true);
    for (const id of SERVER_COMMANDS) assert.ok(all.includes(id), `${id} is not registered`);
    const ext = vscode.extensions.getExtension('so100-policy-lab.so100-policy-lab');
    const contributed = (ext?.packageJSON.contributes.commands ?? []) as { command: string; category: string }[];
    for (const id of SERVER_COMMANDS) {
      assert.equal(contributed.find((c) => c.command === id)?.category, 'SO-100', `${id} category`);
    }
    assert.equal(api.serverState(), 'stopped');
  });

  test('start → ready, and GET /healthz on its port answers 200 from inside the host', async function () {
    await vscode.commands.executeCommand('so100.startServer');
    assert.equal(api.serverState(), 'ready', `history: ${api.stateHistory().join(' → ')}`);
    const port = api.serverPort();
    assert.ok(port !== undefined && port > 0, `port ${port}`);
    assert.equal(await httpGetStatus(port), 200);
    assert.deepEqual(api.stateHistory(), ['starting', 'ready']);
  });

  test("Show Server Log: the channel holds the child's own lines", async function () {
    await vscode.commands.executeCommand('so100.startServer');
    await vscode.commands.executeCommand('so100.showServerLog');
    const port = api.serverPort();
    // The built-in server prints "[so100 serve] … listening on ws://127.0.0.1:<port>" on stdout.
    const text = await waitFor("the server's listening line in the log channel", async () => {
      const t = await serverLogText(api);
      return t.includes('[stdout] [so100 serve]') && t.includes(`:${port}`) ? t : undefined;
    });
    assert.match(text, /\[stdout\] \[so100 serve\] .*listening on/);
  });

  test('stop → stopped, the child is reaped and its port refuses connections', async function () {
    await vscode.commands.executeCommand('so100.startServer');
    const port = api.serverPort()!;
    const pid = api.serverPid()!;
    assert.ok(isAlive(pid), 'server pid alive while ready');
    await vscode.commands.executeCommand('so100.stopServer');
    assert.equal(api.serverState(), 'stopped');
    assert.equal(isAlive(pid), false, `pid ${pid} still alive after stop`);
    assert.equal(await connectOutcome(port), 'ECONNREFUSED');
  });

  test('the port setting is honoured and the pi0_fast profile with lerobot-ws starts too', async function () {
    const port = await freeLocalPort();
    await useServerSettings({ port, builtinProfile: 'pi0_fast', protocol: 'lerobot-ws' });
    await vscode.commands.executeCommand('so100.startServer');
    assert.equal(api.serverState(), 'ready', `history: ${api.stateHistory().join(' → ')}`);
    assert.equal(api.serverPort(), port);
    const text = await waitFor('the profile line', async () => {
      const t = await serverLogText(api);
      return t.includes('--profile pi0_fast --protocol lerobot-ws') ? t : undefined;
    });
    assert.ok(text.includes(`--port ${port}`));
  });

  test('a configured command that exits at once → failed, advice in the log, no restart', async function () {
    const port = await freeLocalPort();
    await useServerSettings({
      kind: 'command',
      command: process.execPath,
      port,
      args: [
        '-e',
        `console.error("OSError: [Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use"); process.exit(3)`,
      ],
    });
    await vscode.commands.executeCommand('so100.startServer');
    assert.equal(api.serverState(), 'failed', `history: ${api.stateHistory().join(' → ')}`);
    const text = await waitFor('the advice line in the log channel', async () => {
      const t = await serverLogText(api);
      return t.includes(`Port ${port} is taken`) ? t : undefined;
    });
    assert.match(text, new RegExp(`\\[warning\\] Port ${port} is taken`));
    // The advice line is written after the child's exit was handled; a restart is only ever decided when a server
    // that was ready exits, so 'failed' here is final: no timer is left that could restart it.
    assert.equal(api.serverState(), 'failed');
    assert.deepEqual(api.stateHistory(), ['starting', 'failed']);
  });

  test('a configured command runs with ${port} filled in, its cwd and env, and is stopped like the built-in one', async function () {
    const cwd = mkdtempSync(join(tmpdir(), 'so100-cmd-cwd-'));
    try {
      const script = [
        'const port = Number(process.argv[1]);',
        'console.log(`cwd=${process.cwd()} value=${process.env.SO100_E2E_VALUE}`);',
        "require('http').createServer((q, s) => s.end('OK\\n')).listen(port, '127.0.0.1', () => console.log('up on ' + port));",
      ].join('\n');
      await useServerSettings({
        kind: 'command',
        command: process.execPath,
        args: ['-e', script, '${port}'],
        cwd,
        env: { SO100_E2E_VALUE: 'from-settings' },
      });
      await vscode.commands.executeCommand('so100.startServer');
      assert.equal(api.serverState(), 'ready', `history: ${api.stateHistory().join(' → ')}`);
      const port = api.serverPort()!;
      assert.notEqual(port, 8000, 'port 0 with ${port} in the args must pick a free port');
      assert.equal(await httpGetStatus(port), 200);
      const text = await waitFor("the command's own output", async () => {
        const t = await serverLogText(api);
        return t.includes(`up on ${port}`) ? t : undefined;
      });
      assert.ok(text.includes(`cwd=${cwd} value=from-settings`), 'cwd and env reach the command');
      const pid = api.serverPid()!;
      await vscode.commands.executeCommand('so100.stopServer');
      assert.equal(isAlive(pid), false);
      assert.equal(await connectOutcome(port), 'ECONNREFUSED');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('a server that crashes after ready is restarted, and the state goes through "restarting"', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'so100-crash-once-'));
    try {
      // The first run crashes shortly after it is ready; the restarted one (marker present) stays up.
      const script = [
        "const fs = require('fs'); const marker = process.argv[2]; const first = !fs.existsSync(marker);",
        "require('http').createServer((q, s) => s.end('OK')).listen(Number(process.argv[1]), '127.0.0.1', () => {",
        "  console.log(first ? 'first run' : 'second run');",
        "  if (first) { fs.writeFileSync(marker, 'x'); setTimeout(() => process.exit(7), 800); }",
        '});',
      ].join('\n');
      await useServerSettings({
        kind: 'command',
        command: process.execPath,
        args: ['-e', script, '${port}', join(dir, 'crashed')],
      });
      await vscode.commands.executeCommand('so100.startServer');
      await waitFor('the restarted server to be ready', () => {
        const h = api.stateHistory();
        return h.includes('restarting') && h[h.length - 1] === 'ready' ? h : undefined;
      });
      assert.deepEqual(api.stateHistory(), ['starting', 'ready', 'restarting', 'ready']);
      assert.equal(await httpGetStatus(api.serverPort()!), 200);
    } finally {
      await vscode.commands.executeCommand('so100.stopServer');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty command with kind "command" is refused with the key named, nothing spawned', async function () {
    const before = { state: api.serverState(), history: api.stateHistory() };
    await useServerSettings({ kind: 'command' });
    await vscode.commands.executeCommand('so100.startServer');
    assert.deepEqual({ state: api.serverState(), history: api.stateHistory() }, before, 'nothing may start');
    assert.equal(api.serverPid(), undefined);
    const text = await waitFor('the settings message', async () => {
      const t = await serverLogText(api);
      return t.includes('so100.server.command is empty') ? t : undefined;
    });
    assert.ok(text.length > 0);
  });

  test('changing a server setting while it runs is noted in the log (applies on the next start)', async function () {
    await vscode.commands.executeCommand('so100.startServer');
    const port = api.serverPort();
    await useServerSettings({ builtinProfile: 'pi0_fast' });
    await waitFor('the settings-changed note', async () =>
      (await serverLogText(api)).includes('server settings changed') ? true : undefined,
    );
    assert.equal(api.serverState(), 'ready');
    assert.equal(api.serverPort(), port, 'the running server is left alone');
  });

  test('start while ready and stop while stopped are harmless no-ops', async function () {
    await vscode.commands.executeCommand('so100.startServer');
    const pid = api.serverPid();
    await Promise.all([
      vscode.commands.executeCommand('so100.startServer'),
      vscode.commands.executeCommand('so100.startServer'),
    ]);
    assert.equal(api.serverPid(), pid, 'a second start must not spawn another server');
    await vscode.commands.executeCommand('so100.stopServer');
    await vscode.commands.executeCommand('so100.stopServer');
    assert.equal(api.serverState(), 'stopped');
  });
});

async function freeLocalPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
