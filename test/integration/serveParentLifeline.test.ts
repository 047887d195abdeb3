// `so100 serve --parent-pid`: a built-in server, in a process group of its own, stops when the process that started
// it is killed outright (SIGKILL: no handler of the parent runs), instead of running forever as an orphan.
// Deadlines only bound a hang; nothing is asserted about speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isProcessAlive } from '../../src/io/process/processGroup';
import { projectRoot, startServeProcess } from '../helpers/cliProcess';

const SLOW = { timeout: 600_000 };

/** Resolves true once `pid` is gone, false if it is still there after `timeoutMs`. Polled: it is not our child. */
async function goneWithin(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isProcessAlive(pid))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !(await isProcessAlive(pid));
}

test('a built-in server started through the supervisor exits when its parent is SIGKILLed', SLOW, async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/fixtures/superviseServe.ts')], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  parent.stderr.on('data', (d) => (out += d));
  let serverPid: number | undefined;
  try {
    // The event: the parent's line, printed once its supervisor saw the server ready.
    const ready = await new Promise<{ serverPid: number; args: string[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server was not ready: ${out}`)), 300_000);
      parent.once('exit', (code) =>
        reject(new Error(`the parent exited (${code}) before the server was ready: ${out}`)),
      );
      parent.stdout.on('data', (d) => {
        out += d;
        const line = /^\{.*\}$/m.exec(out);
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line[0]));
        }
      });
    });
    serverPid = ready.serverPid;
    assert.ok(Number.isInteger(serverPid) && serverPid > 0, out);
    const at = ready.args.indexOf('--parent-pid');
    assert.equal(ready.args[at + 1], String(parent.pid), 'the supervisor passes its own pid');
    assert.ok(await isProcessAlive(serverPid), 'the server runs while its parent does');

    const killed = new Promise((resolve) => parent.once('exit', (_code, signal) => resolve(signal)));
    parent.kill('SIGKILL');
    assert.equal(await killed, 'SIGKILL');
    assert.ok(await goneWithin(serverPid, 30_000), `so100 serve (pid ${serverPid}) outlived its parent`);
  } finally {
    parent.kill('SIGKILL');
    if (serverPid !== undefined && (await isProcessAlive(serverPid))) process.kill(-serverPid, 'SIGKILL');
  }
});

test('so100 serve --parent-pid exits 0 with one line saying why once that process is gone', SLOW, async () => {
  const host = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  const server = await startServeProcess(['--parent-pid', String(host.pid)]).catch((err: unknown) => {
    host.kill('SIGKILL');
    throw err;
  });
  try {
    server.child.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    host.kill('SIGKILL');
    assert.equal(await exited, 0, server.output());
    assert.match(server.output(), new RegExp(`parent process ${host.pid} exited: shutting down`));
    assert.match(server.output(), /served 0 requests on 0 connections/, 'its sockets were closed the ordinary way');
  } finally {
    host.kill('SIGKILL');
    server.child.kill('SIGKILL');
  }
});
