// The whole test suite: typecheck, formatting, the system packages the tests use, node:test unit + integration
// tests, then the extension-host tests in a real VS Code (code-server). Ends with one "N passed, N failed" line for CI.
// Usage: node scripts/test.mjs [--no-vscode] [file-or-dir …]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const noVscode = args.includes('--no-vscode') || process.env.SO100_SKIP_VSCODE === '1';
const picked = args.filter((a) => !a.startsWith('--'));

let passed = 0;
let failed = 0;
const failures = [];

function run(cmd, cmdArgs, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const p = join(dir, d.name);
      if (d.isDirectory()) return d.name === 'node_modules' ? [] : testFiles(p);
      return d.name.endsWith('.test.ts') ? [p] : [];
    })
    .sort();
}

// 1. Typecheck, counted as one check each.
if (picked.length === 0) {
  for (const project of ['.', 'webview-ui'].filter((p) => existsSync(join(root, p, 'tsconfig.json')))) {
    console.log(`\n▶ typecheck ${project}`);
    const r = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project]);
    if (r.code === 0) passed++;
    else {
      failed++;
      failures.push(`typecheck ${project}`);
    }
  }
  // Formatting (Prettier, .prettierrc.json), one check: `npm run format` fixes it.
  console.log('\n▶ format (prettier --check)');
  const f = await run(process.execPath, [
    join(root, 'node_modules/prettier/bin/prettier.cjs'),
    '--check',
    '--log-level=warn',
    '.',
  ]);
  if (f.code === 0) passed++;
  else {
    failed++;
    failures.push('format (run `npm run format`)');
  }
}

// 2. The Debian packages the tests use (ffmpeg, socat, python3-serial; chromium & co. for the VS Code stage),
// before any test runs: as root the missing ones are installed (waiting for another apt's lock); otherwise one line
// says what to install, and the tests that need them skip, each with its reason.
const runsVscode = !noVscode && picked.length === 0;
if (process.platform === 'linux') {
  const depsArgs = [join(root, 'scripts/install-system-deps.sh')];
  if (!runsVscode) depsArgs.push('--node-only');
  if (process.getuid?.() !== 0) depsArgs.push('--check');
  console.log('\n▶ system packages');
  const r = await run('bash', depsArgs);
  if (r.code !== 0) {
    failed++;
    failures.push('system packages (see above)');
  }
}

// 3. node:test over unit and integration tests (TypeScript through tsx).
const files = (
  picked.length
    ? picked.map((p) => join(root, p))
    : [join(root, 'test/unit'), join(root, 'test/integration'), join(root, 'test/faults'), join(root, 'test/fuzz')]
).flatMap(testFiles);
if (files.length > 0) {
  console.log(`\n▶ node:test, ${files.length} files`);
  const tapDir = mkdtempSync(join(tmpdir(), 'so100-test-'));
  const tap = join(tapDir, 'results.tap');
  const r = await run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    // One test file per core: integration files start processes of their own, so more would only starve them.
    `--test-concurrency=${Math.max(1, availableParallelism())}`,
    '--test-timeout=900000', // bounds a hang (per file); on a busy machine a CLI-heavy file takes minutes
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const p = count('pass');
  const f = count('fail') + count('cancelled');
  passed += p;
  failed += f;
  if (f > 0 || (r.code !== 0 && f === 0)) {
    if (f === 0) failed++;
    failures.push('node:test');
  }
  rmSync(tapDir, { recursive: true, force: true });
}

// 4. Extension-host tests in code-server.
const vscodeRunner = join(root, 'test/vscode/run.mjs');
if (runsVscode && existsSync(vscodeRunner)) {
  console.log('\n▶ VS Code extension-host tests (code-server)');
  const r = await run(process.execPath, [vscodeRunner]);
  const m = [...r.out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (r.code !== 0 && (!m || Number(m[2]) === 0)) failed++;
  if (r.code !== 0) failures.push('vscode');
}

if (failures.length) console.log(`\nfailed stages: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
