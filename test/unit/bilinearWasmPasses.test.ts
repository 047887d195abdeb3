// The WebAssembly SIMD resampler gives the JS reference's bytes (Pillow's BILINEAR) on every geometry, and its
// fixed-point split and clipping equal Pillow's int32 arithmetic even for weights Pillow never produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BilinearResizer, wasmSimdAvailable, type AxisTaps } from '../../src/core/convert';
import { WasmBilinearPasses } from '../../src/core/convert/simd/bilinearWasmPasses';

/** Deterministic noise bytes (xorshift32). */
function noise(length: number, seed: number): Uint8Array {
  let s = seed | 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

const SENTINEL = 0xa5;

/** Both implementations' output for one frame, placed at (left, top) of a sentinel-filled image `outWidth` wide. */
function bothOutputs(
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  src: Uint8Array,
  place: { outWidth: number; outHeight: number; left: number; top: number } = {
    outWidth: dw,
    outHeight: dh,
    left: 0,
    top: 0,
  },
): { js: Uint8Array; wasm: Uint8Array } {
  const js = new BilinearResizer(sw, sh, dw, dh, { kernels: 'js' });
  const wasm = new BilinearResizer(sw, sh, dw, dh, { kernels: 'wasm' });
  const outs = {
    js: new Uint8Array(place.outWidth * place.outHeight * 3).fill(SENTINEL),
    wasm: new Uint8Array(place.outWidth * place.outHeight * 3).fill(SENTINEL),
  };
  js.resizeInto(src, outs.js, place.outWidth, place.left, place.top);
  wasm.resizeInto(src, outs.wasm, place.outWidth, place.left, place.top);
  return outs;
}

function assertSameBytes(sw: number, sh: number, dw: number, dh: number, src: Uint8Array): void {
  const { js, wasm } = bothOutputs(sw, sh, dw, dh, src);
  const at = js.findIndex((v, i) => v !== wasm[i]);
  assert.equal(at, -1, `${sw}×${sh} → ${dw}×${dh}: first difference at byte ${at} (js ${js[at]}, wasm ${wasm[at]})`);
}

test('this Node has WebAssembly SIMD, and a resizer uses it unless told to use the JS passes', () => {
  assert.equal(wasmSimdAvailable(), true);
  assert.equal(new BilinearResizer(640, 480, 224, 168).kernels, 'wasm');
  assert.equal(new BilinearResizer(640, 480, 224, 168, { kernels: 'auto' }).kernels, 'wasm');
  assert.equal(new BilinearResizer(640, 480, 224, 168, { kernels: 'js' }).kernels, 'js');
  assert.equal(new BilinearResizer(8, 8, 8, 8, { kernels: 'wasm' }).kernels, 'js', 'a same-size resize only copies');
});

test('the camera geometry, 640×480 → 224×168, gives the JS bytes for noise, flat, extreme and smooth frames', () => {
  const n = 640 * 480 * 3;
  const frames: [string, Uint8Array][] = [
    ['noise', noise(n, 1)],
    ['black', new Uint8Array(n)],
    ['white', new Uint8Array(n).fill(255)],
    // 0/255 columns: the sums that overshoot 255 and are clipped
    ['stripes', Uint8Array.from({ length: n }, (_, i) => (Math.floor(i / 3) % 2 ? 255 : 0))],
    ['gradient', Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 11)) & 0xff)],
  ];
  for (const [name, src] of frames) {
    const { js, wasm } = bothOutputs(640, 480, 224, 168, src);
    assert.ok(Buffer.from(js).equals(Buffer.from(wasm)), name);
  }
  // The comparison means something: the output is neither constant nor the sentinel.
  const { wasm } = bothOutputs(640, 480, 224, 168, frames[0][1]);
  assert.ok(new Set(wasm).size > 20 && !wasm.every((v) => v === SENTINEL));
});

