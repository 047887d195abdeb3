import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ActionChunk } from '../../src/core/chunking/actionChunk';
import { builtinConverter, type LeRobotObservation } from '../../src/core/convert';
import { SO100_MOTORS } from '../../src/core/so100/motors';
import { UserConverter, UserConverterError, type CompileDiagnostic } from '../../src/io/convert';

const WAIT_MS = 10_000;
let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'so100-userconv-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh folder per test holding the given files; returns its path. */
async function workspace(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

/** 1-based line of the first line of `text` containing `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} not in source`);
  return i + 1;
}

/** The first emission of `event`, failing after WAIT_MS instead of hanging. */
async function next<T extends unknown[]>(uc: UserConverter, event: 'reloaded' | 'compileFailed'): Promise<T> {
  return (await once(uc, event, { signal: AbortSignal.timeout(WAIT_MS) })) as T;
}

function observation(task = ''): LeRobotObservation {
  const positions = Object.fromEntries(SO100_MOTORS.map((m, i) => [m, i * 10 + 1])) as LeRobotObservation['positions'];
  return { positions, images: {}, task };
}

const HELPER = `export function scale(x: number, k: number): number {\n  return x * k;\n}\n`;
const TS_CONVERTER = `import { scale } from './helper';
import type { Dummy } from './types';

interface Obs { positions: Record<string, number>; task: string }
const FACTOR: Dummy = 3;

export function toPolicy(obs: Obs) {
  if (obs.task === 'explode') {
    throw new RangeError('no such task'); // THROW_HERE
  }
  return { 'observation/pan': scale(obs.positions.shoulder_pan, FACTOR), prompt: obs.task };
}

export function fromPolicy(chunk: unknown, builtin: { fromPolicy(c: unknown): { targets: Float64Array; horizon: number } }) {
  const r = builtin.fromPolicy(chunk);
  return { horizon: r.horizon, targets: r.targets.map((v) => scale(v, 2)), warnings: ['doubled'] };
}
`;

test('a .ts converter with type annotations and a relative import is compiled and used, with the built-in converter passed in', async () => {
  const dir = await workspace('ts', {
    'helper.ts': HELPER,
    'types.ts': 'export type Dummy = number;\n',
    'convert.ts': TS_CONVERTER,
  });
  const file = join(dir, 'convert.ts');
  const uc = await UserConverter.load(file, { layout: 'openpi-so100', watch: false });
  try {
    assert.equal(uc.name, file);
    assert.equal(uc.layout?.name, builtinConverter('openpi-so100').layout?.name);
    assert.ok(uc.inputs.includes(join(dir, 'helper.ts')), `inputs ${uc.inputs.join(', ')} lack helper.ts`);
    const obs = observation('pick');
    const r = uc.toPolicy(obs);
    assert.deepEqual(r.input, { 'observation/pan': obs.positions.shoulder_pan * 3, prompt: 'pick' });
    assert.deepEqual(r.warnings, []);

    const dims = 32;
    const values = Float64Array.from({ length: 4 * dims }, (_, i) => (i % 7) * 0.5 - 1);
    const expected = builtinConverter('openpi-so100').fromPolicy(new ActionChunk(4, dims, values));
    const got = uc.fromPolicy(new ActionChunk(4, dims, values));
    assert.equal(got.horizon, expected.horizon);
    assert.deepEqual(
      [...got.targets],
      [...expected.targets].map((v) => v * 2),
    );
    assert.deepEqual(got.warnings, ['doubled']);
  } finally {
    uc.dispose();
  }
});

test('bare results are normalised: an input map gets no warnings, a Float64Array becomes horizon × 6 targets', async () => {
  const src = `exports.toPolicy = (obs) => ({ state: [obs.positions.gripper], task: obs.task });
exports.fromPolicy = (chunk) => Float64Array.from(chunk.values.subarray(0, chunk.horizon * 6));
`;
  const dir = await workspace('bare', { 'convert.js': src });
  const uc = await UserConverter.load(join(dir, 'convert.js'), { layout: 'droid', watch: false });
  try {
    const obs = observation('wave');
    assert.deepEqual(uc.toPolicy(obs), { input: { state: [obs.positions.gripper], task: 'wave' }, warnings: [] });
    const values = Float64Array.from({ length: 18 }, (_, i) => i);
    const t = uc.fromPolicy(new ActionChunk(3, 6, values));
    assert.equal(t.horizon, 3);
    assert.deepEqual([...t.targets], [...values]);
    assert.deepEqual(t.warnings, []);
  } finally {
    uc.dispose();
  }
});

test('a wrong-sized bare fromPolicy result is refused with the counts', async () => {
  const dir = await workspace('badsize', { 'convert.js': 'exports.fromPolicy = () => new Float64Array(7);\n' });
  const uc = await UserConverter.load(join(dir, 'convert.js'), { layout: 'droid', watch: false });
  try {
    assert.throws(
      () => uc.fromPolicy(new ActionChunk(1, 6, new Float64Array(6))),
      (e: unknown) => {
        assert.ok(e instanceof UserConverterError);
        assert.match(e.message, /7 targets/);
        assert.match(e.message, /multiple of 6/);
        return true;
      },
    );
  } finally {
    uc.dispose();
  }
});

test('a throw inside toPolicy becomes a UserConverterError naming the .ts file and line of the throw', async () => {
  const dir = await workspace('throw', {
    'helper.ts': HELPER,
    'types.ts': 'export type Dummy = number;\n',
    'convert.ts': TS_CONVERTER,
  });
  const file = join(dir, 'convert.ts');
  const uc = await UserConverter.load(file, { layout: 'openpi-so100', watch: false });
  try {
    const line = lineOf(TS_CONVERTER, 'THROW_HERE');
    assert.throws(
      () => uc.toPolicy(observation('explode')),
      (e: unknown) => {
        assert.ok(e instanceof UserConverterError, `got ${String(e)}`);
        assert.equal(e.stage, 'toPolicy');
        assert.equal(e.location?.file, file);
        assert.equal(e.location?.line, line);
        assert.ok((e.location?.column ?? 0) >= 1);
        assert.ok(e.message.includes(`${file}:${line}:`), e.message);
        assert.match(e.message, /RangeError: no such task/);
        assert.ok(e.cause instanceof RangeError);
        return true;
      },
    );
  } finally {
    uc.dispose();
  }
});

test('a throw inside an imported file is located in that file', async () => {
  const helper = `export function check(x: number): number {\n  if (x > 0) throw new Error('positive'); // HELPER_THROW\n  return x;\n}\n`;
  const dir = await workspace('throwimport', {
    'check.ts': helper,
    'convert.ts': `import { check } from './check';\nexport const toPolicy = (obs: { positions: { gripper: number } }) => ({ g: check(obs.positions.gripper) });\n`,
  });
  const uc = await UserConverter.load(join(dir, 'convert.ts'), { layout: 'droid', watch: false });
  try {
    assert.throws(
      () => uc.toPolicy(observation()),
      (e: unknown) => {
        assert.ok(e instanceof UserConverterError);
        assert.equal(e.location?.file, join(dir, 'check.ts'));
        assert.equal(e.location?.line, lineOf(helper, 'HELPER_THROW'));
        return true;
      },
    );
  } finally {
    uc.dispose();
  }
});

test('editing the module reloads it: the next call runs the new code', async () => {
  const dir = await workspace('edit', { 'convert.ts': `export const toPolicy = () => ({ version: 1 });\n` });
  const file = join(dir, 'convert.ts');
  const uc = await UserConverter.load(file, { layout: 'droid', debounceMs: 20 });
  try {
    assert.deepEqual(uc.toPolicy(observation()).input, { version: 1 });
    const reloaded = next(uc, 'reloaded');
    await writeFile(file, `export const toPolicy = (): { version: number } => ({ version: 2 });\n`);
    await reloaded;
    assert.deepEqual(uc.toPolicy(observation()).input, { version: 2 });
  } finally {
    uc.dispose();
  }
});

test('editing an imported file reloads the module', async () => {
  const dir = await workspace('editimport', {
    'value.ts': 'export const value = 10;\n',
    'convert.ts': `import { value } from './value';\nexport const toPolicy = () => ({ value });\n`,
  });
  const uc = await UserConverter.load(join(dir, 'convert.ts'), { layout: 'droid', debounceMs: 20 });
  try {
    assert.deepEqual(uc.toPolicy(observation()).input, { value: 10 });
    const reloaded = next(uc, 'reloaded');
    await writeFile(join(dir, 'value.ts'), 'export const value = 20;\n');
    await reloaded;
    assert.deepEqual(uc.toPolicy(observation()).input, { value: 20 });
  } finally {
    uc.dispose();
  }
});

test('a syntax error keeps the previous module running and reports file:line; fixing it reloads', async () => {
  const dir = await workspace('syntax', { 'convert.ts': `export const toPolicy = () => ({ good: true });\n` });
  const file = join(dir, 'convert.ts');
  const uc = await UserConverter.load(file, { layout: 'droid', debounceMs: 20 });
  try {
    const broken = `export const toPolicy = () => ({ good: false });\n\nexport function oops( {\n  return 1; // BROKEN\n}\n`;
    const failed = next<[CompileDiagnostic, UserConverterError]>(uc, 'compileFailed');
    await writeFile(file, broken);
    const [diag, err] = await failed;
    assert.equal(diag.file, file);
    assert.ok(
      diag.line !== undefined && diag.line >= lineOf(broken, 'oops(') && diag.line <= lineOf(broken, 'BROKEN'),
      `line ${diag.line}`,
    );
    assert.ok((diag.column ?? 0) >= 1);
    assert.ok(diag.message.includes(`${file}:${diag.line}:${diag.column}`), diag.message);
    assert.equal(err.stage, 'compile');
    assert.deepEqual(uc.toPolicy(observation()).input, { good: true }, 'the previous module must keep running');

    const reloaded = next(uc, 'reloaded');
    await writeFile(file, `export const toPolicy = () => ({ good: 'again' });\n`);
    await reloaded;
    assert.deepEqual(uc.toPolicy(observation()).input, { good: 'again' });
  } finally {
    uc.dispose();
  }
});

test('a module whose top level throws on reload is reported with its line and the old one keeps running', async () => {
  const dir = await workspace('toplevel', { 'convert.js': `exports.toPolicy = () => ({ ok: 1 });\n` });
  const file = join(dir, 'convert.js');
  const uc = await UserConverter.load(file, { layout: 'droid', debounceMs: 20 });
  try {
    const bad = `exports.toPolicy = () => ({ ok: 2 });\nthrow new Error('init failed'); // TOP\n`;
    const failed = next<[CompileDiagnostic, UserConverterError]>(uc, 'compileFailed');
    await writeFile(file, bad);
    const [diag, err] = await failed;
    assert.equal(err.stage, 'load');
    assert.equal(diag.file, file);
    assert.equal(diag.line, lineOf(bad, 'TOP'));
    assert.match(diag.message, /init failed/);
    assert.deepEqual(uc.toPolicy(observation()).input, { ok: 1 });
  } finally {
    uc.dispose();
  }
});

test('a module exporting neither toPolicy nor fromPolicy is refused with a message naming both', async () => {
  const dir = await workspace('noexports', {
    'convert.ts': `export const toPolicyy = () => ({});\nexport default 1;\n`,
  });
  const file = join(dir, 'convert.ts');
  await assert.rejects(UserConverter.load(file, { layout: 'droid', watch: false }), (e: unknown) => {
    assert.ok(e instanceof UserConverterError);
    assert.equal(e.stage, 'exports');
    assert.ok(e.message.includes(file), e.message);
    assert.match(e.message, /toPolicy/);
    assert.match(e.message, /fromPolicy/);
    assert.match(e.message, /'toPolicyy'/, 'names what it did export');
    return true;
  });
});

test('a missing module file is a clear error naming the path and the setting', async () => {
  const file = join(tmp, 'nowhere', 'convert.ts');
  await assert.rejects(UserConverter.load(file, { layout: 'droid', watch: false }), (e: unknown) => {
    assert.ok(e instanceof UserConverterError);
    assert.equal(e.stage, 'missing');
    assert.ok(e.message.includes(file), e.message);
    assert.match(e.message, /converter\.module/);
    return true;
  });
});

test('a module that fails to compile at load time is a clear error with file:line', async () => {
  // (Inside an arrow function's body sucrase reports the arrow itself: its parser backtracks there.)
  const src = `export function toPolicy(obs: unknown) {\n  return ({ a: 1 ;\n}\n`;
  const dir = await workspace('badload', { 'convert.ts': src });
  const file = join(dir, 'convert.ts');
  await assert.rejects(UserConverter.load(file, { layout: 'droid', watch: false }), (e: unknown) => {
    assert.ok(e instanceof UserConverterError);
    assert.equal(e.stage, 'compile');
    assert.equal(e.location?.file, file);
    assert.equal(e.location?.line, 2);
    return true;
  });
});

test('TypeScript-only syntax (enum, interface, annotations, `import type`, a `.js` import naming a .ts file, an index folder) compiles', async () => {
  const dir = await workspace('tsonly', {
    'convert.ts': `import type { Gains } from './types';
import { double } from './math.js';
import { LABEL } from './consts';
enum Mode { Slow = 1, Fast = 2 }
interface Wrapped { readonly mode: Mode; }
const gains: Gains = { k: 3 };
const w: Wrapped = { mode: Mode.Fast };
export function toPolicy(obs: { task: string }): Record<string, unknown> {
  return { mode: Mode[w.mode], k: double(gains.k), label: LABEL, prompt: obs.task as string };
}
`,
    'types.ts': 'export interface Gains { k: number }\n',
    'math.ts': 'export const double = (x: number): number => x * 2;\n',
    'consts/index.ts': "export const LABEL: string = 'sibling';\n",
  });
  const uc = await UserConverter.load(join(dir, 'convert.ts'), { layout: 'droid', watch: false });
  try {
    assert.deepEqual(uc.toPolicy(observation('go')).input, { mode: 'Fast', k: 6, label: 'sibling', prompt: 'go' });
    assert.deepEqual(
      [...uc.inputs].sort(),
      ['consts/index.ts', 'convert.ts', 'math.ts', 'types.ts'].map((f) => join(dir, f)).sort(),
    );
  } finally {
    uc.dispose();
  }
});

test('a type-only import of a missing file is a compile error naming the import, its line and the fix', async () => {
  const src = `export function toPolicy(obs: unknown) { return obs; }\nimport type { Gains } from './gains';\n`;
  const dir = await workspace('missingtype', { 'convert.ts': src });
  const file = join(dir, 'convert.ts');
  await assert.rejects(UserConverter.load(file, { layout: 'droid', watch: false }), (e: unknown) => {
    assert.ok(e instanceof UserConverterError);
    assert.equal(e.stage, 'compile');
    assert.match(e.message, /cannot find '\.\/gains'.*create the file or correct the path/);
    assert.deepEqual(e.location, { file, line: 2, column: 28 });
    return true;
  });
});

test('a module that throws at load is a load error naming its line', async () => {
  const src = `const limits: number[] = [];\nif (limits.length === 0) throw new Error('limits not set');\nexport function toPolicy(o: unknown) { return o; }\n`;
  const dir = await workspace('throwsload', { 'convert.ts': src });
  const file = join(dir, 'convert.ts');
  await assert.rejects(UserConverter.load(file, { layout: 'droid', watch: false }), (e: unknown) => {
    assert.ok(e instanceof UserConverterError);
    assert.equal(e.stage, 'load');
    assert.match(e.message, /its top level threw: limits not set/);
    assert.equal(e.location?.file, file);
    assert.equal(e.location?.line, 2);
    return true;
  });
});

test('the compiled module carries an inline source map whose source is the user file (what a debugger binds breakpoints to)', async () => {
  const dir = await workspace('srcmap', { 'convert.ts': `export function toPolicy(o: unknown) {\n  return o;\n}\n` });
  const file = join(dir, 'convert.ts');
  const { findSourceMap } = await import('node:module');
  const { compileConverter } = await import('../../src/io/convert');
  const c = await compileConverter(file);
  const map = findSourceMap(c.compiledNames[0]);
  assert.ok(map, 'no source map registered for the compiled module');
  assert.deepEqual(
    map.payload.sources.map((s: string) => (s.startsWith('file://') ? new URL(s).pathname : s)),
    [file],
  );
});
