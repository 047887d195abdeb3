// The built-in converter on its own thread: the same bytes as on the caller's thread, errors that keep their
// name and message, the caller's frames free to reuse at once, and a fallback after close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinConverter, type RgbFrame } from '../../src/core/convert';
import { NdArray } from '../../src/core/ndarray';
import { perMotor } from '../../src/core/so100';
import { OffThreadConverter } from '../../src/runtime/offThreadConverter';

const frame = (seed: number, width = 640, height = 480): RgbFrame => ({
  width,
  height,
  data: new Uint8Array(width * height * 3).map((_, i) => (i * seed + (i >> 9)) & 0xff),
});
const obs = () => ({
  positions: perMotor((m) => m.length * 1.25),
  images: { front: frame(7), wrist: frame(13) },
  task: 'pick up the red cube',
});

describe('OffThreadConverter', () => {
  test('converts to exactly what the built-in converter makes on this thread', async () => {
    const off = new OffThreadConverter('openpi-so100');
    try {
      const o = obs();
      const here = builtinConverter('openpi-so100').toPolicy(o);
      const there = await off.toPolicyAsync(o);
      assert.deepEqual(Object.keys(there.input).sort(), Object.keys(here.input).sort());
      for (const [k, v] of Object.entries(here.input)) {
        const w = there.input[k];
        if (v instanceof NdArray) {
          assert.ok(w instanceof NdArray, `${k} came back as an NdArray`);
          assert.equal(w.dtype, v.dtype);
          assert.deepEqual(w.shape, v.shape);
          assert.ok(Buffer.from(w.data).equals(Buffer.from(v.data)), `${k}: same bytes`);
        } else {
          assert.deepEqual(w, v, k);
        }
      }
      assert.ok(off.lastThreadMs > 0);
    } finally {
      off[Symbol.dispose]();
    }
  });

  test('the caller may overwrite its frames as soon as the call returns', async () => {
    const off = new OffThreadConverter('openpi-so100');
    try {
      const o = obs();
      const expected = builtinConverter('openpi-so100').toPolicy(o).input['observation/images.main'] as NdArray;
      const pending = off.toPolicyAsync(o);
      o.images.front.data.fill(0);
      const got = (await pending).input['observation/images.main'] as NdArray;
      assert.ok(Buffer.from(got.data).equals(Buffer.from(expected.data)));
    } finally {
      off[Symbol.dispose]();
    }
  });

  test("a conversion error comes back with the thread's name and message; the thread keeps working", async () => {
    const off = new OffThreadConverter('openpi-so100');
    try {
      const bad = { ...obs(), images: { front: { width: 640, height: 480, data: new Uint8Array(10) } } };
      const local = (() => {
        try {
          builtinConverter('openpi-so100').toPolicy(bad);
        } catch (e) {
          return e as Error;
        }
      })();
      assert.ok(local, 'the observation is bad on this thread too');
      await assert.rejects(off.toPolicyAsync(bad), (e: Error) => e.name === local.name && e.message === local.message);
      assert.ok((await off.toPolicyAsync(obs())).input['observation/state'] instanceof NdArray);
    } finally {
      off[Symbol.dispose]();
    }
  });

  test('an unknown layout fails at construction, as the built-in converter does; after close it converts here', async () => {
    assert.throws(() => new OffThreadConverter('no-such-layout'), /no-such-layout/);
    const off = new OffThreadConverter('openpi-so100');
    off[Symbol.dispose]();
    const r = await off.toPolicyAsync(obs());
    assert.deepEqual(r.warnings, [], 'closing on purpose is not worth a warning');
    assert.ok(r.input['observation/state'] instanceof NdArray);
  });
});
