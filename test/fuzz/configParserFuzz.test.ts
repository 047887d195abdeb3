// Fuzz: the so100.json parser. Typed error: ConfigSyntaxError from parseJsonc; parseConfig never throws and turns
// everything into located problems. Inputs: random text, text rich in JSON syntax, byte-level mutations of the
// starter config (decoded as UTF-8, as a file read would be), and hostile nesting / long strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ConfigSyntaxError,
  parseConfig,
  parseJsonc,
  starterConfigText,
  type ConfigProblem,
} from '../../src/core/config';
import { MAX_CONFIG_PROBLEMS } from '../../src/core/config/configProblem';
import { fuzzRuns, mutated, onlyTyped, runFuzz } from './fuzzHarness';

const RUNS = fuzzRuns(1000);
const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: false });

function checkText(text: string): void {
  onlyTyped(() => parseJsonc(text), [ConfigSyntaxError]);
  const { config, problems } = parseConfig(text); // must not throw at all
  assert.ok(problems.length <= MAX_CONFIG_PROBLEMS);
  for (const p of problems) located(p, text);
  assert.equal(
    config === undefined,
    problems.some((p) => p.severity === 'error'),
    'a config exactly when there is no error',
  );
}

function located(p: ConfigProblem, text: string): void {
  assert.ok(p.message.length > 0);
  assert.ok(
    Number.isInteger(p.offset) && p.offset >= 0 && p.offset + p.length <= text.length,
    `problem span ${p.offset}+${p.length}`,
  );
  assert.ok(p.line >= 1 && p.column >= 1);
}

const syntaxy = fc
  .array(
    fc.constantFrom(
      ...'{}[]:,"\\/*\n -.0123456789eEtrufalsn'.split(''),
      '"fps"',
      '"models"',
      '//',
      '/*',
      '*/',
      'true',
      'null',
      '1e999',
    ),
    { maxLength: 120 },
  )
  .map((a) => a.join(''));
const starter = te.encode(starterConfigText());
const corpus = [
  starter,
  te.encode('{"fps": 30, "models": {"m": {"kind": "remote", "url": "ws://10.0.0.2:8000"}}, "activeModel": "m"}'),
  te.encode('{}'),
];
const hostile = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '/*', '"', '-', '1e'))
  .map(([n, unit]) => unit.repeat(n));

test('fuzz: random, syntax-rich, mutated and hostile config texts give a config or located problems', () => {
  const input = fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
    { weight: 2, arbitrary: syntaxy },
    { weight: 4, arbitrary: mutated(corpus).map((b) => td.decode(b)) },
    { weight: 1, arbitrary: hostile },
  );
  runFuzz('config parser', fc.property(input, checkText), RUNS);
});

test('found by the long run: nesting refused at the last character is located inside the text', () => {
  const text = '['.repeat(64);
  const [p] = parseConfig(text).problems;
  assert.equal(p.message, 'nesting deeper than 64 levels');
  located(p, text);
});

test('the checks can fail: a problem outside the text is caught', () => {
  assert.throws(() =>
    located({ path: '', message: 'x', severity: 'error', offset: 3, length: 2, line: 1, column: 4 }, 'abc'),
  );
  assert.throws(
    () =>
      onlyTyped(() => {
        throw new RangeError('stack');
      }, [ConfigSyntaxError]),
    RangeError,
  );
});
