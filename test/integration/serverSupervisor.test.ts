// ServerSupervisor against real child processes (fixtures in test/fixtures/servers) on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ServerSupervisor } from '../../src/io/process/serverSupervisor';
import { ServerCrashLoopError, ServerStartError } from '../../src/io/process/serverErrors';
import { PidRegistry } from '../../src/io/process/pidRegistry';
import { httpHealthz, leRobotPingReady, openPiMetadataReady, probeHealthz } from '../../src/io/process/readiness';
import type { ServerSpec, ServerState } from '../../src/io/process/serverSpec';

const fixtures = resolve(__dirname, '../fixtures/servers');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'so100-sup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function nodeSpec(script: string, args: string[], port: number, extra: Partial<ServerSpec> = {}): ServerSpec {
  return {
    name: 'fixture',
    command: process.execPath,
    args: [join(fixtures, script), ...args],
    host: '127.0.0.1',
    port,
    protocol: 'openpi',
    startTimeoutMs: 10_000,
    stopGraceMs: { sigint: 400, sigterm: 400 },
    restart: { maxRestarts: 2, windowMs: 60_000 },
    ...extra,
  };
}

/** A supervisor whose states are recorded, stopped after the test whatever happens. */
function supervise(
  t: { after: (fn: () => Promise<void>) => void },
  spec: ServerSpec,
  opts: ConstructorParameters<typeof ServerSupervisor>[1] = {},
) {
  const sup = new ServerSupervisor(spec, { pollIntervalMs: 50, ...opts });
  const states: ServerState[] = [];
  sup.onStateChange((s) => states.push(s));
  t.after(() => sup.stop());
  return { sup, states };
}

/** True when the pid no longer exists (ESRCH), as required for our own, reaped child. */
function reaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * For a grandchild: gone, or a zombie. Orphans are re-parented to init, and some container inits never
 * reap, leaving a zombie that runs no code; /proc shows state Z for it.
 */
async function deadOrZombie(pid: number): Promise<boolean> {
  if (reaped(pid)) return true;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test('ready means a real /healthz 200; stop() sends SIGINT to the group and reaps child and grandchild', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const gcFile = join(dir, 'grandchild.pid');
  const sigLog = join(dir, 'signals.log');
  const { sup, states } = supervise(
    t,
    nodeSpec(
      'policyServer.mjs',
      ['--port', String(port), '--ready-delay-ms', '300', '--grandchild-pid-file', gcFile, '--signal-log', sigLog],
      port,
    ),
  );

  await sup.start();
  assert.equal(sup.state, 'ready');
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'OK\n');
  const pid = sup.pid;
  assert.ok(pid !== undefined);
  const grandchild = Number(await readFile(gcFile, 'utf8'));
  t.after(() => {
    // Only matters when the test fails: never leave the grandchild running.
    if (!reaped(grandchild)) process.kill(grandchild, 'SIGKILL');
  });
  assert.ok(grandchild > 0 && !(await deadOrZombie(grandchild)), 'grandchild runs while the server runs');
  assert.ok(sup.recentLog().some((l) => l.stream === 'stdout' && l.text.startsWith('fixture policy server starting')));

  await Promise.all([sup.stop(), sup.stop()]);
  await sup.stop();
  assert.deepEqual(states, ['starting', 'ready', 'stopping', 'stopped']);
  assert.ok(reaped(pid), 'server process reaped');
  await waitFor(() => deadOrZombie(grandchild), 3000, 'grandchild to die');
  assert.deepEqual(await lines(sigLog), ['SIGINT']);
  assert.equal(sup.pid, undefined);
});

test('an openpi server without /healthz is ready once it sends the binary metadata frame', async (t) => {
  const port = await freePort();
  const { sup, states } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--no-healthz', '--ready-delay-ms', '200'], port),
  );
  await sup.start();
  assert.deepEqual(states, ['starting', 'ready']);
  const signal = AbortSignal.timeout(5000);
  assert.equal(await probeHealthz('127.0.0.1', port, signal), 'absent');
  assert.equal(await httpHealthz('127.0.0.1', port, signal), false);
  assert.equal(await openPiMetadataReady('127.0.0.1', port, signal), true);
  // An openpi server never answers a lerobot ping.
  assert.equal(await leRobotPingReady('127.0.0.1', port, signal, 500), false);
});

