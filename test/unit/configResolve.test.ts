// The resolved config: defaults of `{}` (the embedded default), merging, derived defaults, and the mappers to the
// option types of the chunk scheduler, safety and converter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SEAM, resolveChunkOptions } from '../../src/core/chunking';
import {
  activeModelOf,
  builtinProfileOf,
  defaultConfig,
  parseConfig,
  toActionSafetyOptions,
  toBodyJointMode,
  toChunkSchedulerOptions,
  toConverterOptions,
  type So100Config,
  type SeamConfig,
} from '../../src/core/config';
import { modelServerSpec } from '../../src/io/process/modelServerSpec';

const EMBEDDED_DEFAULT: So100Config = {
  fps: 30,
  maxSteps: 900,
  task: 'pick up the red cube',
  requestTimeoutMs: 30000,
  maxPolicyFailures: 3,
  activeModel: 'pi0',
  models: {
    pi0: { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0 },
    pi0_fast: { kind: 'builtin', profile: 'pi0_fast', protocol: 'openpi', port: 0 },
  },
  robot: { port: 'sim', id: 'so100_follower', normMode: 'degrees', disconnect: 'torque-off', seed: 1, scene: 'plain' },
  cameras: { front: { kind: 'synthetic', view: 'front' }, wrist: { kind: 'synthetic', view: 'wrist' } },
  converter: { layout: 'openpi-so100' },
  chunking: { mode: 'async', threshold: 0.5, aggregate: 'weighted', alpha: 0.7, seam: DEFAULT_SEAM as SeamConfig },
  record: { enabled: true, dir: '.so100/episodes', frames: 'mp4', pngEvery: 10 },
  evaluation: { models: ['pi0', 'pi0_fast'], episodes: 50, seed: 1, clock: 'auto' },
};

function resolved(text: string): So100Config {
  const { config, problems } = parseConfig(text);
  assert.deepEqual(problems, []);
  assert.ok(config);
  return config;
}

test('{} resolves to the embedded default, and so do a $schema key and comments', () => {
  assert.deepEqual(resolved('{}'), EMBEDDED_DEFAULT);
  assert.deepEqual(defaultConfig(), EMBEDDED_DEFAULT);
  assert.deepEqual(resolved('// mine\n{ "$schema": "./so100.schema.json", }'), EMBEDDED_DEFAULT);
});

test('defaultConfig returns a fresh object each time', () => {
  const a = defaultConfig();
  (a.robot as { port: string }).port = 'changed';
  assert.equal(defaultConfig().robot.port, 'sim');
});

test('defaults fill in inside a section the user wrote', () => {
  const c = resolved('{ "robot": { "id": "left", "seed": 7 }, "record": { "enabled": false } }');
  assert.deepEqual(c.robot, { ...EMBEDDED_DEFAULT.robot, id: 'left', seed: 7 });
  assert.deepEqual(c.record, { ...EMBEDDED_DEFAULT.record, enabled: false });
});

test('user models join the built-ins; one of the same name replaces it', () => {
  const c = resolved(`{
    "activeModel": "mine",
    "models": {
      "mine": { "kind": "command", "command": "uv", "args": ["run", "scripts/serve_policy.py", "--port", "\${port}"] },
      "pi0": { "kind": "builtin", "profile": "pi0", "latencyMs": 5 },
    },
  }`);
  assert.deepEqual(Object.keys(c.models).sort(), ['mine', 'pi0', 'pi0_fast']);
  assert.deepEqual(c.models.mine, {
    kind: 'command',
    command: 'uv',
    args: ['run', 'scripts/serve_policy.py', '--port', '${port}'],
    env: {},
    host: '127.0.0.1',
    port: 0,
    protocol: 'openpi',
    startTimeoutMs: 120000,
  });
  assert.deepEqual(c.models.pi0, { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0, latencyMs: 5 });
  assert.equal(activeModelOf(c).kind, 'command');
});

test('cameras replace the default pair; ffmpeg cameras get their size and rate defaults', () => {
  const c = resolved('{ "cameras": { "front": { "kind": "ffmpeg", "device": "/dev/video0" } } }');
  assert.deepEqual(c.cameras, { front: { kind: 'ffmpeg', device: '/dev/video0', width: 640, height: 480, fps: 30 } });
});

test('a "__proto__" model name is an ordinary entry', () => {
  const c = resolved('{ "models": { "__proto__": { "kind": "remote", "url": "ws://h:1" } } }');
  assert.ok(Object.keys(c.models).includes('__proto__'));
  assert.equal(Object.getPrototypeOf(c.models), Object.prototype);
});

