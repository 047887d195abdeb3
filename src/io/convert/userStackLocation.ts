// Finds where in the user's own source an error was thrown, by reading its (source-mapped) stack.
import { findSourceMap } from 'node:module';
import path from 'node:path';
import type { SourceLocation } from './userConverterError';

// "at fn (/a/b.ts:12:5)" or "at /a/b.ts:12:5"; the path may contain spaces and colons (Windows drive letters).
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/;

/**
 * The topmost stack frame of `error` inside one of `inputs` (the user's files), as file/line/column (1-based).
 * Frames Node did not map (still naming one of `compiledNames`) are mapped here through that file's source map.
 */
export function userLocation(
  error: unknown,
  inputs: readonly string[],
  compiledNames: readonly string[],
): SourceLocation | undefined {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
  const wanted = new Set(inputs.map((p) => path.resolve(p)));
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1].startsWith('file://') ? new URL(m[1]).pathname : m[1];
    let row = Number(m[2]);
    let col = Number(m[3]);
    if (compiledNames.includes(file)) {
      const compiledName = file;
      const entry = findSourceMap(compiledName)?.findEntry(row - 1, col - 1) as
        { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
      if (entry?.originalSource === undefined || entry.originalLine === undefined) continue;
      file = entry.originalSource.startsWith('file://')
        ? new URL(entry.originalSource).pathname
        : path.resolve(path.dirname(compiledName), entry.originalSource);
      row = entry.originalLine + 1;
      col = (entry.originalColumn ?? 0) + 1;
    }
    if (wanted.has(path.resolve(file))) return { file: path.resolve(file), line: row, column: col };
  }
  return undefined;
}
