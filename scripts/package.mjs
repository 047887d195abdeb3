// Builds the production bundles and packages the extension: dist/so100-policy-lab.vsix.
// Usage: node scripts/package.mjs [--out FILE]   (npm run package)
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const outArg = process.argv.indexOf('--out');
const out =
  outArg > 0 && process.argv[outArg + 1]
    ? resolve(process.argv[outArg + 1])
    : join(root, 'dist', 'so100-policy-lab.vsix');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  if (r.status !== 0) {
    console.error(
      `package: ${[cmd, ...args].join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`,
    );
    process.exit(1);
  }
}

run(process.execPath, [join(root, 'scripts/build.mjs'), '--production']);
mkdirSync(dirname(out), { recursive: true });
// Pure-JS dependencies are bundled by esbuild; the native serialport module stays outside the bundles, so
// vsce collects the production dependencies and .vscodeignore keeps only serialport and what it requires.
// No LICENSE file yet and no repository field: both would otherwise stop vsce at a y/N prompt that CI
// cannot answer; without a repository vsce also cannot absolutise README's relative links, so it leaves them.
run(process.execPath, [
  join(root, 'node_modules/@vscode/vsce/vsce'),
  'package',
  '--skip-license',
  '--allow-missing-repository',
  '--no-rewrite-relative-links',
  '--out',
  out,
]);
console.log(`package: wrote ${out}`);