test('a lerobot-ws server is ready when it answers ping with pong (a wildcard host is probed on loopback)', async (t) => {
  const port = await freePort();
  const { sup } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--lerobot'], port, {
      protocol: 'lerobot-ws',
      host: '0.0.0.0',
    }),
  );
  assert.equal(await leRobotPingReady('127.0.0.1', port, AbortSignal.timeout(2000)), false, 'nothing listens yet');
  await sup.start();
  assert.equal(sup.state, 'ready');
  assert.equal(await leRobotPingReady('127.0.0.1', port, AbortSignal.timeout(2000)), true);
});

test('exit before ready fails with the last stderr lines and advice, and is never restarted', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const runs = join(dir, 'runs');
  const { sup, states } = supervise(t, nodeSpec('exitAtOnce.mjs', ['--runs-file', runs], port));
  const seen: string[] = [];
  sup.onLog((l) => l.advice && seen.push(l.advice));

  const err = await sup.start().then(
    () => assert.fail('start should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ServerStartError);
  assert.equal(err.reason, 'exited');
  assert.equal(err.exitCode, 1);
  assert.match(err.message, /OSError: \[Errno 98\] Address already in use/);
  assert.match(err.message, new RegExp(`port ${port} is taken: stop the other server or change the port`, 'i'));
  assert.ok(!err.lastLines.some((l) => l.includes('\r')), 'CRLF lines are split cleanly');
  const known = sup.recentLog().find((l) => l.text.includes('Errno 98'));
  assert.equal(known?.stream, 'stderr');
  assert.match(known?.advice ?? '', /is taken/);
  assert.ok(seen.length > 0, 'onLog delivered the advice');
  assert.equal(sup.state, 'failed');
  assert.equal(sup.lastError, err);

  // No sleep to "give a restart time": the start failed before the server was ever ready, and only a ready server's
  // exit is watched for restarts; 'failed' is set by the same step that gives up, so a restart would show here.
  assert.deepEqual(states, ['starting', 'failed']);
  assert.equal(sup.pid, undefined, 'no child running');
  assert.equal((await lines(runs)).length, 1, 'spawned exactly once');
  await sup.stop();
  assert.equal(sup.state, 'failed', 'stop() keeps the failure visible');
});

test('start timeout kills the group and fails with a timeout error', async (t) => {
  const port = await freePort();
  const { sup, states } = supervise(t, nodeSpec('neverReady.mjs', [], port, { startTimeoutMs: 800 }));
  const started = sup.start();
  const pid = sup.pid;
  assert.ok(pid !== undefined);
  const err = await started.then(
    () => assert.fail('start should time out'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ServerStartError);
  assert.equal(err.reason, 'timeout');
  assert.match(err.message, /not ready after 0\.8 s \(probing 127\.0\.0\.1:\d+\)/);
  assert.match(err.message, /Loading checkpoint/, 'stdout is shown when stderr was silent');
  assert.deepEqual(states, ['starting', 'failed']);
  assert.ok(reaped(pid));
});

test('a readiness probe that rejects fails the start and kills the server', async (t) => {
  const port = await freePort();
  const readiness = async (): Promise<boolean> => {
    throw new Error('server speaks HTTP/2 only');
  };
  const { sup, states } = supervise(t, nodeSpec('neverReady.mjs', [], port), { readiness });
  const started = sup.start();
  const pid = sup.pid!;
  const err = await started.then(
    () => assert.fail('start should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ServerStartError);
  assert.equal(err.reason, 'probe-failed');
  assert.match(err.message, /readiness check failed: server speaks HTTP\/2 only/);
  assert.deepEqual(states, ['starting', 'failed']);
  assert.ok(reaped(pid));
});

test('a /healthz that accepts but does not answer in time is busy, not ready', async (t) => {
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((sock) => void sockets.add(sock)); // accepts TCP, never replies
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const sock of sockets) sock.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const port = (silent.address() as { port: number }).port;
  assert.equal(await probeHealthz('127.0.0.1', port, AbortSignal.timeout(5000), 300), 'busy');
  assert.equal(await probeHealthz('127.0.0.1', await freePort(), AbortSignal.timeout(5000), 300), 'refused');
});

test('a missing command fails with ENOENT advice', async (t) => {
  const { sup, states } = supervise(t, {
    ...nodeSpec('neverReady.mjs', [], 1),
    command: 'so100-no-such-server-command',
    args: [],
  });
  const err = await sup.start().then(
    () => assert.fail('start should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ServerStartError);
  assert.equal(err.reason, 'spawn-failed');
  assert.match(err.message, /"so100-no-such-server-command" was not found on PATH/);
  assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
  assert.deepEqual(states, ['starting', 'failed']);
});

test('aborting start() stops the server and rejects with AbortError', async (t) => {
  const port = await freePort();
  const { sup, states } = supervise(t, nodeSpec('neverReady.mjs', [], port));
  const ac = new AbortController();
  const started = sup.start(ac.signal);
  const pid = sup.pid!;
  setTimeout(() => ac.abort(), 300);
  const err = await started.then(
    () => assert.fail('start should abort'),
    (e: unknown) => e,
  );
  assert.equal((err as Error).name, 'AbortError');
  assert.deepEqual(states, ['starting', 'stopping', 'stopped']);
  assert.ok(reaped(pid));
});

test('stop() during start rejects the start with AbortError', async (t) => {
  const port = await freePort();
  const { sup, states } = supervise(t, nodeSpec('neverReady.mjs', [], port));
  const started = sup.start();
  const pid = sup.pid!;
  await new Promise((r) => setTimeout(r, 200));
  await sup.stop();
  const err = await started.then(
    () => assert.fail('start should abort'),
    (e: unknown) => e,
  );
  assert.equal((err as Error).name, 'AbortError');
  assert.deepEqual(states, ['starting', 'stopping', 'stopped']);
  assert.ok(reaped(pid));
});

test('a server ignoring SIGINT is stopped by SIGTERM', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const sigLog = join(dir, 'signals.log');
  const { sup } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--ignore', 'SIGINT', '--signal-log', sigLog], port),
  );
  await sup.start();
  const pid = sup.pid!;
  await sup.stop();
  assert.deepEqual(await lines(sigLog), ['SIGINT', 'SIGTERM']);
  assert.equal(sup.lastExit?.code, 143);
  assert.ok(reaped(pid));
});

test('a server ignoring SIGINT and SIGTERM is stopped by SIGKILL', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const sigLog = join(dir, 'signals.log');
  const { sup } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--ignore', 'SIGINT,SIGTERM', '--signal-log', sigLog], port),
  );
  await sup.start();
  const pid = sup.pid!;
  await sup.stop();
  assert.deepEqual(await lines(sigLog), ['SIGINT', 'SIGTERM']);
  assert.equal(sup.lastExit?.signal, 'SIGKILL');
  assert.ok(reaped(pid));
  assert.ok(sup.recentLog().some((l) => l.stream === 'supervisor' && l.text.includes('SIGKILL')));
});

test('crashes after ready are restarted within the budget, then the server is failed', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const runs = join(dir, 'runs');
  const { sup, states } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--crash-after-ms', '600', '--runs-file', runs], port),
  );
  await sup.start();
  await waitFor(() => sup.state === 'failed', 15_000, "state 'failed'");
  assert.deepEqual(states, ['starting', 'ready', 'restarting', 'ready', 'restarting', 'ready', 'failed']);
  assert.equal(sup.restartCount, 2);
  assert.ok(sup.lastError instanceof ServerCrashLoopError);
  assert.match(sup.lastError.message, /crashed 3 times within 60 s/);
  assert.match(sup.lastError.message, /server log/);
  const pids = (await lines(runs)).map(Number);
  assert.equal(pids.length, 3);
  for (const p of pids) assert.ok(reaped(p), `run ${p} reaped`);
  // 'failed' comes from the step that decided not to restart (the crash budget spent): a restart would have come
  // instead of it, as 'restarting' in the states above and a fourth run; no sleep is needed to let one show.
  assert.equal(sup.pid, undefined, 'no child running after failed');
  assert.equal((await lines(runs)).length, 3, 'no restart after failed');
});

