import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActionChunk } from '../../src/core/chunking/actionChunk';
import {
  ConverterError,
  LAYOUTS,
  LAYOUT_NAMES,
  fromPolicy,
  hwcToChw,
  resizeWithPad,
  toPolicy,
  type LeRobotObservation,
  type RgbFrame,
} from '../../src/core/convert';
import { NdArray } from '../../src/core/ndarray';
import { type WireValue } from '../../src/core/protocols';

function frame(width: number, height: number, seed: number): RgbFrame {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 31 + seed) % 251) };
}

function observation(
  images: Record<string, RgbFrame> = { front: frame(64, 48, 1), wrist: frame(32, 24, 2) },
  task = 'pick the cube',
): LeRobotObservation {
  return {
    positions: { shoulder_pan: 1.5, shoulder_lift: -2, elbow_flex: 3, wrist_flex: 4, wrist_roll: -5, gripper: 25 },
    images,
    task,
  };
}

/** dtype and shape of every array, by key path (nested maps joined with '/'). */
function describe(input: { [key: string]: WireValue }, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v instanceof NdArray) out[prefix + k] = `${v.dtype} (${v.shape.join(',')})`;
    else if (typeof v === 'string') out[prefix + k] = 'str';
    else if (Array.isArray(v)) out[prefix + k] = `list of ${v.length}`;
    else if (v && typeof v === 'object' && !(v instanceof Uint8Array))
      Object.assign(out, describe(v as { [key: string]: WireValue }, `${prefix}${k}/`));
  }
  return out;
}

function arr(input: { [key: string]: WireValue }, ...path: string[]): NdArray {
  let v: WireValue = input;
  for (const p of path) v = (v as { [key: string]: WireValue })[p];
  assert.ok(v instanceof NdArray, `${path.join('/')} is an ndarray`);
  return v;
}

test('each layout sends the keys, dtypes and shapes of its reference client (policy-protocols §1.6, §1.8, §2)', () => {
  const expected: Record<string, Record<string, string>> = {
    'openpi-so100': {
      'observation/state': '<f4 (6)',
      'observation/images.main': '|u1 (224,224,3)',
      'observation/images.secondary_0': '|u1 (224,224,3)',
      prompt: 'str',
    },
    droid: {
      'observation/joint_position': '<f4 (7)',
      'observation/gripper_position': '<f4 (1)',
      'observation/exterior_image_1_left': '|u1 (224,224,3)',
      'observation/wrist_image_left': '|u1 (224,224,3)',
      prompt: 'str',
    },
    libero: {
      'observation/state': '<f4 (8)',
      'observation/image': '|u1 (224,224,3)',
      'observation/wrist_image': '|u1 (224,224,3)',
      prompt: 'str',
    },
    aloha: {
      state: '<f4 (14)',
      'images/cam_high': '|u1 (3,224,224)',
      'images/cam_left_wrist': '|u1 (3,224,224)',
      prompt: 'str',
    },
    'lerobot-ws': {
      'observation.state': '<f4 (6)',
      'observation.images.front': '|u1 (48,64,3)',
      'observation.images.wrist': '|u1 (24,32,3)',
      task: 'list of 1',
    },
  };
  assert.deepEqual([...LAYOUT_NAMES].sort(), Object.keys(expected).sort());
  for (const name of LAYOUT_NAMES)
    assert.deepEqual(describe(toPolicy(observation(), LAYOUTS[name]).input), expected[name], name);
});

test('state goes in motor order, robot units, zero-padded where the layout is for another robot', () => {
  const s = (name: keyof typeof LAYOUTS, key: string) => [
    ...arr(toPolicy(observation(), LAYOUTS[name]).input, key).toFloat64(),
  ];
  assert.deepEqual(s('openpi-so100', 'observation/state'), [1.5, -2, 3, 4, -5, 25]);
  assert.deepEqual(s('lerobot-ws', 'observation.state'), [1.5, -2, 3, 4, -5, 25]);
  assert.deepEqual(s('droid', 'observation/joint_position'), [1.5, -2, 3, 4, -5, 0, 0]);
  assert.deepEqual(s('droid', 'observation/gripper_position'), [25]);
  assert.deepEqual(s('libero', 'observation/state'), [1.5, -2, 3, 4, -5, 0, 25, 0]);
  assert.deepEqual(s('aloha', 'state'), [1.5, -2, 3, 4, -5, 0, 25, 0, 0, 0, 0, 0, 0, 0]);
});

