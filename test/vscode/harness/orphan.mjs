// Plants an "orphaned" built-in server the way a crashed VS Code would leave one: running, recorded in the
// extension's pid file in globalStorage, its owner process gone. Activation must stop it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';

const EXTENSION_ID = 'so100-policy-lab.so100-policy-lab';

function healthz(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}

/** Starts the orphan on `port`, writes its record, and returns its pid once it answers /healthz. */
export async function plantOrphan({ userDataDir, root, port, env, log }) {
  const command = process.execPath;
  const args = [
    join(root, 'dist/cli.js'),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--profile',
    'pi0',
    '--protocol',
    'openpi',
  ];
  const child = spawn(command, args, { env, detached: true, stdio: 'ignore' });
  child.unref();
  // An owner that has certainly exited: a process we ran to completion.
  const deadOwner = spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 }).pid;
  const dir = join(userDataDir, 'User', 'globalStorage', EXTENSION_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'servers.json'),
    JSON.stringify(
      {
        version: 1,
        servers: [{ pid: child.pid, command, args, startedAt: Date.now(), ownerPid: deadOwner }],
      },
      null,
      2,
    ),
  );
  const deadline = Date.now() + 15_000;
  while (!(await healthz(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `the planted orphan server (pid ${child.pid}) did not answer /healthz on port ${port}; see ${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return child.pid;
}
