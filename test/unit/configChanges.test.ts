// What an edit of so100.json requires of a running session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeClasses, classifyChanges, defaultConfig, parseConfig, type So100Config } from '../../src/core/config';

function config(text: string): So100Config {
  const { config: c, problems } = parseConfig(text);
  assert.ok(c, JSON.stringify(problems));
  return c;
}

function changes(before: string, after: string): [string, string][] {
  return classifyChanges(config(before), config(after)).map((c) => [c.path, c.class]);
}

const MINE = '"mine": { "kind": "command", "command": "uv", "args": ["serve"], "port": 8000 }';

test('identical configs have no changes, however they were written', () => {
  assert.deepEqual(
    classifyChanges(defaultConfig(), config('{ "fps": 30, "chunking": { "mode": "async", "alpha": 0.7 } }')),
    [],
  );
});

test('loop, safety, converter settings and chunking parameters are hot', () => {
  assert.deepEqual(
    changes(
      '{}',
      `{
    "fps": 15, "task": "stack", "maxSteps": 100, "requestTimeoutMs": 5000,
    "robot": { "maxStep": 4, "disconnect": "hold" },
    "converter": { "cameras": { "primary": "front" }, "module": "c.ts" },
    "chunking": { "mode": "async", "alpha": 0.2, "threshold": 0.3, "aggregate": "latest" }
  }`,
    ),
    [
      ['fps', 'hot'],
      ['maxSteps', 'hot'],
      ['task', 'hot'],
      ['requestTimeoutMs', 'hot'],
      ['robot.disconnect', 'hot'],
      ['robot.maxStep', 'hot'],
      ['converter.cameras', 'hot'],
      ['converter.module', 'hot'],
      ['chunking.threshold', 'hot'],
      ['chunking.aggregate', 'hot'],
      ['chunking.alpha', 'hot'],
    ],
  );
});

test('switching chunking mode is one change of the whole section, from the next episode', () => {
  assert.deepEqual(changes('{}', '{ "chunking": { "mode": "sync" } }'), [['chunking', 'next-episode']]);
  assert.deepEqual(
    changes(
      '{ "chunking": { "mode": "sync", "nActionSteps": 8 } }',
      '{ "chunking": { "mode": "sync", "nActionSteps": 5 } }',
    ),
    [['chunking.nActionSteps', 'hot']],
  );
});

test('record settings apply from the next episode (its folder and videos are already open)', () => {
  assert.deepEqual(changes('{}', '{ "record": { "enabled": false, "dir": "runs", "frames": "png" } }'), [
    ['record.enabled', 'next-episode'],
    ['record.dir', 'next-episode'],
    ['record.frames', 'next-episode'],
  ]);
});

test("the arm's port, id, calibration folder and units need a reconnect", () => {
  assert.deepEqual(
    changes(
      '{}',
      '{ "robot": { "port": "/dev/ttyACM0", "id": "left", "calibrationDir": "cal", "normMode": "range_m100_100" }, "cameras": { "front": { "kind": "synthetic" }, "wrist": { "kind": "synthetic" } } }',
    ),
    [
      ['robot.port', 'reconnect-arm'],
      ['robot.id', 'reconnect-arm'],
      ['robot.normMode', 'reconnect-arm'],
      ['robot.calibrationDir', 'reconnect-arm'],
    ],
  );
});

test('cameras and the cube seed apply from the next episode', () => {
  assert.deepEqual(
    changes('{}', '{ "cameras": { "front": { "kind": "ffmpeg", "device": "/dev/video0" } }, "robot": { "seed": 9 } }'),
    [
      ['robot.seed', 'next-episode'],
      ['cameras.front', 'next-episode'],
      ['cameras.wrist', 'next-episode'],
    ],
  );
  assert.deepEqual(
    changes(
      '{ "cameras": { "c": { "kind": "ffmpeg", "device": "/dev/video0" } } }',
      '{ "cameras": { "c": { "kind": "ffmpeg", "device": "/dev/video0", "width": 320 } } }',
    ),
    [['cameras.c.width', 'next-episode']],
  );
});

test("the active model's launch settings restart the server; other models' changes are hot", () => {
  const active = (m: string) => `{ "activeModel": "mine", "models": { ${m} } }`;
  assert.deepEqual(changes(active(MINE), active(MINE.replace('"serve"', '"serve", "--fast"'))), [
    ['models.mine.args', 'restart-server'],
  ]);
  assert.deepEqual(changes(active(MINE), active(MINE.replace('8000', '8001'))), [
    ['models.mine.port', 'restart-server'],
  ]);
  assert.deepEqual(changes(active(MINE), active(MINE.replace('}', ', "env": { "A": "1" }, "cwd": "x" }'))), [
    ['models.mine.env.A', 'restart-server'],
    ['models.mine.cwd', 'restart-server'],
  ]);
  assert.deepEqual(changes(active(MINE), active(MINE.replace('}', ', "startTimeoutMs": 5000 }'))), [
    ['models.mine.startTimeoutMs', 'hot'],
  ]);
  assert.deepEqual(changes(`{ "models": { ${MINE} } }`, `{ "models": { ${MINE.replace('8000', '8001')} } }`), [
    ['models.mine.port', 'hot'],
  ]);
  assert.deepEqual(changes('{}', '{ "models": { "pi0": { "kind": "builtin", "latencyMs": 60 } } }'), [
    ['models.pi0.latencyMs', 'restart-server'],
  ]);
  assert.deepEqual(
    changes('{}', '{ "models": { "pi0_fast": { "kind": "builtin", "profile": "pi0_fast", "latencyMs": 60 } } }'),
    [['models.pi0_fast.latencyMs', 'hot']],
  );
});

test('changing activeModel restarts the server; a new protocol also switches the (hot) layout', () => {
  const lr = '"lr": { "kind": "remote", "url": "ws://h:1", "protocol": "lerobot-ws" }';
  assert.deepEqual(changes('{}', '{ "activeModel": "pi0_fast" }'), [['activeModel', 'restart-server']]);
  assert.deepEqual(changes(`{ "models": { ${lr} } }`, `{ "activeModel": "lr", "models": { ${lr} } }`), [
    ['activeModel', 'restart-server'],
    ['converter.layout', 'hot'],
  ]);
});

test('changeClasses collects the distinct classes', () => {
  const c = classifyChanges(defaultConfig(), config('{ "fps": 10, "task": "x", "robot": { "port": "/dev/ttyUSB0" } }'));
  assert.deepEqual([...changeClasses(c)].sort(), ['hot', 'reconnect-arm']);
});
