// Compiles a user's converter module with esbuild and evaluates it in this process (a trusted workspace's code).
import type { Message } from 'esbuild';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import type { UserConverterModule } from '../../core/convert';
import { UserConverterError, type SourceLocation } from './userConverterError';
import { userLocation } from './userStackLocation';

/** A compiled, evaluated converter module and the source files it was built from (to watch). */
export interface CompiledConverter {
  readonly module: UserConverterModule;
  /** Absolute paths of the user's own files in the bundle (node_modules excluded). */
  readonly inputs: readonly string[];
  /** The name the evaluated code runs under; stack frames without source maps show it. */
  readonly compiledName: string;
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(code: string, filename: string): unknown;
}
interface ModuleStatics {
  new (id: string, parent?: unknown): CompilableModule;
  _nodeModulePaths(dir: string): string[];
}

let generation = 0;
// Node maps stack frames through `//# sourceMappingURL` only with this switch; the user's file and line depend on it.
process.setSourceMapsEnabled(true);

function locationOf(m: Message, cwd: string): SourceLocation | undefined {
  if (!m.location) return undefined;
  return { file: path.resolve(cwd, m.location.file), line: m.location.line, column: m.location.column + 1 };
}

/**
 * Bundles `file` (its relative imports included), evaluates it and checks its exports. Throws
 * UserConverterError: stage 'missing', 'compile' (with esbuild's first error), 'load' (top level threw) or 'exports'.
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
  const dir = path.dirname(abs);
  // A fresh name per build: Node caches source maps by module, and stale maps must not describe new code.
  const compiledName = path.join(dir, `${path.basename(abs)}.so100-${process.pid}-${++generation}.cjs`);
  let build: typeof import('esbuild').build;
  try {
    // Loaded on first use: only user converter modules need the compiler, and a missing one must not break the rest.
    ({ build } = await import('esbuild'));
  } catch (e) {
    throw new UserConverterError(
      'compile',
      abs,
      `the esbuild compiler is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); ` +
        'converter modules need it: install the extension from its full package, or run `npm install esbuild` next to it',
      undefined,
      e,
    );
  }
  let result;
  try {
    result = await build({
      entryPoints: [abs],
      absWorkingDir: dir,
      outfile: compiledName,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    const first = errors?.[0];
    if (!first)
      throw new UserConverterError(
        'compile',
        abs,
        `esbuild failed: ${e instanceof Error ? e.message : String(e)}`,
        undefined,
        e,
      );
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    throw new UserConverterError('compile', abs, `${first.text}${more}`, locationOf(first, dir), e);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text ?? result.outputFiles[0]?.text ?? '';
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.split(/[\\/]/).includes('node_modules') && !p.includes(':'))
    .map((p) => path.resolve(dir, p));

  // Evaluated in memory rather than written and require()d: no temp files to clean up, nothing left in
  // require.cache, and each reload is a fresh module the old one can be collected behind.
  const Ctor = Module as unknown as ModuleStatics;
  const m = new Ctor(compiledName, module);
  m.filename = compiledName;
  m.paths = Ctor._nodeModulePaths(dir);
  try {
    m._compile(code, compiledName);
  } catch (e) {
    const detail = `its top level threw: ${e instanceof Error ? e.message : String(e)}`;
    throw new UserConverterError('load', abs, detail, userLocation(e, inputs, compiledName), e);
  }
  return { module: checkExports(m.exports, abs), inputs, compiledName };
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