test('small and odd geometries: downscale, upscale, one-pixel sides, odd widths, one axis only, same size', () => {
  const geometries: [number, number, number, number][] = [
    [6, 4, 4, 4],
    [2, 2, 4, 4],
    [1, 1, 1, 1],
    [1, 1, 5, 3],
    [5, 3, 1, 1],
    [7, 1, 3, 1],
    [1, 7, 1, 3],
    [5, 9, 5, 4],
    [5, 9, 11, 9],
    [3, 3, 3, 3],
    [33, 17, 13, 29],
    [17, 33, 6, 5],
    [9, 9, 10, 10],
    [640, 480, 640, 120],
    [640, 480, 100, 480],
    [480, 640, 168, 224],
    [641, 481, 223, 167],
    [100, 2, 99, 1],
  ];
  for (const [i, [sw, sh, dw, dh]] of geometries.entries()) assertSameBytes(sw, sh, dw, dh, noise(sw * sh * 3, i + 7));
});

test("wide downscales (more than six taps a pixel, the kernels' general path) give the JS bytes too", () => {
  for (const [i, [sw, sh, dw, dh]] of (
    [
      [1920, 1080, 224, 126],
      [1280, 720, 100, 50],
      [50, 300, 3, 7],
    ] as const
  ).entries()) {
    assertSameBytes(sw, sh, dw, dh, noise(sw * sh * 3, 100 + i));
  }
});

test('random geometries and frames give the JS bytes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 70 }),
      fc.integer({ min: 1, max: 70 }),
      fc.integer({ min: 1, max: 70 }),
      fc.integer({ min: 1, max: 70 }),
      fc.integer(),
      (sw, sh, dw, dh, seed) => assertSameBytes(sw, sh, dw, dh, noise(sw * sh * 3, seed)),
    ),
    { numRuns: 300 },
  );
});

test('placed at (left, top) of a wider output, the picture matches and every other byte is left as it was', () => {
  for (const [sw, sh, dw, dh, outWidth, outHeight, left, top] of [
    [640, 480, 224, 168, 224, 224, 0, 28],
    [480, 640, 168, 224, 224, 224, 28, 0],
    [13, 7, 5, 9, 11, 12, 3, 2],
    [13, 7, 5, 7, 6, 9, 1, 2],
    [13, 7, 13, 3, 20, 5, 7, 1],
    [4, 4, 4, 4, 9, 6, 5, 2],
  ] as const) {
    const { js, wasm } = bothOutputs(sw, sh, dw, dh, noise(sw * sh * 3, sw * 31 + dw), {
      outWidth,
      outHeight,
      left,
      top,
    });
    assert.ok(
      Buffer.from(js).equals(Buffer.from(wasm)),
      `${sw}×${sh} → ${dw}×${dh} at (${left}, ${top}) of ${outWidth}×${outHeight}`,
    );
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        if (x >= left && x < left + dw && y >= top && y < top + dh) continue;
        for (let c = 0; c < 3; c++)
          assert.equal(wasm[(y * outWidth + x) * 3 + c], SENTINEL, `pixel (${x}, ${y}) outside the picture`);
      }
    }
  }
});

test('a resizer reused for frame after frame carries nothing over from the previous one', () => {
  const resizer = new BilinearResizer(64, 48, 22, 17);
  const reference = new BilinearResizer(64, 48, 22, 17, { kernels: 'js' });
  const frames = [
    noise(64 * 48 * 3, 1),
    new Uint8Array(64 * 48 * 3).fill(255),
    noise(64 * 48 * 3, 2),
    noise(64 * 48 * 3, 1),
  ];
  const out = new Uint8Array(22 * 17 * 3);
  const want = new Uint8Array(22 * 17 * 3);
  for (const f of frames) {
    resizer.resizeInto(f, out);
    reference.resizeInto(f, want);
    assert.ok(Buffer.from(out).equals(Buffer.from(want)));
  }
  assert.throws(() => resizer.resizeInto(new Uint8Array(10), out), /64×48 RGB frame \(9216 bytes\), got 10 bytes/);
});