test('layouts for other robots warn about it; SO-100 layouts do not', () => {
  for (const name of LAYOUT_NAMES) {
    const warned = toPolicy(observation(), LAYOUTS[name]).warnings.some((w) => w.includes('is meant for'));
    assert.equal(warned, name === 'droid' || name === 'libero' || name === 'aloha', name);
  }
});

test('slot images are the resize-with-pad of the assigned camera (CHW for ALOHA)', () => {
  const obs = observation();
  const so100 = toPolicy(obs, LAYOUTS['openpi-so100']).input;
  assert.deepEqual(arr(so100, 'observation/images.main').data, resizeWithPad(obs.images.front, 224, 224).data);
  assert.deepEqual(arr(so100, 'observation/images.secondary_0').data, resizeWithPad(obs.images.wrist, 224, 224).data);
  const aloha = toPolicy(obs, LAYOUTS.aloha).input;
  const chw = hwcToChw(resizeWithPad(obs.images.front, 224, 224).data, 224, 224, 3, new Uint8Array(224 * 224 * 3));
  assert.deepEqual(arr(aloha, 'images', 'cam_high').data, chw);
});

test('lerobot-ws sends every camera at its own size, as a copy of the frame', () => {
  const obs = observation();
  const input = toPolicy(obs, LAYOUTS['lerobot-ws']).input;
  assert.deepEqual(arr(input, 'observation.images.front').data, obs.images.front.data);
  obs.images.front.data.fill(0);
  assert.notDeepEqual(arr(input, 'observation.images.front').data, obs.images.front.data);
  assert.deepEqual(input.task, ['pick the cube']);
});

test('a missing required camera is sent black with a warning; a missing optional one is left out', () => {
  const only = observation({ front: frame(8, 8, 3) });
  const droid = toPolicy(only, LAYOUTS.droid);
  assert.ok(arr(droid.input, 'observation/wrist_image_left').data.every((b) => b === 0));
  assert.ok(
    droid.warnings.some((w) => w.includes("no camera for the secondary view ('observation/wrist_image_left')")),
  );
  const so100 = toPolicy(only, LAYOUTS['openpi-so100']);
  assert.equal('observation/images.secondary_0' in so100.input, false);
  assert.deepEqual(so100.warnings, []);
});

test('options: explicit cameras, other image keys and size, gripper units; an empty task sends no prompt', () => {
  const r = toPolicy(observation(undefined, ''), LAYOUTS['openpi-so100'], {
    cameras: { primary: 'wrist', secondary: 'front' },
    imageKeys: { primary: 'observation/images.phone' },
    imageSize: { height: 96, width: 128 },
    gripper: { closed: 1, open: 0 },
  });
  assert.deepEqual(Object.keys(r.input).sort(), [
    'observation/images.phone',
    'observation/images.secondary_0',
    'observation/state',
  ]);
  assert.deepEqual(arr(r.input, 'observation/images.phone').shape, [96, 128, 3]);
  assert.deepEqual(arr(r.input, 'observation/images.phone').data, resizeWithPad(frame(32, 24, 2), 96, 128).data);
  assert.equal(arr(r.input, 'observation/state').toFloat64()[5], 0.75);
  assert.throws(
    () => toPolicy(observation(), LAYOUTS.droid, { gripper: { closed: 1, open: 1 } }),
    (e: unknown) => e instanceof ConverterError && e.key === 'converter.gripper',
  );
});

test('bad observations are errors naming the key', () => {
  const nan = { ...observation(), positions: { ...observation().positions, elbow_flex: Number.NaN } };
  assert.throws(
    () => toPolicy(nan, LAYOUTS['openpi-so100']),
    (e: unknown) => e instanceof ConverterError && e.key === 'elbow_flex.pos',
  );
  const short = observation({ front: { width: 4, height: 4, data: new Uint8Array(10) } });
  assert.throws(
    () => toPolicy(short, LAYOUTS['openpi-so100']),
    (e: unknown) => e instanceof ConverterError && e.key === "camera 'front'" && /10 bytes for 4×4/.test(e.actual),
  );
});