test('crashes further apart than the restart window never add up: restarts go on past the budget', async (t) => {
  // Same fixture and budget as the test above; only the window differs. Each crash comes 600 ms after ready, so the
  // previous one is always more than 300 ms old and has left the window by then.
  const dir = await tempDir(t);
  const port = await freePort();
  const runs = join(dir, 'runs');
  const { sup, states } = supervise(
    t,
    nodeSpec('policyServer.mjs', ['--port', String(port), '--crash-after-ms', '600', '--runs-file', runs], port, {
      restart: { maxRestarts: 2, windowMs: 300 },
    }),
  );
  await sup.start();
  // Four crashes and restarts, the fifth run ready: past the 3 crashes that end in 'failed' within one window.
  await waitFor(
    () => (sup.restartCount >= 4 && sup.state === 'ready') || sup.state === 'failed',
    30_000,
    'a fifth run ready',
  );
  assert.notEqual(sup.state, 'failed', `the supervisor gave up: ${sup.lastError?.message}`);
  assert.ok(!states.includes('failed'), states.join(' → '));
  assert.equal(sup.restartCount, 4);
  const crashLines = sup
    .recentLog()
    .filter((l) => l.stream === 'supervisor' && l.text.includes('stopped unexpectedly'))
    .map((l) => l.text);
  assert.ok(crashLines.length >= 4, crashLines.join('\n'));
  for (const line of crashLines) assert.match(line, /crash 1 within 0\.3 s \(at most 2 restarts\), restarting/);
  await sup.stop();
  assert.equal(sup.state, 'stopped');
  const pids = (await lines(runs)).map(Number);
  assert.equal(pids.length, 5, 'five runs, no more');
  for (const p of pids) assert.ok(reaped(p), `run ${p} reaped`);
});

