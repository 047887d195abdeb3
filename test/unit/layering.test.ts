// Dependencies point one way (docs/ARCHITECTURE.md, "Layers" and "Webview contracts"). Every rule is one row of
// MAY_IMPORT / TYPE_ONLY / PACKAGES below; the fixture test proves each row can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';

const root = resolve(__dirname, '../..');

type Layer = 'core' | 'contracts' | 'io' | 'runtime' | 'cli' | 'extension' | 'webview';

/** A file's layer from its path relative to the repository root (posix separators); undefined: not a layer. */
function layerOf(path: string): Layer | undefined {
  if (path.startsWith('webview-ui/')) return 'webview';
  const m = /^src\/([^/]+)\//.exec(path);
  if (!m) return undefined;
  const folder = m[1] as Layer;
  return (['core', 'contracts', 'io', 'runtime', 'cli', 'extension'] as const).includes(folder as never)
    ? folder
    : undefined;
}

/** The layers each layer may import values from (its own included). */
const MAY_IMPORT: { readonly [L in Layer]: readonly Layer[] } = {
  core: ['core'],
  contracts: ['contracts'],
  io: ['core', 'io'],
  runtime: ['core', 'io', 'runtime'],
  cli: ['core', 'io', 'runtime', 'cli'],
  extension: ['core', 'io', 'runtime', 'contracts', 'extension'],
  webview: ['webview', 'contracts'],
};

/** Layers a layer may import with `import type` / `export type` only (nothing of them reaches its bundle). */
const TYPE_ONLY: { readonly [L in Layer]?: readonly Layer[] } = {
  contracts: ['core'],
};

/** The packages (and node: modules) a layer may import; undefined: any. */
const PACKAGES: { readonly [L in Layer]?: (spec: string) => boolean } = {
  core: (s) => s === '@msgpack/msgpack',
  // Both contracts and pages are bundled into the webview: no Node modules; the pages only uPlot (the Episode
  // Viewer's time series), the contracts no package at all.
  contracts: () => false,
  webview: (s) => s === 'uplot' || s.startsWith('uplot/'),
  io: (s) => s !== 'vscode',
  runtime: (s) => s !== 'vscode',
  cli: (s) => s !== 'vscode',
};

export interface ImportRef {
  readonly spec: string;
  /** `import type` / `export type`, or every named specifier marked `type`: erased from the bundle. */
  readonly typeOnly: boolean;
}

/** The text with comments blanked (strings kept), so a commented-out import is not an import. */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every module a file imports, re-exports, requires or dynamically imports, and whether only types come of it. */
export function importRefs(text: string): ImportRef[] {
  const code = withoutComments(text);
  const refs: ImportRef[] = [];
  const allTypeNamed = (clause: string): boolean => {
    const m = /^\s*\{([^}]*)\}\s*$/.exec(clause);
    if (!m) return false;
    const names = m[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    return names.length > 0 && names.every((n) => /^type\s/.test(n));
  };
  for (const m of code.matchAll(/\b(import|export)\s+(type\s+)?([\w$*{}\s,]+?)\s+from\s*['"]([^'"]+)['"]/g)) {
    refs.push({ spec: m[4], typeOnly: m[2] !== undefined || allTypeNamed(m[3]) });
  }
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) refs.push({ spec: m[1], typeOnly: false });
  for (const m of code.matchAll(/\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    refs.push({ spec: m[1], typeOnly: false });
  }
  return refs;
}

/** Every module specifier a file imports, requires or dynamically imports. */
export function importsOf(text: string): string[] {
  return importRefs(text).map((r) => r.spec);
}

