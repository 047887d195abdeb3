// Compiles a user's converter module with sucrase (pure JS, bundled into the extension) and evaluates it in this
// process (a trusted workspace's code). Each of the user's files becomes its own CommonJS module, loaded through a
// require that resolves the module's relative imports to its own files and everything else as Node would.
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { transform } from 'sucrase';
import { parse } from 'sucrase/dist/parser';
import { TokenType } from 'sucrase/dist/parser/tokenizer/types';
import type { UserConverterModule } from '../../core/convert';
import { UserConverterError, type SourceLocation } from './userConverterError';
import { userLocation } from './userStackLocation';

/** A compiled, evaluated converter module and the source files it was built from (to watch). */
export interface CompiledConverter {
  readonly module: UserConverterModule;
  /** Absolute paths of the user's own files it loaded (node_modules excluded), the module first. */
  readonly inputs: readonly string[];
  /** The names the evaluated files run under (one per input); stack frames without source maps show them. */
  readonly compiledNames: readonly string[];
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  require: (id: string) => unknown;
  _compile(code: string, filename: string): unknown;
}
interface ModuleStatics {
  new (id: string, parent?: unknown): CompilableModule;
  _nodeModulePaths(dir: string): string[];
}

/** Extensions tried, in this order, for an import without one (TypeScript's own order, then JavaScript's). */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const TS = /\.[mc]?tsx?$/;

let generation = 0;
// Node maps stack frames through `//# sourceMappingURL` only with this switch; the user's file and line depend on it.
process.setSourceMapsEnabled(true);

const isRelative = (s: string): boolean => s === '.' || s === '..' || /^\.\.?[\\/]/.test(s) || path.isAbsolute(s);

/** The file a relative import names: as written, with an extension added, a `.js` written for a `.ts`, or an index. */
function resolveRelative(spec: string, fromDir: string): string | undefined {
  const base = path.resolve(fromDir, spec);
  const isFile = (p: string): boolean => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const candidates = [
    base,
    ...EXTENSIONS.map((e) => base + e),
    // TypeScript's ESM style: `./helpers.js` names `./helpers.ts`.
    ...(/\.[mc]?js$/.test(base) ? [base.replace(/js$/, 'ts'), base.replace(/\.([mc]?)js$/, '.$1tsx')] : []),
    ...EXTENSIONS.map((e) => path.join(base, `index${e}`)),
  ];
  return candidates.find(isFile);
}

/** Every module specifier a file names (type-only imports too): after `from`, after a bare `import`, in `import()`/`require()`. */
function specifiersOf(code: string, file: string): { spec: string; at: number }[] {
  const { tokens } = parse(code, /x$/.test(file), TS.test(file), false);
  const found: { spec: string; at: number }[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== TokenType.string) continue;
    const prev = tokens[i - 1];
    const prevText = code.slice(prev.start, prev.end);
    const call =
      prev.type === TokenType.parenL &&
      i >= 2 &&
      ['import', 'require'].includes(code.slice(tokens[i - 2].start, tokens[i - 2].end));
    if (prevText === 'from' || prev.type === TokenType._import || call) {
      found.push({ spec: code.slice(t.start + 1, t.end - 1), at: t.start });
    }
  }
  return found;
}

