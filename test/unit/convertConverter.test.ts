import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionChunk } from '../../src/core/chunking/actionChunk';
import {
  ConverterError,
  builtinConverter,
  type LeRobotObservation,
  type UserConverterModule,
} from '../../src/core/convert';
import { NdArray } from '../../src/core/ndarray';

const obs: LeRobotObservation = {
  positions: { shoulder_pan: 0, shoulder_lift: 1, elbow_flex: 2, wrist_flex: 3, wrist_roll: 4, gripper: 50 },
  images: { phone: { width: 4, height: 2, data: new Uint8Array(24).fill(9) } },
  task: 'wave',
};

test('builtinConverter names its layout and converts both ways', () => {
  const c = builtinConverter('openpi-so100');
  assert.equal(c.name, 'openpi-so100');
  assert.equal(c.layout?.action.key, 'actions');
  const input = c.toPolicy(obs).input;
  assert.equal(input.prompt, 'wave');
  assert.ok(input['observation/images.main'] instanceof NdArray);
  const t = c.fromPolicy(
    new ActionChunk(
      2,
      32,
      Float64Array.from({ length: 64 }, (_, i) => i),
    ),
  );
  assert.deepEqual([...t.targets], [0, 1, 2, 3, 4, 5, 32, 33, 34, 35, 36, 37]);
});

test('a converter reports each distinct warning once', () => {
  const c = builtinConverter('aloha');
  const first = c.toPolicy(obs).warnings;
  assert.ok(first.some((w) => w.includes("layout 'aloha' is meant for")));
  assert.ok(first.some((w) => w.includes("camera 'phone' guessed as the primary view")));
  assert.deepEqual(c.toPolicy(obs).warnings, []);
  const wide = new ActionChunk(1, 16, new Float64Array(16));
  assert.equal(c.fromPolicy(wide).warnings.length, 1);
  assert.deepEqual(c.fromPolicy(wide).warnings, []);
  // A fresh converter starts over.
  assert.ok(builtinConverter('aloha').toPolicy(obs).warnings.length > 0);
});

test('an unknown layout name is a ConverterError listing the built-in ones', () => {
  assert.throws(
    () => builtinConverter('pi0-so101'),
    (e: unknown) =>
      e instanceof ConverterError &&
      e.key === 'converter.layout' &&
      e.actual === "'pi0-so101'" &&
      ['openpi-so100', 'droid', 'libero', 'aloha', 'lerobot-ws'].every((n) => e.expected.includes(n)),
  );
});

test('options are checked when used: a bad explicit camera names converter.cameras', () => {
  const c = builtinConverter('droid', { cameras: { primary: 'front' } });
  assert.throws(
    () => c.toPolicy(obs),
    (e: unknown) =>
      e instanceof ConverterError &&
      e.key === 'converter.cameras.primary' &&
      e.message.includes("converter.cameras.primary: expected one of the robot's cameras (phone), got 'front'"),
  );
});

test('a user module can delegate to the built-in converter (type contract)', () => {
  const mod: UserConverterModule = {
    toPolicy: (o, builtin) => ({ ...builtin.toPolicy(o).input, prompt: o.task.toUpperCase() }),
    fromPolicy: (chunk, builtin) => builtin.fromPolicy(chunk).targets.map((v) => v * 2),
  };
  const base = builtinConverter('lerobot-ws');
  const input = mod.toPolicy?.(obs, base) as Record<string, unknown>;
  assert.equal(input.prompt, 'WAVE');
  const targets = mod.fromPolicy?.(new ActionChunk(1, 6, Float64Array.from([1, 2, 3, 4, 5, 6])), base);
  assert.deepEqual([...(targets as Float64Array)], [2, 4, 6, 8, 10, 12]);
});

test('a bad converter.gripper is rejected when the converter is built', () => {
  assert.throws(
    () => builtinConverter('openpi-so100', { gripper: { closed: 5, open: 5 } }),
    (e: unknown) => e instanceof ConverterError && e.key === 'converter.gripper',
  );
});