test('results stay valid when the converter runs again with other frames', () => {
  const first = toPolicy(observation({ front: frame(64, 48, 1) }), LAYOUTS.aloha);
  const kept = Uint8Array.from(arr(first.input, 'images', 'cam_high').data);
  toPolicy(observation({ front: frame(64, 48, 99) }), LAYOUTS.aloha);
  assert.deepEqual(arr(first.input, 'images', 'cam_high').data, kept);
  const a = toPolicy(observation({ front: frame(64, 48, 1) }), LAYOUTS.libero);
  const keptA = Uint8Array.from(arr(a.input, 'observation/image').data);
  toPolicy(observation({ front: frame(64, 48, 7) }), LAYOUTS.libero);
  assert.deepEqual(arr(a.input, 'observation/image').data, keptA);
});

test("fromPolicy keeps the first 6 of π₀'s 32 padded dims for openpi-so100, in motor order", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 6, max: 34 }), fc.integer(), (h, d, seed) => {
      const values = Float64Array.from({ length: h * d }, (_, i) => Math.sin(i + seed) * 100);
      const r = fromPolicy(new ActionChunk(h, d, values), LAYOUTS['openpi-so100']);
      assert.equal(r.horizon, h);
      assert.equal(r.targets.length, h * 6);
      for (let s = 0; s < h; s++) for (let j = 0; j < 6; j++) assert.equal(r.targets[s * 6 + j], values[s * d + j]);
      assert.deepEqual(r.warnings, []);
    }),
  );
});

test('fromPolicy reads the body joints and the gripper column of each layout', () => {
  const row = (d: number) => Float64Array.from({ length: d }, (_, i) => 10 + i);
  const one = (name: keyof typeof LAYOUTS, d: number) => [
    ...fromPolicy(new ActionChunk(1, d, row(d)), LAYOUTS[name]).targets,
  ];
  assert.deepEqual(one('droid', 8), [10, 11, 12, 13, 14, 17]);
  assert.deepEqual(one('libero', 7), [10, 11, 12, 13, 14, 16]);
  assert.deepEqual(one('aloha', 14), [10, 11, 12, 13, 14, 16]);
  assert.deepEqual(one('lerobot-ws', 6), [10, 11, 12, 13, 14, 15]);
  const inverted = fromPolicy(
    new ActionChunk(1, 6, Float64Array.from([0, 0, 0, 0, 0, 0.75])),
    LAYOUTS['openpi-so100'],
    { gripper: { closed: 1, open: 0 } },
  );
  assert.equal(inverted.targets[5], 25);
});

test('fromPolicy errors name the expected and actual shape; odd widths warn', () => {
  assert.throws(
    () => fromPolicy(new ActionChunk(10, 5, new Float64Array(50)), LAYOUTS['openpi-so100']),
    (e: unknown) =>
      e instanceof ConverterError && e.key === 'actions' && e.actual === '(10, 5)' && /at least 6/.test(e.expected),
  );
  assert.throws(
    () => fromPolicy(new ActionChunk(2, 7, new Float64Array(14)), LAYOUTS.droid),
    /actions: expected \(horizon, 8\) — at least 8 values per step, got \(2, 7\)/,
  );
  const forged = { horizon: 2, dims: 6, values: new Float64Array(5) } as unknown as ActionChunk;
  assert.throws(
    () => fromPolicy(forged, LAYOUTS['lerobot-ws']),
    (e: unknown) => e instanceof ConverterError && e.key === 'action' && /\(2, 6\) with 5 values/.test(e.actual),
  );
  const wide = fromPolicy(new ActionChunk(1, 9, new Float64Array(9)), LAYOUTS.libero);
  assert.match(wide.warnings[0], /has 9 values per step but layout 'libero' expects 7/);
});

test('fromPolicy returns a fresh array: later changes to the chunk do not reach it', () => {
  const values = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const r = fromPolicy(new ActionChunk(1, 6, values), LAYOUTS['lerobot-ws']);
  values.fill(0);
  assert.deepEqual([...r.targets], [1, 2, 3, 4, 5, 6]);
});
