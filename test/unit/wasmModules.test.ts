// The checked-in WebAssembly modules are what their hand-written WAT compiles to today (scripts/build-wasm.mjs),
// so neither can change without the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WASM_MODULES, compileWat, generatedModules } from '../../scripts/build-wasm.mjs';
import { bilinearKernelsWasm } from '../../src/core/convert/simd/bilinearKernels.wasm';

const root = resolve(__dirname, '../..');

test('every generated module equals a fresh compile of its .wat (run `npm run build:wasm` after editing one)', async () => {
  const generated = await generatedModules();
  assert.deepEqual(
    [...generated.keys()],
    WASM_MODULES.map((m) => m.ts),
  );
  for (const [ts, text] of generated) assert.equal(readFileSync(join(root, ts), 'utf8'), text, ts);
});

test('the resampler runs exactly the bytes compiled from bilinearKernels.wat', async () => {
  const fresh = await compileWat(join(root, 'src/core/convert/simd/bilinearKernels.wat'));
  assert.ok(fresh.length > 500);
  assert.ok(Buffer.from(bilinearKernelsWasm).equals(Buffer.from(fresh)));
});