test('a restart budget that would mean "restart forever" is refused when the supervisor is made', () => {
  const spec = (restart: ServerSpec['restart']) => nodeSpec('policyServer.mjs', ['--port', '1'], 1, { restart });
  assert.throws(
    () => new ServerSupervisor(spec({ maxRestarts: Number.NaN, windowMs: 1000 })),
    /restart\.maxRestarts must be a whole number ≥ 0 .*got NaN/,
  );
  assert.throws(() => new ServerSupervisor(spec({ maxRestarts: -1, windowMs: 1000 })), /restart\.maxRestarts/);
  assert.throws(
    () => new ServerSupervisor(spec({ maxRestarts: 2, windowMs: 0 })),
    /restart\.windowMs must be a positive, finite number of milliseconds, got 0/,
  );
  assert.throws(
    () => new ServerSupervisor(spec({ maxRestarts: 2, windowMs: Number.POSITIVE_INFINITY })),
    /restart\.windowMs/,
  );
  assert.equal(new ServerSupervisor(spec({ maxRestarts: 0, windowMs: 1 })).state, 'stopped');
});

test('restart() replaces a running server', async (t) => {
  const port = await freePort();
  const { sup, states } = supervise(t, nodeSpec('policyServer.mjs', ['--port', String(port)], port));
  await sup.start();
  const first = sup.pid!;
  await sup.restart();
  assert.notEqual(sup.pid, first);
  assert.ok(reaped(first));
  assert.equal(await httpHealthz('127.0.0.1', port, AbortSignal.timeout(2000)), true);
  assert.deepEqual(states, ['starting', 'ready', 'stopping', 'stopped', 'starting', 'ready']);
});

test('the pid registry holds the server while it runs and forgets it once reaped', async (t) => {
  const dir = await tempDir(t);
  const port = await freePort();
  const registry = new PidRegistry(join(dir, 'servers.json'));
  const { sup } = supervise(t, nodeSpec('policyServer.mjs', ['--port', String(port)], port), { pidRegistry: registry });
  await sup.start();
  const pid = sup.pid!;
  await waitFor(async () => (await registry.list()).some((r) => r.pid === pid), 2000, 'the pid record');
  const rec = (await registry.list()).find((r) => r.pid === pid)!;
  assert.equal(rec.command, process.execPath);
  assert.equal(rec.ownerPid, process.pid);
  await sup.stop();
  await waitFor(async () => !(await registry.list()).some((r) => r.pid === pid), 2000, 'the record to be forgotten');
});
