// The inspector's pure parts: summaries of policy inputs (dtype, shape, stats, thumbnails) and the lint that
// spots BGR images, float images in [0, 255], channels first, unmapped cameras and state in other units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  builtinConverter,
  hwcToChw,
  inspectionReport,
  layoutByName,
  lintConversion,
  statsOf,
  numberText,
  summarizeFrame,
  summarizeValues,
  THUMBNAIL_MAX_SIDE,
  type LeRobotObservation,
  type RgbFrame,
} from '../../src/core/convert';
import { NdArray } from '../../src/core/ndarray';
import { type WireValue } from '../../src/core/protocols';

/** A colourful, structured picture: red grows left → right, blue top → bottom, a green square somewhere. */
function picture(width: number, height: number, seed: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inSquare =
        Math.abs(x - ((seed * 37) % width)) < width / 5 && Math.abs(y - ((seed * 23) % height)) < height / 5;
      data[i] = Math.round(((255 * x) / width) * (seed % 2 ? 1 : 0.3)) + (seed % 2 ? 0 : 150);
      data[i + 1] = inSquare ? 220 : 20;
      data[i + 2] = Math.round((60 * y) / height);
    }
  }
  return { width, height, data };
}

const positions = { shoulder_pan: 10, shoulder_lift: -40, elbow_flex: 60, wrist_flex: 25, wrist_roll: -8, gripper: 30 };
const observation = (images: Record<string, RgbFrame>): LeRobotObservation => ({
  positions,
  images,
  task: 'pick the cube',
});
const layout = layoutByName('openpi-so100');
const MAIN = 'observation/images.main';
const SECONDARY = 'observation/images.secondary_0';

function convert(images: Record<string, RgbFrame>) {
  const obs = observation(images);
  const input = builtinConverter('openpi-so100', { cameras: { primary: 'front', secondary: 'wrist' } }).toPolicy(
    obs,
  ).input;
  return { obs, input };
}

const codes = (w: readonly { code: string; key?: string }[]) => w.map((x) => `${x.code}:${x.key ?? ''}`).sort();

