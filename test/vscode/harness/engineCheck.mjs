// Does the extension's engines.vscode accept the VS Code inside code-server? Checked first, because VS Code
// otherwise only logs "Extension is not compatible" in the extension host and every command goes missing.

const parse = (v) => {
  const m = /^(\d+)\.(\d+|x)\.(\d+|x)/.exec(v);
  return m ? m.slice(1, 4).map((p) => (p === 'x' ? 0 : Number(p))) : undefined;
};
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** undefined when `vscodeVersion` satisfies pkg.engines.vscode (the forms VS Code accepts), else the reason. */
export function checkEngine(pkg, vscodeVersion) {
  const range = pkg.engines?.vscode;
  const have = parse(vscodeVersion);
  const fix = `Set "engines.vscode" to "^1.100.0" or lower (and @types/vscode to ~1.100.0): the tests run in code-server 4.100.3, which is VS Code ${vscodeVersion}.`;
  if (!range) return `package.json has no engines.vscode. ${fix}`;
  if (range === '*') return undefined;
  const m = /^(\^|~|>=)?\s*(\d+\.(?:\d+|x)\.(?:\d+|x))$/.exec(range.trim());
  if (!m || !have)
    return `engines.vscode "${range}" is not a form this check understands (^x.y.z, ~x.y.z, >=x.y.z, x.y.z). ${fix}`;
  const want = parse(m[2]);
  const ok =
    m[1] === '>='
      ? cmp(have, want) >= 0
      : m[1] === '^'
        ? have[0] === want[0] && cmp(have, want) >= 0
        : m[1] === '~'
          ? have[0] === want[0] && have[1] === want[1] && have[2] >= want[2]
          : cmp(have, want) === 0 ||
            (m[2].includes('x') && have[0] === want[0] && (m[2].split('.')[1] === 'x' || have[1] === want[1]));
  return ok
    ? undefined
    : `engines.vscode "${range}" does not accept VS Code ${vscodeVersion}, so the extension would not load. ${fix}`;
}
