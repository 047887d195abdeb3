// Runs the extension in a real VS Code (code-server 4.100.3 + Debian chromium, see
// ../shared/reference/vscode-e2e.md): the in-extension-host mocha suite, a few UI scenarios, and the
// packaged VSIX in a fresh code-server whose workspace is untrusted. Ends with one line "N passed, N failed".
// Usage: node test/vscode/run.mjs [--keep] [--no-vsix | --vsix-only] [--suite=dashboard,recordedTick|none]
//   [--scenarios=<regex>]
//   --vsix-only: only the packaged-VSIX part (the development extension's suite and scenarios are skipped);
//   --suite: only the extension-host test files whose names contain one of the words (none: no host suite);
//   --scenarios: only the UI scenarios whose names match (the rest of a run's scenarios are not run, not failed).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  findMarked,
  freePort,
  installExtension,
  isAlive,
  reapMarked,
  startCodeServer,
  vscodeVersion,
} from './harness/codeServer.mjs';
import { checkEngine } from './harness/engineCheck.mjs';
import { plantOrphan } from './harness/orphan.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');
const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const withVsix = !argv.includes('--no-vsix');
// Only the packaged-VSIX part (steps 4–5): the development extension's suite and scenarios are skipped.
const vsixOnly = argv.includes('--vsix-only');
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const suiteFilter = option('suite')?.split(',').filter(Boolean);
const scenarioFilter = option('scenarios') === undefined ? undefined : new RegExp(option('scenarios'));
const filtered = suiteFilter !== undefined || scenarioFilter !== undefined;
/** The scenarios of a list that --scenarios names (all without it). */
const pick = (list) => (scenarioFilter ? list.filter((s) => scenarioFilter.test(s.name)) : list);
const runId = randomBytes(6).toString('hex');
const runDir = mkdtempSync(join(tmpdir(), 'so100-vscode-tests-'));
const started = Date.now();
/** Written by the configured server command if it ever runs in the untrusted workspace. */
const untrustedMarker = join(runDir, 'untrusted-command-ran');

let passed = 0;
let failed = 0;
const failures = [];
const servers = new Set();
let browser;
// Loaded after setup-code-server.sh has installed playwright-core (a fresh clone does not have it yet).
let wb;
let scenarios;

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line) => console.log(line);

function record(name, error) {
  if (error) {
    failed++;
    failures.push(name);
    say(
      `  ✘ ${name}\n      ${String(error.message ?? error)
        .split('\n')
        .join('\n      ')}`,
    );
  } else {
    passed++;
    say(`  ✔ ${name}`);
  }
}

/** Runs a command to completion with a time limit; output goes to `log`. */
function exec(cmd, args, { cwd = root, log, timeoutMs, env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const onData = (d) => {
      out += d;
      appendFileSync(log, d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, signal, out });
    });
  });
}

async function step(name, cmd, args, opts) {
  const log = join(runDir, `${name}.log`);
  const t0 = Date.now();
  const r = await exec(cmd, args, { log, ...opts });
  if (r.code !== 0)
    throw new Error(
      `${name} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}); log: ${log}\n${r.out.split('\n').slice(-15).join('\n')}`,
    );
  say(`▶ ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s (at ${elapsed()})`);
  return r.out;
}

/**
 * Bundles the extension-host suite into this run's folder (concurrent runs never share it). mocha stays
 * outside the bundle, required by its absolute path in test/vscode/node_modules.
 */
async function bundleSuite() {
  const esbuild = await import('esbuild');
  const mochaPath = createRequire(join(here, 'package.json')).resolve('mocha');
  const tests = readdirSync(join(here, 'suite'))
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => !suiteFilter || suiteFilter.some((w) => f.includes(w)))
    .map((f) => ({ in: join(here, 'suite', f), out: f.replace(/\.ts$/, '') }));
  const outdir = join(runDir, 'suite');
  await esbuild.build({
    entryPoints: [{ in: join(here, 'suite/index.ts'), out: 'index' }, ...tests],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
    plugins: [
      {
        name: 'mocha-by-path',
        setup(b) {
          b.onResolve({ filter: /^mocha$/ }, () => ({ path: mochaPath, external: true }));
        },
      },
    ],
  });
  return join(outdir, 'index.js');
}

/** One extension-host mocha run; its tests count one by one, a run that reports nothing counts as one failure. */
async function hostSuite(name, server, { folder, devPath, testsPath }) {
  const logFile = join(runDir, `${name}.host.log`);
  let result;
  // Everything the workbench and the extension host log goes to logFile; only the result line matters here.
  const onLine = (line) => {
    const m = line.match(/SO100_MOCHA_RESULT (\{.*\})/);
    if (m) result = JSON.parse(m[1]);
  };
  say(`▶ ${name}: extension-host mocha suite (${elapsed()})`);
  const { code, context } = await wb.runExtensionTests(browser, server, {
    folder,
    devPath,
    testsPath,
    logFile,
    timeoutMs: 300_000,
    onLine,
  });
  await bounded(context.close(), 10_000);
  if (code === 'timeout') {
    record(`${name}: the suite did not finish within 300 s (log ${logFile})`, new Error('timeout'));
    return;
  }
  if (!result) {
    record(
      `${name}: the suite reported no results (exit code ${code}; log ${logFile})`,
      new Error('no SO100_MOCHA_RESULT line'),
    );
    return;
  }
  for (const t of result.tests) {
    record(`${t.title}${t.ms !== undefined ? ` (${t.ms} ms)` : ''}`, t.ok ? undefined : new Error(t.error));
  }
  if (result.tests.length === 0) record(`${name}: no tests ran`, new Error('0 tests'));
  else if (code !== 0 && result.failed === 0)
    record(`${name}: extension host exit code ${code}`, new Error(`exit ${code}`));
}

