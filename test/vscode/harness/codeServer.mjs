// One code-server process for the tests: fresh config/data/tmp dirs, a free port on 127.0.0.1, its own
// process group (extension hosts and watchers outlive a plain kill of the parent otherwise).
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';

export const codeServerDir = new URL('../code-server/node_modules/code-server', import.meta.url).pathname;
const entry = join(codeServerDir, 'out/node/entry.js');

/** The VS Code version inside the pinned code-server, e.g. "1.100.3". */
export function vscodeVersion() {
  return JSON.parse(readFileSync(join(codeServerDir, 'lib/vscode/package.json'), 'utf8')).version;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Fresh per-instance folders under `dir` and the environment code-server runs with. */
function instanceEnv(dir, runId) {
  const d = {
    xdg: join(dir, 'xdg'),
    tmp: join(dir, 'tmp'),
    ud: join(dir, 'user-data'),
    ext: join(dir, 'extensions'),
  };
  for (const p of Object.values(d)) mkdirSync(p, { recursive: true });
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: d.xdg,
    XDG_DATA_HOME: d.xdg,
    XDG_CACHE_HOME: join(d.xdg, 'cache'),
    TMPDIR: d.tmp,
    EXTENSIONS_GALLERY: '{}',
    // Inherited by every descendant, so leftovers can be found and reaped whatever their process group.
    SO100_E2E_RUN: runId,
  };
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI;
  return { dirs: d, env };
}

export function writeUserSettings(udDir, settings) {
  mkdirSync(join(udDir, 'User'), { recursive: true });
  writeFileSync(join(udDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

export const baseSettings = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'git.enabled': false,
};

function run(cmd, args, opts, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...opts, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `code-server --install-extension` into the instance's extensions dir (no server started). */
export async function installExtension(dir, runId, vsix) {
  const { dirs, env } = instanceEnv(dir, runId);
  return run(
    process.execPath,
    [entry, '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext, '--install-extension', vsix],
    { env },
    60_000,
  );
}

function httpStatus(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.on('error', () => resolve(0));
  });
}

/**
 * Starts code-server and waits for /healthz. `trust: false` keeps Workspace Trust on (folders untrusted).
 * Returns { port, url, dirs, stop() }.
 */
export async function startCodeServer({ dir, runId, settings = {}, trust = true, log }) {
  const { dirs, env } = instanceEnv(dir, runId);
  writeUserSettings(dirs.ud, { ...baseSettings, ...settings });
  const port = await freePort();
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    dirs.ud,
    '--extensions-dir',
    dirs.ext,
  ];
  if (trust) args.push('--disable-workspace-trust');
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while ((await httpStatus(`${url}/healthz`, 2000)) !== 200) {
    if (exited) throw new Error(`code-server exited during start-up; see ${log}`);
    if (Date.now() > deadline) {
      await killGroup(child);
      throw new Error(`code-server did not answer ${url}/healthz within 30 s; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, url, dirs, child, stop: () => killGroup(child) };
}

/** SIGTERM to the whole process group, SIGKILL after 5 s. */
export async function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group already gone */
    }
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = new Promise((r) => setTimeout(r, 5000, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  } else {
    // The parent is gone; members of the group that ignored SIGTERM still get SIGKILL.
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * SIGKILLs every process that carries this run's marker in its environment (inference servers started
 * detached by the extension survive the code-server group). Returns the pids killed.
 */
export function reapMarked(runId) {
  const killed = [];
  const marker = `SO100_E2E_RUN=${runId}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(marker)) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      killed.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return killed;
}

/** Pids of this run's processes whose argv contains every one of `words` (e.g. the built-in server). */
export function findMarked(runId, words) {
  const marker = `SO100_E2E_RUN=${runId}`;
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => argv.some((a) => a.includes(w)))) pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it has exited all the same.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