function lineColumn(code: string, at: number): { line: number; column: number } {
  const before = code.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Sucrase's syntax errors end in "(line:column)", 1-based line and 0-based column. */
function syntaxLocation(e: unknown, file: string): SourceLocation | undefined {
  const m = /\((\d+):(\d+)\)\s*$/.exec(e instanceof Error ? e.message : '');
  return m ? { file, line: Number(m[1]), column: Number(m[2]) + 1 } : undefined;
}

/** One file compiled to CommonJS with an inline source map naming the user's file (breakpoints bind there). */
function compileFile(file: string, code: string): string {
  const ts = TS.test(file);
  const jsx = /x$/.test(file);
  const transforms: ('typescript' | 'jsx' | 'imports')[] = [
    ...(ts ? (['typescript'] as const) : []),
    ...(jsx ? (['jsx'] as const) : []),
    'imports',
  ];
  let out;
  try {
    out = transform(code, {
      transforms,
      filePath: file,
      sourceMapOptions: { compiledFilename: path.basename(file) },
      // CommonJS that require()s another file: `import x from './y'` reads y's `default` export.
      enableLegacyTypeScriptModuleInterop: false,
      production: true,
    });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^Error transforming [^:]*: /, '');
    throw new UserConverterError(
      'compile',
      file,
      `syntax error: ${why.replace(/\s*\(\d+:\d+\)\s*$/, '')}`,
      syntaxLocation(e, file),
      e,
    );
  }
  const map = { ...out.sourceMap!, sources: [file], sourcesContent: [code] };
  return `${out.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/**
 * Compiles and evaluates `file` and the files it imports, and checks its exports. Throws UserConverterError:
 * stage 'missing', 'compile' (syntax error, or an import of a file that does not exist), 'load' (top level threw)
 * or 'exports'.
 */
export async function compileConverter(file: string): Promise<CompiledConverter> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) {
    throw new UserConverterError(
      'missing',
      abs,
      'file not found; check `converter.module` in so100.json (relative paths start at the workspace folder)',
    );
  }
  const gen = ++generation;
  const Ctor = Module as unknown as ModuleStatics;
  const loaded = new Map<string, CompilableModule>();
  const inputs: string[] = [];
  const compiledNames: string[] = [];

  // First every file is read, checked and compiled (so a missing import is found before any code runs) …
  const compiled = new Map<string, { code: string; compiledName: string }>();
  const pending = [abs];
  while (pending.length) {
    const f = pending.shift()!;
    if (compiled.has(f)) continue;
    const source = readFileSync(f, 'utf8');
    if (f.endsWith('.json')) {
      compiled.set(f, { code: `module.exports = ${source};`, compiledName: f });
      inputs.push(f);
      continue;
    }
    let specs;
    try {
      specs = specifiersOf(source, f);
    } catch (e) {
      compileFile(f, source); // the transform's own message and place for the syntax error
      throw e;
    }
    for (const { spec, at } of specs) {
      if (!isRelative(spec)) continue;
      const target = resolveRelative(spec, path.dirname(f));
      if (!target) {
        const { line, column } = lineColumn(source, at);
        throw new UserConverterError(
          'compile',
          abs,
          `cannot find '${spec}' imported by ${path.basename(f)} (a type-only import is erased when the module runs, but ` +
            `its file must exist, as TypeScript requires): create the file or correct the path`,
          { file: f, line, column },
        );
      }
      pending.push(target);
    }
    // A fresh name per build: Node caches source maps by module, and stale maps must not describe new code.
    const compiledName = `${f}.so100-${process.pid}-${gen}.cjs`;
    compiled.set(f, { code: compileFile(f, source), compiledName });
    inputs.push(f);
    compiledNames.push(compiledName);
  }

  // … then evaluated in memory rather than written and require()d: no temp files to clean up, nothing left in
  // require.cache, and each reload is a fresh set of modules the old ones can be collected behind.
  const load = (f: string): unknown => {
    const done = loaded.get(f);
    if (done) return done.exports;
    const { code, compiledName } = compiled.get(f)!;
    const m = new Ctor(compiledName, module);
    m.filename = compiledName;
    m.paths = Ctor._nodeModulePaths(path.dirname(f));
    const nodeRequire = Module.createRequire(f);
    m.require = (id: string) => {
      if (!isRelative(id)) return nodeRequire(id);
      const target = resolveRelative(id, path.dirname(f));
      return target && compiled.has(target) ? load(target) : nodeRequire(id);
    };
    loaded.set(f, m);
    m._compile(code, compiledName);
    return m.exports;
  };
  let exported: unknown;
  try {
    exported = load(abs);
  } catch (e) {
    const detail = `its top level threw: ${e instanceof Error ? e.message : String(e)}`;
    throw new UserConverterError('load', abs, detail, userLocation(e, inputs, compiledNames), e);
  }
  return { module: checkExports(exported, abs), inputs, compiledNames };
}

function checkExports(exported: unknown, file: string): UserConverterModule {
  const ex = (exported ?? {}) as Record<string, unknown>;
  const has = (k: string): boolean => typeof ex[k] === 'function';
  for (const k of ['toPolicy', 'fromPolicy']) {
    if (ex[k] !== undefined && !has(k)) {
      throw new UserConverterError('exports', file, `export '${k}' must be a function, got ${typeof ex[k]}`);
    }
  }
  if (!has('toPolicy') && !has('fromPolicy')) {
    const found = Object.keys(ex).length
      ? `it exports ${Object.keys(ex)
          .map((k) => `'${k}'`)
          .join(', ')}`
      : 'it exports nothing';
    throw new UserConverterError(
      'exports',
      file,
      `export a function 'toPolicy' and/or 'fromPolicy' (${found}), e.g. \`export function toPolicy(obs, builtin) { return builtin.toPolicy(obs); }\``,
    );
  }
  return ex as UserConverterModule;
}
