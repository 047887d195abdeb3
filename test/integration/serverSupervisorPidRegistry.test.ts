// PidRegistry with real detached processes: orphans are found and stopped; a reused pid is never killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cmdlineMatches, PidRegistry } from '../../src/io/process/pidRegistry';

const neverReady = resolve(__dirname, '../fixtures/servers/neverReady.mjs');
const onLinux = process.platform === 'linux';

async function registryIn(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ registry: PidRegistry; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'so100-pids-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'state', 'servers.json');
  return { registry: new PidRegistry(file), file };
}

/** A server left behind "by a crashed VS Code": detached, own group. Killed after the test if still there. */
function spawnOrphan(t: { after: (fn: () => void) => void }): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, [neverReady], { detached: true, stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited };
}

/** The pid of a process that has already ended: stands in for the crashed owner. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

test('an orphan whose command line matches is found and stopped', { skip: !onLinux && 'needs /proc' }, async (t) => {
  const { registry, file } = await registryIn(t);
  const { child, exited } = spawnOrphan(t);
  const pid = child.pid!;
  await registry.record({
    pid,
    command: process.execPath,
    args: [neverReady],
    startedAt: Date.now(),
    ownerPid: await deadPid(),
  });

  const next = new PidRegistry(file); // "next time": a fresh object reading the same file
  const orphans = await next.findOrphans();
  assert.equal(orphans.length, 1);
  assert.equal(orphans[0].pid, pid);
  assert.equal(orphans[0].cmdlineMatches, true);

  assert.deepEqual(await next.stopOrphans({ sigint: 500, sigterm: 500 }), [pid]);
  await within(exited, 3000, 'the orphan to exit');
  assert.equal(alive(pid), false);
  assert.deepEqual(await next.list(), []);
});

test(
  'a recorded pid now running another command is reported but never killed',
  { skip: !onLinux && 'needs /proc' },
  async (t) => {
    const { registry } = await registryIn(t);
    const { child } = spawnOrphan(t);
    const pid = child.pid!;
    await registry.record({
      pid,
      command: 'python3',
      args: ['scripts/serve_policy.py', '--port', '8000'],
      startedAt: Date.now(),
      ownerPid: await deadPid(),
    });

    const orphans = await registry.findOrphans();
    assert.equal(orphans.length, 1);
    assert.equal(orphans[0].cmdlineMatches, false);
    assert.deepEqual(orphans[0].actualCmdline, [process.execPath, neverReady]);
    assert.deepEqual(await registry.stopOrphans({ sigint: 200, sigterm: 200 }), []);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alive(pid), true, 'the stranger still runs');
    assert.deepEqual(await registry.list(), [], 'the stale record is dropped');
  },
);

test('servers of a live owner are not orphans; records of ended processes are pruned', async (t) => {
  const { registry } = await registryIn(t);
  const { child } = spawnOrphan(t);
  const gone = await deadPid();
  await registry.record({ pid: child.pid!, command: process.execPath, args: [neverReady], startedAt: Date.now() });
  await registry.record({
    pid: gone,
    command: process.execPath,
    args: ['-e', ''],
    startedAt: Date.now(),
    ownerPid: await deadPid(),
  });
  assert.deepEqual(await registry.findOrphans(), []);
  assert.deepEqual(
    (await registry.list()).map((r) => r.pid),
    [child.pid],
  );
  assert.equal(alive(child.pid!), true);
});

test('concurrent records are all kept and the file stays valid JSON', async (t) => {
  const { registry, file } = await registryIn(t);
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => registry.record({ pid: 100_000 + i, command: 'x', args: [], startedAt: i })),
  );
  await registry.forget(100_005);
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { servers: { pid: number }[] };
  assert.equal(parsed.servers.length, 19);
  assert.ok(!parsed.servers.some((s) => s.pid === 100_005));
});

test('a corrupt pid file is treated as empty', async (t) => {
  const { registry, file } = await registryIn(t);
  await registry.record({ pid: 123_456, command: 'x', args: [], startedAt: 0 });
  await writeFile(file, '{"servers": [', 'utf8');
  assert.deepEqual(await registry.list(), []);
  await registry.record({ pid: 123_457, command: 'x', args: [], startedAt: 0 });
  assert.deepEqual(
    (await registry.list()).map((r) => r.pid),
    [123_457],
  );
});

test('cmdline matching: exact argv, shebang interpreter in front, and mismatches', () => {
  assert.equal(
    cmdlineMatches(['/usr/bin/node', 'dist/cli.js', 'serve'], '/usr/bin/node', ['dist/cli.js', 'serve']),
    true,
  );
  assert.equal(
    cmdlineMatches(['/usr/bin/python3', '/home/u/.local/bin/serve-policy', '--port', '8000'], 'serve-policy', [
      '--port',
      '8000',
    ]),
    true,
  );
  assert.equal(
    cmdlineMatches(['/usr/bin/node', 'dist/cli.js', 'serve', '--port', '9'], '/usr/bin/node', ['dist/cli.js', 'serve']),
    false,
  );
  assert.equal(cmdlineMatches(['bash'], '/usr/bin/node', ['dist/cli.js']), false);
  assert.equal(cmdlineMatches(['/usr/bin/uv', 'run', 'serve_policy.py'], 'python3', ['run', 'serve_policy.py']), false);
});
