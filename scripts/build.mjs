// Bundles the extension, the CLI, the runtime and the webviews with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production] [--outdir DIR]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = new URL('..', import.meta.url).pathname;
const outIndex = process.argv.indexOf('--outdir');
// Tests build into a folder of their own so they never race the dist/ other tests run from.
const outdir = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1] : 'dist';

// Native or optional modules stay outside the bundle (ws probes for bufferutil/utf-8-validate with try/catch;
// esbuild, which compiles user converter modules at run time, ships its own platform binary).
const external = ['vscode', 'bufferutil', 'utf-8-validate', 'serialport', '@serialport/*', 'esbuild'];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: production,
  external,
  logLevel: 'warning',
};

const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/runtime/main.ts', out: 'runtime' },
  { in: 'src/runtime/convertWorker.ts', out: 'convertWorker' },
  { in: 'src/io/export/exportWorker.ts', out: 'exportWorker' },
].filter((e) => existsSync(join(root, e.in)));

const webviewDir = join(root, 'webview-ui');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
      .map((d) => ({ in: `webview-ui/${d.name}/main.ts`, out: `webview/${d.name}` }))
  : [];

const contexts = [];
for (const e of nodeEntries) {
  contexts.push(
    await esbuild.context({
      ...nodeCommon,
      absWorkingDir: root,
      entryPoints: [{ in: e.in, out: e.out }],
      outdir,
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  );
}
if (webviewEntries.length > 0) {
  contexts.push(
    await esbuild.context({
      absWorkingDir: root,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'chrome120',
      sourcemap: true,
      minify: production,
      entryPoints: webviewEntries,
      outdir,
      logLevel: 'warning',
    }),
  );
}

// parquet-wasm's Node build loads its WebAssembly from beside the script (`__dirname`), which bundled is dist/:
// copy it there (the VSIX ships dist/**/*.wasm).
const parquetWasm = join(root, 'node_modules/parquet-wasm/node/parquet_wasm_bg.wasm');
if (existsSync(parquetWasm)) {
  mkdirSync(resolve(root, outdir), { recursive: true });
  copyFileSync(parquetWasm, join(resolve(root, outdir), 'parquet_wasm_bg.wasm'));
}

if (watch) {
  // One full build first, so "watching" means the bundles are there.
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${contexts.length} bundles…`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  const cli = join(resolve(root, outdir), 'cli.js');
  if (existsSync(cli)) chmodSync(cli, 0o755);
}
