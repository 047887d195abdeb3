// Property tests: whatever the text, parsing and validation end in typed errors or located problems, never a crash
// or a hang; and where JSON.parse accepts the text, the JSONC parser agrees with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_CONFIG_PROBLEMS } from '../../src/core/config/configProblem';
import {
  ConfigSyntaxError,
  defaultConfig,
  parseConfig,
  parseJsonc,
  starterConfigText,
  toJsonValue,
  type ConfigProblem,
} from '../../src/core/config';

function checkOutcome(text: string): void {
  const { config, problems } = parseConfig(text);
  for (const p of problems) assertWellFormed(p, text);
  const errors = problems.filter((p) => p.severity === 'error');
  assert.equal(config === undefined, errors.length > 0, 'a config exactly when there is no error');
}

function assertWellFormed(p: ConfigProblem, text: string): void {
  assert.ok(p.severity === 'error' || p.severity === 'warning');
  assert.ok(typeof p.message === 'string' && p.message.length > 0);
  assert.ok(Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= text.length, `offset ${p.offset}`);
  assert.ok(Number.isInteger(p.length) && p.length >= 0 && p.offset + p.length <= text.length, `length ${p.length}`);
  assert.ok(p.line >= 1 && p.column >= 1);
}

// Characters that matter to the grammar, so random text reaches deep into it rather than failing at once.
const JSONISH = fc.constantFrom(...'{}[]:,"\'\\/*\n\r\t -+.0123456789eEtruefalsn_abcxyz\u00e9\u2028'.split(''));
const jsonishText = fc.array(JSONISH, { maxLength: 200 }).map((cs) => cs.join(''));

test('random text yields a tree or a ConfigSyntaxError, and parseConfig never throws', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), jsonishText), (text) => {
      try {
        parseJsonc(text);
      } catch (err) {
        assert.ok(err instanceof ConfigSyntaxError, String(err));
        assert.ok(err.line >= 1 && err.column >= 1);
      }
      checkOutcome(text);
    }),
    { numRuns: 1500 },
  );
});

test('where JSON.parse accepts the text, parseJsonc gives the same value', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json({ maxDepth: 4 }), jsonishText), (text) => {
      let expected: unknown;
      try {
        expected = JSON.parse(text);
      } catch {
        return;
      }
      assert.deepEqual(toJsonValue(parseJsonc(text)), expected);
    }),
    { numRuns: 600 },
  );
});

interface Mutation {
  readonly at: number;
  readonly cut: number;
  readonly insert: string;
}
const mutation = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 12 }),
  insert: fc.oneof(
    fc.constant(''),
    jsonishText.map((s) => s.slice(0, 8)),
  ),
});

function mutate(text: string, ms: readonly Mutation[]): string {
  let out = text;
  for (const m of ms) {
    const at = m.at % (out.length + 1);
    out = out.slice(0, at) + m.insert + out.slice(at + m.cut);
  }
  return out;
}

test('mutated starter configs yield located problems or a config, never a crash', () => {
  const starter = starterConfigText();
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => checkOutcome(mutate(starter, ms))),
    { numRuns: 400 },
  );
});

/** A random JSON value put at a random path of the default config: wrong types, names, ranges, shapes. */
test('configs with random values in random places yield located problems or a config, never a crash', () => {
  const base = JSON.parse(JSON.stringify(defaultConfig())) as Record<string, unknown>;
  const keys = [
    'fps',
    'task',
    'activeModel',
    'models',
    'robot',
    'cameras',
    'converter',
    'chunking',
    'record',
    'mode',
    'kind',
    'port',
    'maxStep',
    'layout',
    'primary',
    'pi0',
    'front',
    'alpha',
    'nActionSteps',
    'command',
    'url',
    'view',
    'zzz',
  ];
  const put = (target: Record<string, unknown>, path: readonly string[], value: unknown): void => {
    let node: Record<string, unknown> = target;
    for (const k of path.slice(0, -1)) {
      const next = node[k];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  };
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...keys), { minLength: 1, maxLength: 4 }),
      fc.jsonValue({ maxDepth: 3 }),
      (path, value) => {
        const config = structuredClone(base);
        put(config, path, value);
        checkOutcome(JSON.stringify(config, null, 2));
      },
    ),
    { numRuns: 600 },
  );
});

// Cheap means bounded work (capped problems, capped depth), checked here by outcome; how fast is for `npm run bench`.
test('hostile input stays cheap: deep nesting, thousands of long unknown keys, a megabyte string', () => {
  const keys = Array.from(
    { length: 2_000 },
    (_, i) => `"${'k'.repeat(60)}${i}": [${'['.repeat(20)}${']'.repeat(20)}]`,
  ).join(',');
  const many = parseConfig(`{${keys}}`).problems;
  assert.equal(many.length, MAX_CONFIG_PROBLEMS);
  assert.match(many[0].message, /^unknown key "k{60}0" in the top level/);
  assert.equal(parseConfig('['.repeat(1_000_000)).problems[0].message, 'nesting deeper than 64 levels');
  assert.equal(parseConfig(`{"task": "${'x'.repeat(1_000_000)}"}`).problems.length, 0);
});

test('the property tests can fail: a broken outcome check is caught', () => {
  assert.throws(() =>
    assertWellFormed({ path: '', message: 'x', severity: 'error', offset: 5, length: 1, line: 1, column: 1 }, 'abc'),
  );
});
