// scripts/build.mjs: every entry point becomes a bundle, and --watch keeps rebuilding until stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot, runNode } from '../helpers/cliProcess';

test('npm run build bundles the extension, the CLI (executable) and the runtime', { timeout: 120_000 }, async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'so100-build-'));
  try {
    const r = await runNode([path.join(projectRoot, 'scripts/build.mjs'), '--outdir', out], 110_000);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['extension.js', 'cli.js', 'runtime.js']) assert.ok(existsSync(path.join(out, f)), f);
    assert.ok(((await stat(path.join(out, 'cli.js'))).mode & 0o111) !== 0, 'cli.js is executable');
    const help = await runNode([path.join(out, 'cli.js'), 'help'], 20_000);
    assert.match(help.stdout, /so100 episode/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('npm run watch builds once, says it is watching, and stops on SIGTERM', { timeout: 120_000 }, async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'so100-watch-'));
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts/build.mjs'), '--watch', '--outdir', out], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const said = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no "watching" line: ${text}`)), 100_000);
      const onData = (d: Buffer) => {
        text += d;
        if (/watching \d+ bundles/.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`watch exited with ${code}: ${text}`));
      });
    });
    assert.match(said, /watching \d+ bundles/);
    for (const f of ['extension.js', 'cli.js', 'runtime.js'])
      assert.ok(existsSync(path.join(out, f)), `${f} built by the first watch pass`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    // esbuild's own service process may still be finishing a write for a moment after node exits.
    await rm(out, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
});