// Pillow's formula written out: int32 sums from 1 << 21, clipped by clip8.
function clip8(acc: number): number {
  return acc >= 1 << 30 ? 255 : acc <= 0 ? 0 : acc >> 22;
}
function referencePass(
  t: AxisTaps,
  src: Uint8Array,
  lines: number,
  sampleAt: (line: number, tap: number, c: number) => number,
  outAt: (line: number, i: number, c: number) => number,
  out: Uint8Array,
): void {
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < t.outSize; i++) {
      for (let c = 0; c < 3; c++) {
        let acc = 1 << 21;
        for (let k = 0; k < t.count[i]; k++)
          acc = (acc + Math.imul(src[sampleAt(line, t.start[i] + k, c)], t.weights[i * t.maxTaps + k])) | 0;
        out[outAt(line, i, c)] = clip8(acc);
      }
    }
  }
}

/** Taps with arbitrary weights in ±2^25 (Pillow's are ≥ 0 and sum to ~2^22): sums below 0, past 2^30 and past 2^31. */
function wildTaps(inSize: number, outSize: number, seed: number): AxisTaps {
  const maxTaps = 9;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * maxTaps);
  const r = noise(outSize * (maxTaps * 4 + 2), seed);
  let j = 0;
  for (let i = 0; i < outSize; i++) {
    count[i] = r[j++] % (Math.min(maxTaps, inSize) + 1);
    start[i] = r[j++] % (inSize - count[i] + 1);
    for (let k = 0; k < maxTaps; k++, j += 4) {
      const bits = (r[j] | (r[j + 1] << 8) | (r[j + 2] << 16) | (r[j + 3] << 24)) >> 6; // ±2^25
      weights[i * maxTaps + k] = r[j] % 4 === 0 ? bits >> 4 : bits; // some small weights too
    }
  }
  return { inSize, outSize, maxTaps, start, count, weights };
}

test("the kernels' weight split and clipping equal Pillow's int32 arithmetic for negative and huge weights", () => {
  const [sw, sh, dw, dh] = [23, 19, 11, 14];
  for (let seed = 1; seed <= 20; seed++) {
    const src = noise(sw * sh * 3, seed * 977);
    const h = wildTaps(sw, dw, seed);
    const v = wildTaps(sh, dh, seed + 1000);
    const between = new Uint8Array(dw * sh * 3);
    referencePass(
      h,
      src,
      sh,
      (y, x, c) => (y * sw + x) * 3 + c,
      (y, i, c) => (y * dw + i) * 3 + c,
      between,
    );
    const want = new Uint8Array(dw * dh * 3);
    referencePass(
      v,
      between,
      dw,
      (x, y, c) => (y * dw + x) * 3 + c,
      (x, i, c) => (i * dw + x) * 3 + c,
      want,
    );
    const got = new Uint8Array(dw * dh * 3);
    new WasmBilinearPasses(sw, sh, dw, dh, h, v).resizeInto(src, got, dw * 3, 0);
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `both passes, seed ${seed}`);
    // Each pass alone, too: the horizontal one writes rows with a spare byte, the vertical one reads the frame.
    const gotH = new Uint8Array(dw * sh * 3);
    new WasmBilinearPasses(sw, sh, dw, sh, h, undefined).resizeInto(src, gotH, dw * 3, 0);
    assert.ok(Buffer.from(gotH).equals(Buffer.from(between)), `horizontal pass, seed ${seed}`);
    const vOnly = wildTaps(sh, dh, seed + 2000);
    const wantV = new Uint8Array(sw * dh * 3);
    referencePass(
      vOnly,
      src,
      sw,
      (x, y, c) => (y * sw + x) * 3 + c,
      (x, i, c) => (i * sw + x) * 3 + c,
      wantV,
    );
    const gotV = new Uint8Array(sw * dh * 3);
    new WasmBilinearPasses(sw, sh, sw, dh, undefined, vOnly).resizeInto(src, gotV, sw * 3, 0);
    assert.ok(Buffer.from(gotV).equals(Buffer.from(wantV)), `vertical pass, seed ${seed}`);
    assert.ok(
      new Set(want).size > 2 && want.includes(0) && want.includes(255),
      'the sums reach both clips and values between',
    );
  }
});
