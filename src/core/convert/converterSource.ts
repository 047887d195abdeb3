// Where a converter module's source defines its exports (for the editor's CodeLens), found line by line.

const EXPORTED =
  /^\s*export\s+(?:(?:async\s+)?function\s*\*?\s*(toPolicy|fromPolicy)\b|(?:const|let|var)\s+(toPolicy|fromPolicy)\s*[=:])/;

/** Lines (0-based) of the exported `toPolicy` / `fromPolicy` functions in a module's text. */
export function converterFunctionLines(text: string): { name: 'toPolicy' | 'fromPolicy'; line: number }[] {
  const out: { name: 'toPolicy' | 'fromPolicy'; line: number }[] = [];
  text.split(/\r?\n/).forEach((l, line) => {
    const m = EXPORTED.exec(l);
    if (m) out.push({ name: (m[1] ?? m[2]) as 'toPolicy' | 'fromPolicy', line });
  });
  return out;
}
