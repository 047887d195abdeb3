// The busy-machine proof: `npm run test:fast` several times back to back while a CPU hog keeps every core busy.
// Each hog is a child process that spins; it ends itself after --hog-minutes even if this script is killed, and is
// ended when the runs are done. Prints one line per run and a summary; exits 1 if any run failed.
// Usage: node scripts/test-under-load.mjs [--runs N] [--hog-minutes M] [-- extra test.mjs args…]
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const runs = option('--runs', 3);
const hogMinutes = option('--hog-minutes', 120);
const dashDash = argv.indexOf('--');
const extra = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
const cores = availableParallelism();

// The spin checks the clock only now and then, so nearly all of its time is CPU; the deadline is its own.
const hogSource = `const end = Date.now() + ${hogMinutes} * 60000; let x = 0;
for (;;) { for (let i = 0; i < 5e6; i++) x = (x * 31 + i) | 0; if (Date.now() > end) process.exit(0); }`;
const hogs = Array.from({ length: cores }, () =>
  spawn(process.execPath, ['-e', hogSource], { stdio: 'ignore', detached: false }),
);
const stopHogs = () => {
  for (const h of hogs) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
console.log(`CPU hog: ${cores} spinning processes (one per core), each ending itself within ${hogMinutes} min`);

function testFast(n) {
  return new Promise((resolve) => {
    const started = Date.now();
    const load = loadavg()[0].toFixed(1);
    const child = spawn(process.execPath, [`${root}scripts/test.mjs`, '--no-vscode', ...extra], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.on('close', (code) => {
      const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      const minutes = ((Date.now() - started) / 60000).toFixed(1);
      resolve({
        n,
        code,
        passed: m ? Number(m[1]) : 0,
        failed: m ? Number(m[2]) : 1,
        minutes,
        load,
        failedTests: [...out.matchAll(/^\s*✖ (.+?)(?: \(\d[\d.]*m?s\))?$/gm)].map((x) => x[1]),
      });
    });
  });
}

const results = [];
for (let n = 1; n <= runs; n++) {
  console.log(`\n=== under load: test:fast run ${n} of ${runs} ===`);
  results.push(await testFast(n));
}
stopHogs();

console.log('\n=== summary (test:fast under a CPU hog on every core) ===');
for (const r of results) {
  console.log(
    `run ${r.n}: ${r.passed} passed, ${r.failed} failed, ${r.minutes} min (1-min load average at start ${r.load}, ${cores} cores)`,
  );
  for (const t of new Set(r.failedTests)) console.log(`  ✖ ${t}`);
}
process.exit(results.every((r) => r.failed === 0 && r.code === 0) ? 0 : 1);
