// Dependencies point one way (docs/ARCHITECTURE.md): core imports only core; only src/extension imports vscode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(__dirname, '../..');
const srcRoot = join(root, 'src');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(p);
      return Promise.resolve(/\.(ts|tsx|js|mjs|cjs)$/.test(e.name) ? [p] : []);
    }),
  );
  return nested.flat();
}

/** Every module specifier a file imports, requires or dynamically imports. */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[\w*{}\s,]+\s+from\s+['"]([^'"]+)['"]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.push(m[1]);
  return specs;
}

test('importsOf sees static, type-only, re-export, require and dynamic imports', () => {
  const text = [
    "import * as vscode from 'vscode';",
    "import type { X } from '../io/x';",
    "export { y } from './y';",
    "const z = require('node:fs');",
    "const w = await import('../runtime/w');",
  ].join('\n');
  assert.deepEqual(importsOf(text).sort(), ['../io/x', '../runtime/w', './y', 'node:fs', 'vscode'].sort());
});

test('src/core imports nothing outside src/core and no node: or npm I/O modules', async () => {
  const offenders: string[] = [];
  const allowedBare = new Set(['@msgpack/msgpack']);
  for (const file of await sourceFiles(join(srcRoot, 'core'))) {
    for (const spec of importsOf(await readFile(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(join(srcRoot, 'core'))) offenders.push(`${relative(root, file)} → ${spec}`);
      } else if (!allowedBare.has(spec)) {
        offenders.push(`${relative(root, file)} → ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, [], 'core must stay pure (DESIGN §2)');
});

test('only src/extension imports vscode', async () => {
  const offenders: string[] = [];
  for (const dir of ['src', 'webview-ui']) {
    let files: string[] = [];
    try {
      files = await sourceFiles(join(root, dir));
    } catch {
      continue;
    }
    for (const file of files) {
      if (file.startsWith(join(srcRoot, 'extension') + '/')) continue;
      if (importsOf(await readFile(file, 'utf8')).includes('vscode')) offenders.push(relative(root, file));
    }
  }
  assert.deepEqual(offenders, []);
});