/** What scenarios may use besides the page: the run's folders and a view of its processes. */
function scenarioContext(workspace, unusedPort) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  return {
    runDir,
    workspace,
    unusedPort,
    untrustedMarker,
    /** Waits until `count` processes of this run have all `words` in their argv; returns their pids. */
    async waitForPids(words, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pids = findMarked(runId, words);
        if (pids.length >= count) return pids;
        if (Date.now() > deadline)
          throw new Error(`expected ${count} process(es) with ${JSON.stringify(words)}, found ${pids.length}`);
        await sleep(200);
      }
    },
    async waitGone(pids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (pids.some(isAlive)) {
        if (Date.now() > deadline)
          throw new Error(`process(es) ${pids.filter(isAlive).join(', ')} still running after ${timeoutMs / 1000} s`);
        await sleep(200);
      }
    },
  };
}

async function uiScenarios(name, server, scenarios, { folder, devPath }) {
  const ctx = scenarioContext(folder, await freePort());
  say(`▶ ${name}: ${scenarios.length} UI scenario(s) (${elapsed()})`);
  let page;
  let context;
  let opened = 0;
  const open = async () => {
    opened++;
    ({ page, context } = await wb.openWorkbench(browser, server, {
      folder,
      devPath,
      logFile: join(runDir, `${name}${opened > 1 ? `.${opened}` : ''}.page.log`),
    }));
  };
  try {
    // Files a scenario needs from the start are written before the workbench opens (no file-watcher race).
    for (const s of scenarios) await s.prepare?.(ctx);
    await open();
  } catch (err) {
    for (const s of scenarios) record(s.name, err);
    return;
  }
  let broken;
  for (const [i, s] of scenarios.entries()) {
    if (broken) {
      record(s.name, new Error(`skipped: the workbench could not be opened again after a failure (${broken})`));
      continue;
    }
    try {
      await s.run(page, ctx);
      record(s.name);
    } catch (err) {
      await page.screenshot({ path: join(runDir, `${name}-${i + 1}.fail.png`) }).catch(() => undefined);
      record(s.name, err);
      // A failed scenario may leave the page anywhere: the rest run on a fresh workbench, so one failure
      // reports as one, not as every scenario after it.
      if (i < scenarios.length - 1) {
        await bounded(context.close(), 10_000);
        await open().catch((e) => {
          broken = `${s.name}; reopening: ${e.message}`;
        });
      }
    }
  }
  await bounded(context.close(), 10_000);
}

async function stopServer(server) {
  servers.delete(server);
  await server.stop();
  const leftovers = reapMarked(runId);
  if (leftovers.length) say(`  (reaped ${leftovers.length} leftover process(es) of this run: ${leftovers.join(', ')})`);
}

/** Resolves when `p` settles or after `ms`, whichever is first (closing a wedged browser must not hang the run). */
const bounded = (p, ms) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);

async function shutdown() {
  if (browser) await bounded(browser.close(), 10_000);
  for (const s of [...servers]) await stopServer(s).catch(() => undefined);
  reapMarked(runId);
}

/** A folder with an empty .vscode/settings.json: VS Code watches that file from the start, so a later write applies. */
function emptyWorkspace(dir) {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, '.vscode', 'settings.json'), '{}\n');
}

async function main() {
  say(`▶ VS Code extension tests in code-server (run dir ${runDir})`);
  await step('setup-code-server', 'bash', [join(here, 'setup-code-server.sh')], { timeoutMs: 10 * 60_000 });
  const engine = checkEngine(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), vscodeVersion());
  if (engine) throw new Error(engine);
  await step('build', process.execPath, [join(root, 'scripts/build.mjs')], { timeoutMs: 180_000 });
  for (const f of ['dist/extension.js', 'dist/cli.js']) {
    if (!existsSync(join(root, f))) throw new Error(`the build did not produce ${f}`);
  }
  const suiteIndex = await bundleSuite();
  wb = await import('./harness/workbench.mjs');
  scenarios = await import('./harness/scenarios.mjs');
  browser = await wb.launchBrowser();

  // 1. The development extension (loaded from the repository), trusted workspace.
  if (!vsixOnly) await developmentRun(suiteIndex);
  if (withVsix) await vsixRuns();
}