/** The rules broken by `files` (paths relative to the repository root, posix separators). */
export function layeringViolations(files: readonly { readonly path: string; readonly text: string }[]): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const from = layerOf(path);
    if (from === undefined) {
      if (path.startsWith('src/')) out.push(`${path}: in no layer (add its folder to the layering rules)`);
      continue;
    }
    for (const { spec, typeOnly } of importRefs(text)) {
      if (!spec.startsWith('.')) {
        if (spec === 'vscode' && from !== 'extension') out.push(`${path} → vscode: only src/extension imports vscode`);
        else if (PACKAGES[from] && !PACKAGES[from](spec)) out.push(`${path} → ${spec}: ${from} may not import it`);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      const to = layerOf(target) ?? layerOf(`${target}/`);
      if (to === undefined) {
        out.push(`${path} → ${spec}: outside every layer`);
      } else if (MAY_IMPORT[from].includes(to)) {
        continue;
      } else if (TYPE_ONLY[from]?.includes(to)) {
        if (!typeOnly) out.push(`${path} → ${spec}: ${from} may import ${to} with \`import type\` only`);
      } else {
        out.push(`${path} → ${spec}: ${from} may not import ${to}`);
      }
    }
  }
  return out;
}

/**
 * Cycles of value imports among `files` (paths relative to the repository root), each as its files in import order.
 * Type-only imports are left out: they are erased, so they cannot make a module run before its dependency.
 */
export function importCycles(files: readonly { readonly path: string; readonly text: string }[]): string[][] {
  const known = new Set(files.map((f) => f.path));
  const resolveSpec = (from: string, spec: string): string | undefined => {
    const base = posix.normalize(posix.join(posix.dirname(from), spec.replace(/\.js$/, '')));
    return [`${base}.ts`, `${base}/index.ts`, base].find((p) => known.has(p));
  };
  const edges = new Map<string, string[]>();
  for (const { path, text } of files) {
    const to = importRefs(text)
      .filter((r) => !r.typeOnly && r.spec.startsWith('.'))
      .map((r) => resolveSpec(path, r.spec))
      .filter((p): p is string => p !== undefined);
    edges.set(path, [...new Set(to)]);
  }
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (p: string): void => {
    stack.push(p);
    onStack.add(p);
    for (const q of edges.get(p) ?? []) {
      if (onStack.has(q)) cycles.push(stack.slice(stack.indexOf(q)));
      else if (!done.has(q)) visit(q);
    }
    stack.pop();
    onStack.delete(p);
    done.add(p);
  };
  for (const p of [...edges.keys()].sort()) if (!done.has(p)) visit(p);
  return cycles;
}

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

test('importRefs sees static, type-only, re-export, side-effect, require and dynamic imports, not comments', () => {
  const text = [
    "import * as vscode from 'vscode';",
    "import type { X } from '../io/x';",
    "import { type A, type B } from '../io/ab';",
    "import { type C, D } from '../io/cd';",
    "import E, {\n  F,\n  G,\n} from '../io/efg';",
    "export { y } from './y';",
    "export type { T } from './t';",
    "export * from './all';",
    "import './sideEffect';",
    "const z = require('node:fs');",
    "const w = await import('../runtime/w');",
    "// import { gone } from '../cli/gone';",
    "/* import { gone } from '../cli/gone2'; */",
    "const url = 'http://example.invalid/'; // import('../cli/gone3')",
  ].join('\n');
  assert.deepEqual(
    importRefs(text)
      .map((r) => `${r.spec}${r.typeOnly ? ' (type)' : ''}`)
      .sort(),
    [
      '../io/ab (type)',
      '../io/cd',
      '../io/efg',
      '../io/x (type)',
      '../runtime/w',
      './all',
      './sideEffect',
      './t (type)',
      './y',
      'node:fs',
      'vscode',
    ],
  );
});

