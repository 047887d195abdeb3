import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSyntaxError, parseJsonc, positionAt, toJsonValue, type ValueNode } from '../../src/core/config';

function syntaxError(text: string): ConfigSyntaxError {
  try {
    parseJsonc(text);
  } catch (err) {
    assert.ok(err instanceof ConfigSyntaxError, `expected ConfigSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a syntax error for ${JSON.stringify(text)}`);
}

function objectNode(node: ValueNode) {
  assert.equal(node.type, 'object');
  return node;
}

test('comments of both kinds and trailing commas are accepted', () => {
  const text = `// head
{
  /* block
     comment */ "a": 1, // after a value
  "b": [1, 2, 3,],
  "c": { "d": "x", },
}
/* tail */`;
  assert.deepEqual(toJsonValue(parseJsonc(text)), { a: 1, b: [1, 2, 3], c: { d: 'x' } });
});

test('values parse as JSON.parse does: escapes, numbers, literals, BOM', () => {
  const text =
    '\uFEFF{"s": "q\\"b\\\\n\\n\\u00e9\\/", "n": [-0.5, 1e3, 0, 12.25E-1], "t": true, "f": false, "z": null, "e": {}, "l": []}';
  assert.deepEqual(toJsonValue(parseJsonc(text)), JSON.parse(text.slice(1)));
});

test('every node keeps its offset and length, and every key its own', () => {
  const text = '{\n  "fps": 30,\n  "args": ["a", true],\n  "o": {"k": null}\n}';
  const root = objectNode(parseJsonc(text));
  assert.equal(root.offset, 0);
  assert.equal(root.length, text.length);
  const slice = (o: number, l: number) => text.slice(o, o + l);
  const [fps, args, o] = root.properties;
  assert.equal(slice(fps.keyOffset, fps.keyLength), '"fps"');
  assert.equal(slice(fps.value.offset, fps.value.length), '30');
  assert.equal(slice(args.value.offset, args.value.length), '["a", true]');
  assert.equal(args.value.type, 'array');
  if (args.value.type === 'array') {
    assert.equal(slice(args.value.items[0].offset, args.value.items[0].length), '"a"');
    assert.equal(slice(args.value.items[1].offset, args.value.items[1].length), 'true');
  }
  assert.equal(slice(o.value.offset, o.value.length), '{"k": null}');
  assert.deepEqual(positionAt(text, fps.value.offset), { line: 2, column: 10 });
});

test('duplicate keys are kept in the tree and the last wins in the value', () => {
  const root = objectNode(parseJsonc('{"a": 1, "a": 2}'));
  assert.equal(root.properties.length, 2);
  assert.deepEqual(toJsonValue(root), { a: 2 });
});

test('a "__proto__" key stays an ordinary key', () => {
  const value = toJsonValue(parseJsonc('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
});

test('positionAt counts \\n, \\r\\n and \\r as line ends', () => {
  assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
  assert.deepEqual(positionAt('ab\r\ncd', 5), { line: 2, column: 2 });
  assert.deepEqual(positionAt('ab\rcd', 3), { line: 2, column: 1 });
});

// [text, line, column, message fragment]
const SYNTAX_CASES: readonly [string, number, number, string][] = [
  [
    '{\n  "fps": 30\n  "task": "x"\n}',
    3,
    3,
    `expected ',' or '}' after the value of "fps", got "task"; is a comma missing?`,
  ],
  ['{"args": [1 2]}', 1, 13, `expected ',' or ']' after item 1 of "args", got '2'`],
  ['{"fps" 30}', 1, 8, `expected ':' after the key "fps", got '3'`],
  ['{fps: 30}', 1, 2, `expected a key in double quotes or '}', got 'fps'; keys need double quotes: "fps"`],
  ["{'fps': 30}", 1, 2, 'keys need double quotes, not single quotes'],
  ['{"task": \'x\'}', 1, 10, 'strings need double quotes, not single quotes (the value of "task")'],
  ['{"a": 1,,}', 1, 9, 'remove the extra comma'],
  ['{"a": [1,,2]}', 1, 10, `expected a value or ']' in the list of "a", got ','; remove the extra comma`],
  ['{"a": }', 1, 7, `expected a value for "a", got '}'`],
  ['{"a": True}', 1, 7, `unexpected 'True' as the value of "a"; write true in lower case`],
  ['{"a": NaN}', 1, 7, 'NaN is not valid JSON'],
  ['{"a": 01}', 1, 7, "invalid number '01'"],
  ['{"a": 1.}', 1, 7, "invalid number '1.'"],
  ['{"a": -}', 1, 7, "invalid number '-'"],
  ['{"a": "x\ny"}', 1, 7, 'unterminated string: close the " before the end of the line'],
  ['{"a": "xy', 1, 7, 'unterminated string: add the closing "'],
  ['{"a": "C:\\dir"}', 1, 10, "invalid escape '\\d' in a string"],
  ['{"a": "\\u12"}', 1, 8, 'invalid \\u escape'],
  ['{"a": "\t"}', 1, 8, 'control character in a string'],
  ['{"a": 1} /* tail', 1, 10, 'unterminated /* comment'],
  ['{"a": 1} x', 1, 10, 'unexpected text after the end of the config'],
  ['{"a": 1', 1, 8, `expected ',' or '}' after the value of "a", got the end of the file`],
  ['', 1, 1, 'the file is empty; write {} to use the defaults'],
  ['  // only a comment\n', 2, 1, 'the file is empty'],
];

for (const [text, line, column, fragment] of SYNTAX_CASES) {
  test(`syntax error at ${line}:${column} for ${JSON.stringify(text)}`, () => {
    const err = syntaxError(text);
    assert.ok(err.reason.includes(fragment), `message ${JSON.stringify(err.reason)} lacks ${JSON.stringify(fragment)}`);
    assert.equal(err.line, line);
    assert.equal(err.column, column);
    assert.equal(err.message, `line ${line}, column ${column}: ${err.reason}`);
  });
}

test('nesting is capped with a typed error instead of a stack overflow', () => {
  const deep = '['.repeat(100_000);
  const err = syntaxError(deep);
  assert.match(err.reason, /nesting deeper than 64 levels/);
  assert.equal(err.offset, 64);
  assert.doesNotThrow(() => parseJsonc(`${'['.repeat(64)}${']'.repeat(64)}`));
  assert.throws(() => parseJsonc('[[1]]', { maxDepth: 1 }), ConfigSyntaxError);
});
