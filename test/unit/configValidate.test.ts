// Schema-driven validation: every problem, its path, the exact text it points at, and a message that says what is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigProblem } from '../../src/core/config';

function problems(text: string): readonly ConfigProblem[] {
  return parseConfig(text).problems;
}

/** The single problem at `path`, checked to point at `pointsAt` (the n-th occurrence in the text). */
function problemAt(text: string, path: string, pointsAt: string, occurrence = 0): ConfigProblem {
  const found = problems(text).filter((p) => p.path === path);
  assert.equal(found.length, 1, `one problem at ${path}, got ${JSON.stringify(problems(text), null, 1)}`);
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) offset = text.indexOf(pointsAt, offset + 1);
  assert.ok(offset >= 0);
  assert.equal(found[0].offset, offset, `offset of ${path}`);
  assert.equal(found[0].length, pointsAt.length, `length of ${path}`);
  assert.equal(found[0].severity, 'error');
  return found[0];
}

test('an unknown key points at the key and suggests the closest known one', () => {
  const p = problemAt('{ "fsp": 30 }', 'fsp', '"fsp"');
  assert.equal(p.message, 'unknown key "fsp" in the top level; did you mean "fps"?');
  assert.deepEqual([p.line, p.column], [1, 3]);
  const nested = problemAt('{ "chunking": { "mode": "async", "treshold": 0.3 } }', 'chunking.treshold', '"treshold"');
  assert.equal(nested.message, 'unknown key "treshold" in chunking; did you mean "threshold"?');
});

test('an unknown key with no close match lists the allowed keys', () => {
  const p = problemAt('{ "record": { "zzz": 1 } }', 'record.zzz', '"zzz"');
  assert.equal(p.message, 'unknown key "zzz" in record; allowed: enabled, dir, frames, pngEvery');
});

test('a key of the other chunking mode says which mode it belongs to', () => {
  const p = problemAt(
    '{ "chunking": { "mode": "async", "nActionSteps": 8 } }',
    'chunking.nActionSteps',
    '"nActionSteps"',
  );
  assert.equal(
    p.message,
    '"nActionSteps" is a setting of "mode": "sync", but chunking has "mode": "async"; change "mode" or remove the key',
  );
});

test('a number out of range names the key and the range, at the value', () => {
  assert.equal(
    problemAt('{ "chunking": { "mode": "async", "alpha": 1.5 } }', 'chunking.alpha', '1.5').message,
    'chunking.alpha must be a number from 0 to 1, got 1.5',
  );
  assert.equal(problemAt('{ "fps": 0 }', 'fps', '0').message, 'fps must be a whole number from 1 to 1000, got 0');
  assert.equal(
    problemAt('{ "fps": 29.97 }', 'fps', '29.97').message,
    'fps must be a whole number from 1 to 1000, got 29.97',
  );
  assert.equal(
    problemAt('{ "cameras": { "c": { "kind": "ffmpeg", "device": "cam", "fps": 0 } } }', 'cameras.c.fps', '0').message,
    'cameras.c.fps must be a number greater than 0 and at most 240, got 0',
  );
});

test('a number written as a string is told to drop the quotes', () => {
  assert.equal(
    problemAt('{ "fps": "30" }', 'fps', '"30"').message,
    'fps must be a whole number from 1 to 1000, got the string "30"; write 30 without quotes',
  );
});

test('a wrong type names the expected type', () => {
  assert.equal(problemAt('{ "robot": [] }', 'robot', '[]').message, 'robot must be an object { … }, got a list');
  assert.equal(
    problemAt('{ "record": { "enabled": "yes" } }', 'record.enabled', '"yes"').message,
    'record.enabled must be true or false, got the string "yes"',
  );
  assert.equal(
    problemAt(
      '{ "models": { "m": { "kind": "command", "command": "uv", "args": ["run", 8000] } } }',
      'models.m.args[1]',
      '8000',
    ).message,
    'models.m.args[1] must be a string, got 8000',
  );
});

test('the root must be an object', () => {
  const [p] = problems('[1, 2]');
  assert.equal(p.path, '');
  assert.equal(p.message, 'the config must be an object { … }, got a list');
});

test('an enum value lists the choices and suggests the closest', () => {
  assert.equal(
    problemAt('{ "robot": { "normMode": "degree" } }', 'robot.normMode', '"degree"').message,
    'robot.normMode must be "degrees" or "range_m100_100", got the string "degree"; did you mean "degrees"?',
  );
  assert.equal(
    problemAt('{ "converter": { "layout": "pi0" } }', 'converter.layout', '"pi0"').message,
    'converter.layout must be "openpi-so100", "droid", "libero", "aloha" or "lerobot-ws", got the string "pi0"',
  );
});