test('each rule reports its violation (fixtures)', () => {
  const cases: [path: string, text: string, expected: RegExp][] = [
    ['src/core/a.ts', "import { b } from '../io/b';", /core may not import io/],
    ['src/core/a.ts', "import type { B } from '../runtime/b';", /core may not import runtime/],
    ['src/core/a.ts', "import { readFile } from 'node:fs';", /core may not import it/],
    ['src/core/a.ts', "import { b } from '../contracts/b';", /core may not import contracts/],
    ['src/io/a.ts', "import { b } from '../runtime/b';", /io may not import runtime/],
    ['src/io/a.ts', "import { b } from '../cli/b';", /io may not import cli/],
    ['src/io/x/a.ts', "import type { B } from '../../extension/b';", /io may not import extension/],
    ['src/runtime/a.ts', "import { b } from '../extension/b';", /runtime may not import extension/],
    ['src/runtime/a.ts', "const b = await import('../cli/b');", /runtime may not import cli/],
    ['src/cli/a.ts', "import { b } from '../extension/b';", /cli may not import extension/],
    ['src/io/a.ts', "import * as vscode from 'vscode';", /only src\/extension imports vscode/],
    ['webview-ui/p/a.ts', "import { b } from '../../src/core/b';", /webview may not import core/],
    ['webview-ui/p/a.ts', "import type { B } from '../../src/core/b';", /webview may not import core/],
    ['webview-ui/p/a.ts', "import { b } from '../../src/extension/b';", /webview may not import extension/],
    ['webview-ui/p/a.ts', "import { b } from 'some-package';", /webview may not import it/],
    ['src/contracts/a.ts', "import { B } from '../core/b';", /contracts may import core with `import type` only/],
    ['src/contracts/a.ts', "import { b } from '../io/b';", /contracts may not import io/],
    ['src/contracts/a.ts', "import { b } from 'node:fs';", /contracts may not import it/],
    ['src/misc/a.ts', '', /in no layer/],
    ['src/core/a.ts', "import { b } from '../../test/b';", /outside every layer/],
  ];
  for (const [path, text, expected] of cases) {
    const found = layeringViolations([{ path, text }]);
    assert.equal(found.length, 1, `${path}: ${text} → ${JSON.stringify(found)}`);
    assert.match(found[0], expected);
  }
  const allowed: [path: string, text: string][] = [
    ['src/core/a.ts', "import { b } from './x/b';\nimport { encode } from '@msgpack/msgpack';"],
    ['src/io/a.ts', "import { b } from '../core/b';\nimport { WebSocket } from 'ws';"],
    ['src/runtime/a.ts', "import { b } from '../io/b';\nimport { c } from '../core/c';"],
    ['src/cli/a.ts', "import { b } from '../runtime/b';"],
    ['src/extension/x/a.ts', "import * as vscode from 'vscode';\nimport { b } from '../../contracts/b';"],
    ['src/contracts/a.ts', "import type { B } from '../core/b';\nimport { c } from './c';"],
    ['webview-ui/p/a.ts', "import { isB } from '../../src/contracts/b';\nimport { s } from '../shared/s';"],
  ];
  for (const [path, text] of allowed) assert.deepEqual(layeringViolations([{ path, text }]), [], `${path}: ${text}`);
});

test('importCycles finds a cycle of value imports and ignores one closed by a type-only import', () => {
  const cycle = [
    { path: 'src/core/a.ts', text: "import { b } from './b';" },
    { path: 'src/core/b.ts', text: "import { c } from './x/c';" },
    { path: 'src/core/x/c.ts', text: "export { a } from '../a';" },
  ];
  assert.deepEqual(importCycles(cycle), [['src/core/a.ts', 'src/core/b.ts', 'src/core/x/c.ts']]);
  const typeOnly = [
    { path: 'src/core/a.ts', text: "import { b } from './b';" },
    { path: 'src/core/b.ts', text: "import type { A } from './a';" },
  ];
  assert.deepEqual(importCycles(typeOnly), []);
});

async function treeFiles(): Promise<{ path: string; text: string }[]> {
  const files: { path: string; text: string }[] = [];
  for (const dir of ['src', 'webview-ui']) {
    for (const file of await sourceFiles(join(root, dir))) {
      files.push({ path: relative(root, file).split(sep).join('/'), text: await readFile(file, 'utf8') });
    }
  }
  return files;
}

test('the source tree keeps every layering rule', async () => {
  const files = await treeFiles();
  assert.ok(files.some((f) => f.path.startsWith('src/contracts/')) && files.some((f) => layerOf(f.path) === 'webview'));
  assert.deepEqual(layeringViolations(files), []);
});

test('no module imports itself through a cycle of value imports', async () => {
  // A cycle makes one of its modules run before the other has defined its exports (undefined at import time).
  assert.deepEqual(importCycles(await treeFiles()), []);
});
