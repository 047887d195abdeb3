// Checks the schema cannot express: references between sections and settings that depend on each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type ConfigProblem } from '../../src/core/config';

function only(text: string, severity: 'error' | 'warning' = 'error'): ConfigProblem {
  const { problems, config } = parseConfig(text);
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
  assert.equal(problems[0].severity, severity);
  assert.equal(config === undefined, severity === 'error', 'a config only when there is no error');
  return problems[0];
}

function pointsAt(text: string, p: ConfigProblem, fragment: string, occurrence = 0): void {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) offset = text.indexOf(fragment, offset + 1);
  assert.deepEqual([p.offset, p.length], [offset, fragment.length], `${p.path} should point at ${fragment}`);
}

test('activeModel must name a model, with a suggestion; the built-ins always exist', () => {
  const text = '{ "activeModel": "pi0-fast" }';
  const p = only(text);
  assert.equal(p.path, 'activeModel');
  assert.equal(
    p.message,
    'activeModel "pi0-fast" is not a model; use one of "pi0", "pi0_fast"; did you mean "pi0_fast"?',
  );
  pointsAt(text, p, '"pi0-fast"');
  assert.equal(
    parseConfig('{ "activeModel": "pi0_fast", "models": { "mine": { "kind": "remote", "url": "ws://x:1" } } }').problems
      .length,
    0,
  );
});

test('converter.cameras must name configured cameras', () => {
  const text = '{ "converter": { "cameras": { "primary": "top", "secondary": "wrist" } } }';
  const p = only(text);
  assert.equal(p.path, 'converter.cameras.primary');
  assert.equal(p.message, 'converter.cameras.primary "top" is not a configured camera; use "front", "wrist"');
  pointsAt(text, p, '"top"');
});

test('the same camera in both slots is a warning', () => {
  const p = only('{ "converter": { "cameras": { "primary": "front", "secondary": "front" } } }', 'warning');
  assert.equal(p.path, 'converter.cameras.secondary');
});

test('sync prefetchSteps must be smaller than nActionSteps', () => {
  const text = '{ "chunking": { "mode": "sync", "nActionSteps": 5, "prefetchSteps": 5 } }';
  const p = only(text);
  assert.equal(p.path, 'chunking.prefetchSteps');
  assert.match(p.message, /prefetchSteps \(5\) must be smaller than chunking\.nActionSteps \(5\)/);
  pointsAt(text, p, '5', 1);
  assert.equal(
    parseConfig('{ "chunking": { "mode": "sync", "nActionSteps": 5, "prefetchSteps": 4 } }').problems.length,
    0,
  );
});

test("chunk lengths beyond the built-in model's horizon are warnings", () => {
  const p = only('{ "activeModel": "pi0_fast", "chunking": { "mode": "async", "actionsPerChunk": 20 } }', 'warning');
  assert.equal(p.path, 'chunking.actionsPerChunk');
  assert.match(p.message, /exceeds the 10-action chunks of pi0_fast/);
  assert.equal(
    parseConfig('{ "chunking": { "mode": "async", "actionsPerChunk": 20 } }').problems.length,
    0,
    'pi0 chunks hold 50',
  );
});

test('a built-in model slower than the request timeout is an error at its latency', () => {
  const text = '{ "requestTimeoutMs": 500, "models": { "pi0": { "kind": "builtin", "latencyMs": 800 } } }';
  const p = only(text);
  assert.equal(p.path, 'models.pi0.latencyMs');
  pointsAt(text, p, '800');
  assert.match(p.message, /^models\.pi0\.latencyMs \(800 ms\) must be shorter than requestTimeoutMs \(500 ms\)/);
  assert.equal(
    parseConfig('{ "requestTimeoutMs": 100, "activeModel": "pi0_fast" }').problems.length,
    0,
    "the profile's 90 ms fits",
  );
});

test("an explicit layout must fit the active model's protocol; left out it follows it", () => {
  const models = '"models": { "lr": { "kind": "remote", "url": "ws://h:8080", "protocol": "lerobot-ws" } }';
  const text = `{ "activeModel": "lr", ${models}, "converter": { "layout": "droid" } }`;
  const p = only(text);
  assert.equal(p.path, 'converter.layout');
  assert.match(p.message, /does not fit the lerobot-ws protocol of model "lr"; use "lerobot-ws"/);
  pointsAt(text, p, '"droid"');
  assert.equal(parseConfig(`{ "activeModel": "lr", ${models} }`).config?.converter.layout, 'lerobot-ws');
  assert.equal(
    parseConfig(`{ "activeModel": "lr", ${models}, "converter": { "layout": "droid", "module": "c.ts" } }`).problems
      .length,
    0,
    'a user module decides the wire format itself',
  );
});