test('a missing or wrong discriminator lists the kinds, pointing at the entry key or the bad value', () => {
  const missing = problemAt('{ "models": { "mine": { "command": "uv" } } }', 'models.mine.kind', '"mine"');
  assert.equal(missing.message, 'models.mine needs "kind": "builtin", "command" or "remote"');
  const wrong = problemAt('{ "models": { "mine": { "kind": "comand" } } }', 'models.mine.kind', '"comand"');
  assert.equal(
    wrong.message,
    'models.mine.kind must be "builtin", "command" or "remote", got the string "comand"; did you mean "command"?',
  );
  const mode = problemAt('{ "chunking": {} }', 'chunking.mode', '"chunking"');
  assert.equal(mode.message, 'chunking needs "mode": "async" or "sync"');
});

test('required keys of the chosen kind are reported at the entry key', () => {
  assert.equal(
    problemAt('{ "models": { "mine": { "kind": "command" } } }', 'models.mine.command', '"mine"').message,
    'models.mine needs "command"',
  );
  assert.equal(
    problemAt('{ "cameras": { "top": { "kind": "ffmpeg" } } }', 'cameras.top.device', '"top"').message,
    'cameras.top needs "device"',
  );
});

test('patterns report their own message: empty command, bad url, bad robot id', () => {
  assert.equal(
    problemAt('{ "models": { "m": { "kind": "command", "command": "  " } } }', 'models.m.command', '"  "').message,
    'models.m.command must name a program, e.g. "uv", got the string "  "',
  );
  assert.equal(
    problemAt(
      '{ "models": { "r": { "kind": "remote", "url": "http://gpu:8000" } } }',
      'models.r.url',
      '"http://gpu:8000"',
    ).message,
    'models.r.url must be a websocket URL such as "ws://gpu-box:8000", got the string "http://gpu:8000"',
  );
  assert.match(
    problemAt('{ "robot": { "id": "my arm" } }', 'robot.id', '"my arm"').message,
    /^robot\.id may use only letters, digits/,
  );
});

test('maxStep takes a positive number, per-motor caps or null, and says so', () => {
  assert.equal(parseConfig('{ "robot": { "maxStep": 5 } }').problems.length, 0);
  assert.equal(parseConfig('{ "robot": { "maxStep": { "gripper": 30 } } }').problems.length, 0);
  assert.equal(parseConfig('{ "robot": { "maxStep": null } }').problems.length, 0);
  assert.equal(
    problemAt('{ "robot": { "maxStep": "8" } }', 'robot.maxStep', '"8"').message,
    'robot.maxStep must be a number greater than 0, an object { … } or null, got the string "8"',
  );
  assert.equal(
    problemAt('{ "robot": { "maxStep": 0 } }', 'robot.maxStep', '0').message,
    'robot.maxStep must be a number greater than 0, got 0',
  );
  assert.equal(
    problemAt('{ "robot": { "maxStep": { "griper": 3 } } }', 'robot.maxStep.griper', '"griper"').message,
    'unknown key "griper" in robot.maxStep; did you mean "gripper"?',
  );
});

test('duplicate keys are errors at the repeated key', () => {
  const p = problemAt('{ "fps": 30, "fps": 60 }', 'fps', '"fps"', 1);
  assert.equal(p.message, 'duplicate key "fps" in the top level; only the last one is used, remove the others');
});

test('all problems are reported at once, in text order, with lines and columns', () => {
  const text = `{
  "fsp": 30,
  "chunking": { "mode": "async", "alpha": 2 },
  "robot": { "normMode": "deg" },
  "record": { "frames": "gif" },
}`;
  const all = problems(text);
  assert.deepEqual(
    all.map((p) => [p.path, p.line, p.column]),
    [
      ['fsp', 2, 3],
      ['chunking.alpha', 3, 43],
      ['robot.normMode', 4, 26],
      ['record.frames', 5, 25],
    ],
  );
  assert.equal(parseConfig(text).config, undefined);
});

test('model and camera names with odd characters are quoted in paths', () => {
  const p = problems('{ "models": { "my model": { "kind": "remote", "url": 1 } } }');
  assert.equal(p[0].path, 'models["my model"].url');
});
