import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ResizeWithPadPlan,
  chwToHwc,
  float16ToU8,
  floatToU8,
  hwcToChw,
  padGeometry,
  resizeWithPad,
  u8ToFloat16,
  u8ToFloat32,
  type RgbFrame,
} from '../../src/core/convert';
import { halfToNumber } from '../../src/core/ndarray';

/** An RGB frame from per-channel row-major planes. */
function frameFromPlanes(width: number, height: number, planes: number[][]): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = planes[c][p];
  return { width, height, data };
}

function plane(frame: RgbFrame, c: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < frame.width * frame.height; p++) out.push(frame.data[p * 3 + c]);
  return out;
}

test('a 4×2 frame into 4×4 keeps its pixels and gets one zero row above and below', () => {
  const src = frameFromPlanes(4, 2, [
    [1, 2, 3, 4, 5, 6, 7, 8],
    [9, 9, 9, 9, 9, 9, 9, 9],
    [10, 20, 30, 40, 50, 60, 70, 80],
  ]);
  const out = resizeWithPad(src, 4, 4);
  assert.deepEqual([out.width, out.height], [4, 4]);
  assert.deepEqual(plane(out, 0), [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
  assert.deepEqual(plane(out, 1), [0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0]);
  assert.deepEqual(plane(out, 2), [0, 0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 0, 0, 0, 0]);
});

test('a 2×2 → 4×4 upscale gives Pillow bilinear values (¾/¼ taps, rounded after each pass)', () => {
  // By hand: each axis maps [a, b] to [a, (3a+b)/4, (a+3b)/4, b], rounding half up, rows first.
  const src = frameFromPlanes(2, 2, [
    [0, 100, 200, 40],
    [10, 10, 10, 10],
    [255, 0, 0, 255],
  ]);
  const out = resizeWithPad(src, 4, 4);
  assert.deepEqual(plane(out, 0), [0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40]);
  assert.deepEqual(plane(out, 1), new Array(16).fill(10));
  assert.deepEqual(plane(out, 2), [255, 191, 64, 0, 191, 159, 96, 64, 64, 96, 159, 191, 0, 64, 191, 255]);
});

test('a 6×4 → 4×4 downscale matches Pillow 9.4 Image.resize(BILINEAR) with openpi padding', () => {
  // Reference bytes produced with Pillow 9.4 (antialiased bilinear: support widens by the 1.5 ratio).
  const data = Uint8Array.from({ length: 72 }, (_, i) => (i * 7) % 256);
  const want = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 84, 68, 75, 90, 97, 104, 121, 128, 135, 150, 157, 164, 145, 84, 91, 106, 113,
    120, 137, 144, 151, 166, 173, 180, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ];
  assert.deepEqual([...resizeWithPad({ width: 6, height: 4, data }, 4, 4).data], want);
  // The same bytes whichever implementation resamples (the default is WebAssembly SIMD where the engine has it).
  for (const kernels of ['js', 'wasm'] as const) {
    assert.deepEqual([...new ResizeWithPadPlan(6, 4, 4, 4, kernels).run(data, new Uint8Array(48))], want, kernels);
  }
});

test('a frame already at the target size is copied unchanged', () => {
  const data = Uint8Array.from({ length: 3 * 3 * 3 }, (_, i) => i * 9);
  const out = resizeWithPad({ width: 3, height: 3, data }, 3, 3);
  assert.deepEqual([...out.data], [...data]);
  assert.notEqual(out.data, data);
});

test('geometry follows openpi: 640×480 → 224×168 centred 28 rows down; 480×640 → 168×224, 28 columns in', () => {
  assert.deepEqual(padGeometry(640, 480, 224, 224), { resizedWidth: 224, resizedHeight: 168, left: 0, top: 28 });
  assert.deepEqual(padGeometry(480, 640, 224, 224), { resizedWidth: 168, resizedHeight: 224, left: 28, top: 0 });
  assert.throws(() => padGeometry(1000, 1, 224, 224), /shrinks to 224×0/);
});

const sizes = fc
  .record({
    sw: fc.integer({ min: 1, max: 40 }),
    sh: fc.integer({ min: 1, max: 40 }),
    w: fc.integer({ min: 1, max: 24 }),
    h: fc.integer({ min: 1, max: 24 }),
  })
  .filter(
    ({ sw, sh, w, h }) =>
      Math.trunc(sw / Math.max(sw / w, sh / h)) >= 1 && Math.trunc(sh / Math.max(sw / w, sh / h)) >= 1,
  );

test('a uniform frame stays uniform inside the picture and the zero padding is centred', () => {
  fc.assert(
    fc.property(sizes, fc.integer({ min: 1, max: 255 }), ({ sw, sh, w, h }, v) => {
      const out = resizeWithPad({ width: sw, height: sh, data: new Uint8Array(sw * sh * 3).fill(v) }, h, w).data;
      // Find the non-zero rectangle from the bytes themselves.
      let x0 = w,
        x1 = -1,
        y0 = h,
        y1 = -1;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const i = (y * w + x) * 3;
          if (out[i] || out[i + 1] || out[i + 2]) {
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
        }
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
          for (let c = 0; c < 3; c++) assert.equal(out[(y * w + x) * 3 + c], inside ? v : 0, `pixel (${x}, ${y})`);
        }
      const [rw, rh] = [x1 - x0 + 1, y1 - y0 + 1];
      // openpi truncates the resized size, so the limiting side may come out one pixel short.
      assert.ok(rw >= w - 1 || rh >= h - 1, 'the picture fills one dimension');
      assert.ok(
        Math.abs(x0 - (w - 1 - x1)) <= 1 && x0 <= w - 1 - x1,
        'horizontal pad centred (odd pixel on the right)',
      );
      assert.ok(Math.abs(y0 - (h - 1 - y1)) <= 1 && y0 <= h - 1 - y1, 'vertical pad centred (odd pixel at the bottom)');
    }),
  );
});