async function developmentRun(suiteIndex) {
  const dev = join(runDir, 'dev');
  const devWorkspace = join(dev, 'workspace');
  emptyWorkspace(devWorkspace);
  const server = await startCodeServer({ dir: dev, runId, log: join(runDir, 'code-server-dev.log') });
  servers.add(server);
  say(`▶ code-server ${vscodeVersion()} on ${server.url} (${elapsed()})`);
  let orphan;
  // A filtered run checks only what it names.
  if (!filtered) {
    try {
      orphan = await plantOrphan({
        userDataDir: server.dirs.ud,
        root,
        port: await freePort(),
        env: { ...process.env, SO100_E2E_RUN: runId },
        log: runDir,
      });
    } catch (err) {
      record('activation stops an orphaned server recorded in globalStorage', err);
    }
  }
  if (!suiteFilter?.includes('none'))
    await hostSuite('host', server, { folder: devWorkspace, devPath: root, testsPath: suiteIndex });
  if (orphan !== undefined) {
    // The suite activated the extension long ago; its orphan sweep runs in the background from there.
    await scenarioContext(devWorkspace, 0)
      .waitGone([orphan], 15_000)
      .then(
        () => record('activation stops an orphaned server recorded in globalStorage'),
        (err) => record('activation stops an orphaned server recorded in globalStorage', err),
      );
  }
  if (pick(scenarios.developmentScenarios).length > 0)
    await uiScenarios('ui', server, pick(scenarios.developmentScenarios), { folder: devWorkspace, devPath: root });
  await stopServer(server);
}

async function vsixRuns() {
  // 2. The packaged VSIX in a fresh code-server with Workspace Trust on and an untrusted folder.
  const vsixPicked = pick(scenarios.vsixScenarios);
  const trustedPicked = pick(scenarios.trustedVsixScenarios);
  if (!withVsix || vsixPicked.length + trustedPicked.length === 0) return;
  const vsix = join(runDir, 'so100-policy-lab.vsix');
  try {
    await step('package', process.execPath, [join(root, 'scripts/package.mjs'), '--out', vsix], { timeoutMs: 180_000 });
    if (!existsSync(vsix)) throw new Error(`scripts/package.mjs did not write ${vsix}`);
    // Packaging left minified production bundles in dist/; put the development ones back.
    await step('rebuild', process.execPath, [join(root, 'scripts/build.mjs')], { timeoutMs: 180_000 });
    await installExtension(join(runDir, 'vsix'), runId, vsix);
  } catch (err) {
    for (const s of [...vsixPicked, ...trustedPicked]) record(s.name, err);
    return;
  }
  const untrustedWorkspace = join(runDir, 'vsix', 'workspace');
  emptyWorkspace(untrustedWorkspace);
  // User settings ask for a configured command; in the untrusted folder it must never run.
  const vserver = await startCodeServer({
    dir: join(runDir, 'vsix'),
    runId,
    trust: false,
    log: join(runDir, 'code-server-vsix.log'),
    settings: {
      'so100.server.kind': 'command',
      'so100.server.command': process.execPath,
      'so100.server.args': ['-e', `require('fs').writeFileSync(${JSON.stringify(untrustedMarker)}, 'ran')`],
    },
  });
  servers.add(vserver);
  if (vsixPicked.length > 0) await uiScenarios('vsix', vserver, vsixPicked, { folder: untrustedWorkspace });
  await stopServer(vserver);
  if (trustedPicked.length === 0) return;

  // 3. The same VSIX in another fresh code-server, its folder trusted: a user's TypeScript converter module.
  try {
    await installExtension(join(runDir, 'vsix-trusted'), runId, vsix);
  } catch (err) {
    for (const s of trustedPicked) record(s.name, err);
    return;
  }
  const trustedWorkspace = join(runDir, 'vsix-trusted', 'workspace');
  emptyWorkspace(trustedWorkspace);
  const tserver = await startCodeServer({
    dir: join(runDir, 'vsix-trusted'),
    runId,
    log: join(runDir, 'code-server-vsix-trusted.log'),
  });
  servers.add(tserver);
  await uiScenarios('vsix-trusted', tserver, trustedPicked, { folder: trustedWorkspace });
  await stopServer(tserver);
}

const watchdog = setTimeout(async () => {
  record(`the whole run exceeded 12 minutes`, new Error('watchdog'));
  await finish(1);
}, 12 * 60_000);

async function finish(code) {
  clearTimeout(watchdog);
  await shutdown();
  const ok = failed === 0 && code === 0;
  if (ok && !keep) rmSync(runDir, { recursive: true, force: true });
  else {
    writeFileSync(join(runDir, 'summary.txt'), `${passed} passed, ${failed} failed\n${failures.join('\n')}\n`);
    say(`\nlogs and screenshots kept in ${runDir}`);
  }
  if (failures.length) say(`failed: \n  ${failures.join('\n  ')}`);
  say(`vscode tests took ${elapsed()}`);
  say(`${passed} passed, ${failed} failed`);
  process.exit(ok ? 0 : 1);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    record(`interrupted by ${sig}`, new Error(sig));
    void finish(1);
  });
}

main().then(
  () => finish(0),
  (err) => {
    record('harness', err);
    return finish(1);
  },
);