test('a synthetic camera not named front or wrist needs a view', () => {
  const text = '{ "cameras": { "top": { "kind": "synthetic" } } }';
  const p = only(text);
  assert.equal(p.path, 'cameras.top.view');
  pointsAt(text, p, '"top"');
  assert.equal(
    parseConfig('{ "cameras": { "top": { "kind": "synthetic", "view": "front" } } }').config?.cameras.top.kind,
    'synthetic',
  );
});

test('two ffmpeg cameras on one device is an error at the second', () => {
  const text =
    '{ "cameras": { "a": { "kind": "ffmpeg", "device": "/dev/video0" }, "b": { "kind": "ffmpeg", "device": "/dev/video0" } } }';
  const p = only(text);
  assert.equal(p.path, 'cameras.b.device');
  pointsAt(text, p, '"/dev/video0"', 1);
});

test('warnings: synthetic cameras on a real arm, a camera slower than the loop, pngEvery with frames off, no cameras', () => {
  assert.equal(
    only('{ "robot": { "port": "/dev/ttyACM0" }, "cameras": { "front": { "kind": "synthetic" } } }', 'warning').path,
    'cameras.front',
  );
  assert.equal(
    only('{ "cameras": { "c": { "kind": "ffmpeg", "device": "/dev/video0", "fps": 15 } } }', 'warning').path,
    'cameras.c.fps',
  );
  assert.equal(only('{ "record": { "frames": "none", "pngEvery": 5 } }', 'warning').path, 'record.pngEvery');
  assert.equal(
    parseConfig('{ "record": { "pngEvery": 5 } }').problems.length,
    0,
    'the mp4 default falls back to PNG every pngEvery ticks',
  );
  assert.equal(parseConfig('{ "record": { "frames": "png", "pngEvery": 5 } }').problems.length, 0);
  assert.equal(only('{ "cameras": {} }', 'warning').path, 'cameras');
});

test('a real arm with the default cameras gets one warning, at robot.port', () => {
  const text = '{ "robot": { "port": "/dev/ttyACM0" } }';
  const p = only(text, 'warning');
  assert.equal(p.path, 'cameras');
  assert.match(p.message, /default cameras are synthetic/);
  pointsAt(text, p, '"/dev/ttyACM0"');
});

test('gripper closed and open must differ', () => {
  const p = only('{ "converter": { "gripper": { "closed": 1, "open": 1 } } }');
  assert.equal(p.path, 'converter.gripper');
});

test('semantic checks wait for schema errors to be fixed, so messages never come from a half-typed value', () => {
  const { problems } = parseConfig('{ "fps": "x", "activeModel": "nope" }');
  assert.deepEqual(
    problems.map((p) => p.path),
    ['fps'],
  );
});

test('an activeModel naming an inherited property ("constructor") is not a model', () => {
  const p = only('{ "activeModel": "constructor" }');
  assert.equal(p.path, 'activeModel');
  assert.match(p.message, /^activeModel "constructor" is not a model/);
});

test('apiKeyEnv: an openpi server over wss:// or on this machine; the key itself never in the file', () => {
  const remote = (m: string) => `{ "models": { "gpu": { "kind": "remote", ${m} } } }`;
  for (const url of ['wss://gpu-box:8000', 'ws://127.0.0.1:8000', 'ws://localhost:8000'])
    assert.deepEqual(parseConfig(remote(`"url": "${url}", "apiKeyEnv": "OPENPI_API_KEY"`)).problems, [], url);

  const plain = remote('"url": "ws://gpu-box:8000", "apiKeyEnv": "OPENPI_API_KEY"');
  const p = only(plain);
  assert.equal(p.path, 'models.gpu.url');
  assert.match(p.message, /refusing to send its API key unencrypted to gpu-box:8000; use a wss:\/\/ URL/);
  pointsAt(plain, p, '"ws://gpu-box:8000"');

  const lr = remote('"url": "wss://h:1", "protocol": "lerobot-ws", "apiKeyEnv": "K"');
  const q = only(lr);
  assert.equal(q.path, 'models.gpu.apiKeyEnv');
  assert.match(
    q.message,
    /take no API key; only openpi servers do \(the "Authorization: Api-Key" header\); remove it, or set "protocol": "openpi"/,
  );

  assert.match(only(remote('"url": "wss://h:1", "apiKeyEnv": "my key"')).message, /environment variable name/);
  assert.equal(only(remote('"url": "wss://h:1", "apiKey": "s3cret"')).path, 'models.gpu.apiKey');
});
