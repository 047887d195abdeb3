// Config values that reach a process never pass through a shell: every child is spawned with a program and an
// argument array. This reads src/ and fails on shell options, exec-family calls, and command lines built as strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (/\.(ts|mts|cts)$/.test(d.name)) out.push(p);
  }
  return out;
}

/** The shell hazards in one file's text, as "line N: what". */
export function shellHazards(source: string): string[] {
  const found: string[] = [];
  // Comments blanked (same length, newlines kept) so that prose like "after spawn (…)" is not a call.
  const blank = (c: string) => c.replace(/[^\n]/g, ' ');
  const text = source.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/(^|\s)\/\/.*$/gm, blank);
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  const rules: [RegExp, string][] = [
    [/\bshell\s*:/g, 'a shell option'],
    [/\b(execSync|execFileSync|spawnSync)\s*\(/g, 'a synchronous child process'],
    [/(^|[^.\w])exec\s*\(/g, 'exec() runs its command through a shell'],
    [/\.exec\s*\(\s*[`'"]/g, 'exec() of a command string'],
    [/import\s*\{[^}]*\b(exec|execFile)\b[^}]*\}\s*from\s*['"](node:)?child_process['"]/g, 'exec / execFile imported'],
    [/['"`](\/bin\/sh|\/bin\/bash|cmd\.exe|powershell)['"`]/g, 'a shell as the program'],
  ];
  for (const [re, what] of rules)
    for (const m of text.matchAll(re)) found.push(`line ${lineOf(m.index ?? 0)}: ${what}`);
  // spawn(program, args, …): the program must not be a string built from parts, the arguments must be an array.
  for (const m of text.matchAll(/\bspawn\s*\(/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const [program, args] = topLevelArgs(text, start);
    if (/^`|\+|\.join\(/.test(program))
      found.push(`line ${lineOf(start)}: spawn of a command line built as a string (${program})`);
    if (args === undefined || !/^(\[|[A-Za-z_$][\w$.]*\(|[A-Za-z_$][\w$.]*$)/.test(args)) {
      found.push(`line ${lineOf(start)}: spawn without an argument array (${args ?? 'none'})`);
    }
  }
  return found;
}

/** The first two arguments of a call whose "(" ends at `start`, split at top-level commas. */
function topLevelArgs(text: string, start: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let from = start;
  let quote: string | undefined;
  for (let i = start; i < text.length && args.length < 2; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) {
        args.push(text.slice(from, i).trim());
        break;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  return args;
}

test('src/ starts no child through a shell: programs and argument arrays only', async () => {
  const offenders: string[] = [];
  const files = await sourceFiles(join(root, 'src'));
  let spawns = 0;
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    spawns += [...text.matchAll(/\bspawn\s*\(/g)].length;
    for (const h of shellHazards(text)) offenders.push(`${relative(root, f)} ${h}`);
  }
  assert.ok(spawns >= 4, `found only ${spawns} spawn calls; is the scan reading src/?`);
  assert.deepEqual(offenders, []);
});

test('the scan can fail: shell options, exec and string-built command lines are reported', () => {
  const bad = [
    "import { exec } from 'node:child_process';",
    'exec(`uv run ${script}`);',
    'spawn(`${cmd} ${args.join(" ")}`, { shell: true });',
    "spawn(command + ' ' + arg, []);",
    "spawn('/bin/sh', ['-c', line]);",
    'execSync(line);',
  ].join('\n');
  const found = shellHazards(bad);
  for (const what of [
    'exec / execFile imported',
    'exec() runs its command',
    'a shell option',
    'built as a string',
    'a shell as the program',
    'synchronous child process',
    'without an argument array',
  ]) {
    assert.ok(
      found.some((f) => f.includes(what)),
      `${what} not reported: ${found.join('; ')}`,
    );
  }
  assert.deepEqual(
    shellHazards(
      'spawn(spec.command, [...spec.args], { cwd, env });\nconst m = /x/.exec(line);\n// after spawn (e.g. x)',
    ),
    [],
  );
});