test('chunking maps to ChunkSchedulerOptions that the scheduler accepts unchanged', () => {
  const asyncOptions = toChunkSchedulerOptions(
    resolved('{ "chunking": { "mode": "async", "threshold": 0.3, "actionsPerChunk": 20 } }').chunking,
  );
  assert.deepEqual(asyncOptions, {
    mode: 'async',
    threshold: 0.3,
    aggregate: 'weighted',
    alpha: 0.7,
    actionsPerChunk: 20,
    seam: DEFAULT_SEAM,
  });
  assert.deepEqual(resolveChunkOptions(asyncOptions), {
    mode: 'async',
    threshold: 0.3,
    aggregate: 'weighted',
    alpha: 0.7,
    actionsPerChunk: 20,
    seam: DEFAULT_SEAM,
  });
  const syncOptions = toChunkSchedulerOptions(
    resolved('{ "chunking": { "mode": "sync", "nActionSteps": 8 } }').chunking,
  );
  assert.deepEqual(syncOptions, { mode: 'sync', nActionSteps: 8, prefetchSteps: 0, seam: DEFAULT_SEAM });
  assert.deepEqual(
    resolveChunkOptions(toChunkSchedulerOptions(resolved('{ "chunking": { "mode": "sync" } }').chunking)),
    { mode: 'sync', nActionSteps: Infinity, prefetchSteps: 0, seam: DEFAULT_SEAM },
  );
  assert.deepEqual(resolveChunkOptions(toChunkSchedulerOptions(defaultConfig().chunking)), {
    mode: 'async',
    threshold: 0.5,
    aggregate: 'weighted',
    alpha: 0.7,
    actionsPerChunk: Infinity,
    seam: DEFAULT_SEAM,
  });
});

test('normMode maps to LeRobot body-joint modes; maxStep passes through to safety', () => {
  assert.equal(toBodyJointMode('degrees'), 'DEGREES');
  assert.equal(toBodyJointMode('range_m100_100'), 'RANGE_M100_100');
  assert.deepEqual(toActionSafetyOptions(defaultConfig().robot), { bodyMode: 'DEGREES' });
  assert.deepEqual(
    toActionSafetyOptions(resolved('{ "robot": { "normMode": "range_m100_100", "maxStep": null } }').robot),
    { bodyMode: 'RANGE_M100_100', maxStep: null },
  );
  assert.deepEqual(toActionSafetyOptions(resolved('{ "robot": { "maxStep": { "gripper": 30 } } }').robot), {
    bodyMode: 'DEGREES',
    maxStep: { gripper: 30 },
  });
});

test('converter options carry only what was set', () => {
  assert.deepEqual(toConverterOptions(defaultConfig().converter), {});
  const c = resolved('{ "converter": { "cameras": { "primary": "wrist" }, "gripper": { "closed": 0, "open": 1 } } }');
  assert.deepEqual(toConverterOptions(c.converter), { cameras: { primary: 'wrist' }, gripper: { closed: 0, open: 1 } });
});

test("a built-in model's profile carries its latency override", () => {
  const c = resolved(
    '{ "activeModel": "pi0_fast", "models": { "pi0_fast": { "kind": "builtin", "profile": "pi0_fast", "latencyMs": 12 } } }',
  );
  const model = activeModelOf(c);
  assert.equal(model.kind, 'builtin');
  if (model.kind === 'builtin')
    assert.deepEqual(builtinProfileOf(model), {
      name: 'pi0_fast',
      horizon: 10,
      actionDim: 12,
      latencyMs: 12,
      dtype: '<f4',
    });
});

test('a built-in model can hold still: policy "hold" reaches so100 serve; anything else is refused at the key', () => {
  const c = resolved('{ "models": { "pi0": { "kind": "builtin", "profile": "pi0", "policy": "hold" } } }');
  assert.deepEqual(c.models.pi0, { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0, policy: 'hold' });
  const model = c.models.pi0;
  assert.equal(model.kind, 'builtin');
  if (model.kind !== 'builtin') return;
  const args = modelServerSpec('pi0', model, { so100: { command: 'node', args: ['cli.js'] }, freePort: 4321 }).args;
  assert.equal(args[args.indexOf('--policy') + 1], 'hold');
  // Left out, no flag: the server's default (the demo) applies.
  assert.equal(
    modelServerSpec('pi0', defaultConfig().models.pi0 as typeof model, {
      so100: { command: 'node', args: [] },
      freePort: 1,
    }).args.includes('--policy'),
    false,
  );
  const bad = parseConfig('{ "models": { "pi0": { "kind": "builtin", "policy": "stay" } } }');
  assert.equal(bad.config, undefined);
  assert.match(bad.problems.map((p) => p.message).join('\n'), /policy.*"demo".*"hold"|policy.*demo.*hold/s);
});