test('a reused output buffer is fully rewritten, padding included', () => {
  const out = new Uint8Array(4 * 4 * 3).fill(77);
  const src = { width: 4, height: 2, data: new Uint8Array(24).fill(5) };
  resizeWithPad(src, 4, 4, out);
  assert.deepEqual([...out], [...new Uint8Array(12), ...new Uint8Array(24).fill(5), ...new Uint8Array(12)]);
  const plan = new ResizeWithPadPlan(4, 2, 4, 4);
  assert.throws(() => plan.run(src.data, new Uint8Array(10)), /must be 4×4×3 = 48 bytes, got 10/);
  assert.throws(() => plan.run(new Uint8Array(5), out), /4×2 RGB frame \(24 bytes\), got 5 bytes/);
});

test('HWC → CHW puts each channel in its own plane, and CHW → HWC undoes it', () => {
  const hwc = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 1×2 pixels
  assert.deepEqual([...hwcToChw(hwc, 1, 2, 3, new Uint8Array(6))], [1, 4, 2, 5, 3, 6]);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      (h, w, c) => {
        const src = Float32Array.from({ length: h * w * c }, (_, i) => i * 0.5);
        const chw = hwcToChw(src, h, w, c, new Float32Array(src.length));
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let k = 0; k < c; k++) {
              assert.equal(chw[k * h * w + y * w + x], src[(y * w + x) * c + k]);
            }
        assert.deepEqual([...chwToHwc(chw, h, w, c, new Float32Array(src.length))], [...src]);
      },
    ),
  );
  assert.throws(() => hwcToChw(hwc, 2, 2, 3, new Uint8Array(12)), /has 12 values; got input 6/);
});

test('bytes ↔ float32 / float16 in [0, 1] round-trip every byte value', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const f32 = u8ToFloat32(all, new Float32Array(256));
  assert.equal(f32[0], 0);
  assert.equal(f32[255], 1);
  assert.equal(f32[51], Math.fround(0.2));
  assert.deepEqual([...floatToU8(f32, new Uint8Array(256))], [...all]);
  // numpy's (255 * clip(x, 0, 1)).astype(uint8) gives back every byte from float32 k/255 too (checked with numpy 1.24).
  assert.deepEqual([...floatToU8(f32, new Uint8Array(256), 'truncate')], [...all]);
  const f16 = u8ToFloat16(all, new Uint16Array(256));
  assert.deepEqual([f16[0], f16[1], f16[128], f16[255]], [0, 7172, 14340, 15360]); // numpy float16 bit patterns
  for (let k = 0; k < 256; k++) assert.ok(Math.abs(halfToNumber(f16[k]) - k / 255) <= 2 ** -11);
  assert.deepEqual([...float16ToU8(f16, new Uint8Array(256))], [...all]);
});

test('floats become bytes clipped to [0, 255], NaN as 0, rounding or truncating as asked', () => {
  const src = Float64Array.from([-1, 2, Number.NaN, 0.5, 1 / 255 - 1e-9]);
  assert.deepEqual([...floatToU8(src, new Uint8Array(5))], [0, 255, 0, 128, 1]);
  assert.deepEqual([...floatToU8(src, new Uint8Array(5), 'truncate')], [0, 255, 0, 127, 0]);
  assert.throws(() => floatToU8(src, new Uint8Array(4)), /as many elements as the input \(5\), got 4/);
});