test('the built-in converter on two cameras gives no lint warnings', () => {
  const { obs, input } = convert({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  assert.deepEqual(lintConversion({ cameras: obs.images, input, positions, layout }), []);
});

test('an image with red and blue swapped is reported as BGR on its key', () => {
  const { obs, input } = convert({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  const main = input[MAIN] as NdArray;
  const bgr = main.data.slice();
  for (let i = 0; i < bgr.length; i += 3) [bgr[i], bgr[i + 2]] = [bgr[i + 2], bgr[i]];
  const warnings = lintConversion({
    cameras: obs.images,
    input: { ...input, [MAIN]: new NdArray('|u1', main.shape, bgr) },
    positions,
    layout,
  });
  assert.deepEqual(codes(warnings), [`bgr:${MAIN}`]);
  assert.match(warnings[0].message, /red and blue are swapped compared with camera 'front'/);
});

test('a float image in [0, 255] is reported; the same image in [0, 1] is not', () => {
  const { obs, input } = convert({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  const main = input[MAIN] as NdArray;
  const f255 = Float32Array.from(main.data);
  const f1 = Float32Array.from(main.data, (v) => v / 255);
  const w255 = lintConversion({
    cameras: obs.images,
    input: { ...input, [MAIN]: NdArray.fromTyped(f255, main.shape) },
    positions,
    layout,
  });
  assert.deepEqual(codes(w255), [`float-255:${MAIN}`]);
  assert.match(w255[0].message, /values up to \d+/);
  assert.deepEqual(
    lintConversion({
      cameras: obs.images,
      input: { ...input, [MAIN]: NdArray.fromTyped(f1, main.shape) },
      positions,
      layout,
    }),
    [],
  );
});

test('a CHW image where the layout wants HWC is reported (and HWC where a CHW layout wants CHW is not)', () => {
  const { obs, input } = convert({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  const main = input[MAIN] as NdArray;
  const chw = hwcToChw(main.data, 224, 224, 3, new Uint8Array(main.data.length));
  const warnings = lintConversion({
    cameras: obs.images,
    input: { ...input, [MAIN]: new NdArray('|u1', [3, 224, 224], chw) },
    positions,
    layout,
  });
  assert.deepEqual(codes(warnings), [`channel-order:${MAIN}`]);
  assert.match(warnings[0].message, /is CHW \(3, 224, 224\) but the policy expects HWC/);
  // The libero layout itself sends HWC; aloha sends CHW: its own output is clean.
  const aloha = builtinConverter('aloha', { cameras: { primary: 'front', secondary: 'wrist' } });
  const o = observation({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  const aw = lintConversion({
    cameras: o.images,
    input: aloha.toPolicy(o).input,
    positions,
    layout: layoutByName('aloha'),
  });
  assert.deepEqual(
    aw.filter((w) => w.code === 'channel-order'),
    [],
  );
});

test('a camera that feeds no image is reported by name', () => {
  const { obs, input } = convert({
    front: picture(160, 120, 1),
    wrist: picture(128, 96, 4),
    top: picture(160, 120, 7),
  });
  assert.deepEqual(codes(lintConversion({ cameras: obs.images, input, positions, layout })), ['unmapped-camera:top']);
  // The same camera sent twice leaves the other one unmapped.
  const twice = { ...input, [SECONDARY]: input[MAIN] };
  assert.deepEqual(
    codes(
      lintConversion({
        cameras: { front: obs.images.front, wrist: obs.images.wrist },
        input: twice,
        positions,
        layout,
      }),
    ),
    ['unmapped-camera:wrist'],
  );
});

test('state in radians, or degrees where the arm runs ±100, is reported; the robot units are not', () => {
  const { obs, input } = convert({ front: picture(160, 120, 1), wrist: picture(128, 96, 4) });
  const state = (input['observation/state'] as NdArray).toFloat64();
  const withState = (v: Float64Array): { [k: string]: WireValue } => ({
    ...input,
    'observation/state': NdArray.fromTyped(Float32Array.from(v), [6]),
  });
  const radians = state.map((v, i) => (i < 5 ? (v * Math.PI) / 180 : v));
  const w = lintConversion({ cameras: obs.images, input: withState(radians), positions, layout });
  assert.deepEqual(codes(w), ['state-units:observation/state']);
  assert.match(w[0].message, /looks like radians/);
  // A ±100 arm whose state holds 150 for a joint (the others as measured): degrees slipped in.
  const w100 = lintConversion({
    cameras: obs.images,
    input: withState(Float64Array.from([10, -40, 150, 25, -8, 30])),
    positions: { ...positions, elbow_flex: 4 },
    layout,
    stateConvention: 'range_m100_100',
  });
  assert.ok(
    w100.some((x) => x.code === 'state-units'),
    JSON.stringify(w100),
  );
  assert.deepEqual(
    lintConversion({ cameras: obs.images, input, positions, layout, stateConvention: 'range_m100_100' }),
    [],
  );
});

test('summaries: dtype, shape, stats, small values, nested keys flattened with "/", thumbnails ≤ 96 px', () => {
  const input: { [k: string]: WireValue } = {
    'observation/state': NdArray.fromTyped(Float32Array.from([1, 2, 3, NaN]), [4]),
    images: {
      cam_high: NdArray.fromTyped(
        Float32Array.from({ length: 3 * 40 * 200 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
        [40, 200, 3],
      ),
    },
    prompt: 'pick',
  };
  const s = summarizeValues(input);
  assert.deepEqual(
    s.map((x) => x.key),
    ['images/cam_high', 'observation/state', 'prompt'],
  );
  const state = s[1];
  assert.equal(state.dtype, '<f4');
  assert.deepEqual(state.shape, [4]);
  assert.deepEqual(state.stats, { min: 1, max: 3, mean: 2, nonFinite: 1 });
  assert.deepEqual(state.values?.slice(0, 3), [1, 2, 3]);
  const img = s[0];
  assert.equal(img.image?.order, 'HWC');
  const t = img.image!.thumbnail;
  assert.equal(t.width, THUMBNAIL_MAX_SIDE);
  assert.equal(t.height, Math.round(40 * (THUMBNAIL_MAX_SIDE / 200)));
  assert.deepEqual([...t.rgb.subarray(0, 3)], [255, 0, 0], 'floats in [0, 1] drawn as bytes');
  assert.equal(s[2].text, '"pick"');
  assert.deepEqual(statsOf([]), { min: NaN, max: NaN, mean: NaN, nonFinite: 0 });
});

test('a CHW array draws the same thumbnail as its HWC twin', () => {
  const f = picture(64, 48, 3);
  const hwc = summarizeFrame('front', f).image!.thumbnail;
  const chw = summarizeValues({
    x: new NdArray('|u1', [3, 48, 64], hwcToChw(f.data, 48, 64, 3, new Uint8Array(f.data.length))),
  })[0];
  assert.equal(chw.image?.order, 'CHW');
  assert.deepEqual(chw.image!.thumbnail, hwc);
});

test('inspectionReport: every part summarised, warnings included, notes for what is missing', () => {
  const { obs, input } = convert({
    front: picture(160, 120, 1),
    wrist: picture(128, 96, 4),
    top: picture(160, 120, 7),
  });
  const r = inspectionReport('episode', {
    converter: 'openpi-so100',
    layout,
    episode: 2,
    tick: 40,
    observation: obs,
    input,
    reply: { actions: NdArray.fromTyped(new Float32Array(50 * 32), [50, 32]) },
    targets: { horizon: 50, targets: Float64Array.from({ length: 300 }, (_, i) => i) },
  });
  assert.equal(r.layout, 'openpi-so100');
  assert.deepEqual(
    r.observation?.cameras.map((c) => c.key),
    ['front', 'top', 'wrist'],
  );
  assert.deepEqual(
    r.observation?.joints.find((j) => j.motor === 'elbow_flex'),
    { motor: 'elbow_flex', value: 60 },
  );
  assert.ok(r.input?.some((s) => s.key === MAIN && s.image?.thumbnail.width === 96));
  assert.deepEqual(r.output?.[0].shape, [50, 32]);
  assert.deepEqual(r.targets?.first, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(codes(r.warnings), ['unmapped-camera:top']);
  assert.deepEqual(r.notes, []);
  const empty = inspectionReport('episode', { converter: 'openpi-so100' });
  assert.equal(empty.observation, undefined);
  assert.match(empty.notes.join(' '), /no observation yet/);
});

test('the target row shown beside a measured tick is the chunk row for that tick, not row 0 of an older chunk', () => {
  const targets = { horizon: 50, targets: Float64Array.from({ length: 300 }, (_, i) => i) };
  const safety = { tick: 193, motors: ['a', 'b', 'c', 'd', 'e', 'f'], measured: [0, 0, 0, 0, 0, 0], clamped: [] };
  const r = inspectionReport('episode', { converter: 'openpi-so100', tick: 172, targets, safety });
  assert.deepEqual(r.targets?.atSafetyTick, { step: 21, values: [126, 127, 128, 129, 130, 131] });
  // A measured tick past the chunk's end: no row claims to be for it.
  const late = inspectionReport('episode', { converter: 'x', tick: 100, targets, safety });
  assert.equal(late.targets?.atSafetyTick, undefined);
  assert.deepEqual(late.targets?.first, [0, 1, 2, 3, 4, 5]);
});

test('numbers read as numbers: float64 noise is cut to 6 significant digits, integers stay whole', () => {
  assert.equal(numberText(33.678710000000014), '33.6787');
  assert.equal(numberText(42), '42');
  assert.equal(numberText(1.5e-7), '1.5e-7');
  assert.equal(numberText(true), 'true');
  const s = summarizeValues({ server_timing: { infer_ms: 33.678710000000014 }, list: [0.1 + 0.2, 2] });
  assert.equal(s.find((v) => v.key === 'server_timing/infer_ms')?.text, '33.6787');
  assert.equal(s.find((v) => v.key === 'list')?.text, '[0.3, 2]');
});

test('converterFunctionLines finds exported toPolicy / fromPolicy (functions, async, arrow consts), not others', async () => {
  const { converterFunctionLines } = await import('../../src/core/convert/converterSource');
  const text = [
    "import x from './x';",
    'export function toPolicy(obs, builtin) {',
    '  return builtin.toPolicy(obs);',
    '}',
    'function fromPolicy() {}',
    'export const fromPolicy = (chunk, builtin) => builtin.fromPolicy(chunk);',
    'export async function toPolicyHelper() {}',
    '  export   async function fromPolicy() {}',
  ].join('\r\n');
  assert.deepEqual(converterFunctionLines(text), [
    { name: 'toPolicy', line: 1 },
    { name: 'fromPolicy', line: 5 },
    { name: 'fromPolicy', line: 7 },
  ]);
});
