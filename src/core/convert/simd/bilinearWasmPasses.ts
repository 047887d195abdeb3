// The two passes of bilinearResample.ts run by the WebAssembly SIMD kernels of bilinearKernels.wat, for one
// geometry: one memory holding the tap tables, the source frame, the horizontal pass's rows and the result.
// Byte-identical to the JS passes, which stay the reference and the fallback (test/unit/bilinearWasmPasses.test.ts).
import type { AxisTaps } from '../bilinearResample';
import { bilinearKernelsWasm } from './bilinearKernels.wasm';

// The part of the WebAssembly JS API used here. Every engine we run on has it as a global; the project's libs
// (ES2023, no DOM) do not declare it, and an engine without it simply keeps the JS passes.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

interface KernelExports {
  horizontalPass(
    src: number,
    srcStride: number,
    rows: number,
    taps: number,
    outSize: number,
    dst: number,
    dstStride: number,
  ): void;
  verticalPass(
    srcStride: number,
    rowBytes: number,
    taps: number,
    outRows: number,
    dst: number,
    dstStride: number,
  ): void;
}

let compiled: object | null | undefined;

/** The compiled kernels (once per thread), or null where the engine lacks WebAssembly or its SIMD instructions. */
function kernelModule(api: WasmApi | undefined): object | null {
  if (compiled === undefined) {
    try {
      // validate() is false on engines without SIMD: the module uses v128 throughout.
      compiled = api && api.validate(bilinearKernelsWasm) ? new api.Module(bilinearKernelsWasm) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Whether this JavaScript engine can run the WebAssembly SIMD kernels. */
export function wasmSimdAvailable(): boolean {
  return kernelModule(wasmApi()) !== null;
}

const PAGE = 65536;
const align16 = (n: number): number => (n + 15) & ~15;
// Split of a 22-bit fixed-point weight into two i16 halves for i32x4.dot_i16x8_s (see bilinearKernels.wat).
const LOW_BITS = 11;
const LOW_MASK = (1 << LOW_BITS) - 1;
// The horizontal kernel's fast path: pixels of up to three tap pairs (all of them in a downscale by up to ~2.5×,
// e.g. 640 → 224) are padded to exactly three.
const FAST_PAIRS = 3;

/**
 * The resampling passes of one geometry in WebAssembly; `resizeInto` allocates nothing. Built by BilinearResizer,
 * which validates its arguments; throws when the engine lacks WebAssembly SIMD.
 */
export class WasmBilinearPasses {
  private readonly kernels: KernelExports;
  private readonly memory: Uint8Array;
  private readonly srcAt: number;
  private readonly srcBytes: number;
  private readonly resultAt: number;
  private readonly resultStride: number;
  private readonly resultRows: number;
  private readonly run: () => void;

  constructor(
    srcWidth: number,
    srcHeight: number,
    private readonly dstWidth: number,
    dstHeight: number,
    horizontal: AxisTaps | undefined,
    vertical: AxisTaps | undefined,
  ) {
    const api = wasmApi();
    const module = kernelModule(api);
    if (!api || !module)
      throw new Error("cannot resize with kernels: 'wasm': this JavaScript engine has no WebAssembly SIMD");
    if (!horizontal && !vertical) throw new RangeError('a same-size resize has no resampling pass to run');

    const srcStride = srcWidth * 3;
    const rowBytes = dstWidth * 3;
    // The horizontal kernel stores 4 bytes per pixel, so its rows get a spare byte (16-aligned for the vertical loads).
    const paddedRow = align16(rowBytes + 1);
    let end = 0;
    const region = (bytes: number): number => {
      const at = end;
      end = align16(end + bytes);
      return at;
    };
    const hTable = horizontal ? region(horizontalTableBytes(horizontal)) : 0;
    const vTable = vertical ? region(verticalTableBytes(vertical)) : 0;
    // Past every region the kernels read: one more row (an odd tap's zero-weight partner) and a 16-byte load.
    this.srcAt = region(srcHeight * srcStride + srcStride + 32);
    this.srcBytes = srcHeight * srcStride;
    const between = horizontal && vertical ? region(srcHeight * paddedRow + paddedRow + 32) : 0;
    this.resultStride = vertical ? rowBytes : paddedRow;
    this.resultRows = vertical ? dstHeight : srcHeight;
    this.resultAt = region(this.resultRows * this.resultStride + 32);

    const pages = Math.ceil(end / PAGE);
    const memory = new api.Memory({ initial: pages, maximum: pages });
    this.kernels = new api.Instance(module, { env: { memory } }).exports as KernelExports;
    this.memory = new Uint8Array(memory.buffer);
    const view = new DataView(memory.buffer);
    if (horizontal) writeHorizontalTable(view, hTable, horizontal);
    if (vertical)
      writeVerticalTable(view, vTable, vertical, horizontal ? between : this.srcAt, horizontal ? paddedRow : srcStride);

    const { kernels, srcAt, resultAt } = this;
    if (horizontal && vertical) {
      this.run = () => {
        kernels.horizontalPass(srcAt, srcStride, srcHeight, hTable, dstWidth, between, paddedRow);
        kernels.verticalPass(paddedRow, rowBytes, vTable, dstHeight, resultAt, rowBytes);
      };
    } else if (horizontal) {
      this.run = () => kernels.horizontalPass(srcAt, srcStride, srcHeight, hTable, dstWidth, resultAt, paddedRow);
    } else {
      this.run = () => kernels.verticalPass(srcStride, srcStride, vTable, dstHeight, resultAt, rowBytes);
    }
  }

  /** Resizes `src` into `out` at byte `outBase`, rows `outStride` bytes apart (arguments already checked). */
  resizeInto(src: Uint8Array, out: Uint8Array, outStride: number, outBase: number): void {
    const mem = this.memory;
    mem.set(src.subarray(0, this.srcBytes), this.srcAt);
    this.run();
    const rowBytes = this.dstWidth * 3;
    if (this.resultStride === rowBytes && outStride === rowBytes) {
      out.set(mem.subarray(this.resultAt, this.resultAt + this.resultRows * rowBytes), outBase);
      return;
    }
    for (let y = 0, from = this.resultAt; y < this.resultRows; y++, from += this.resultStride) {
      out.set(mem.subarray(from, from + rowBytes), outBase + y * outStride);
    }
  }
}

function horizontalPairs(t: AxisTaps, i: number): number {
  return Math.max(FAST_PAIRS, Math.ceil(t.count[i] / 2));
}

function horizontalTableBytes(t: AxisTaps): number {
  let bytes = 0;
  for (let i = 0; i < t.outSize; i++) bytes += 16 + 32 * horizontalPairs(t, i);
  return bytes;
}

function verticalTableBytes(t: AxisTaps): number {
  let bytes = 0;
  for (let i = 0; i < t.outSize; i++) bytes += 16 + 32 * Math.max(1, Math.ceil(t.count[i] / 2));
  return bytes;
}

/** Tap `k` of output `i`, 0 past its count (the zero-weight padding of a pair). */
function weight(t: AxisTaps, i: number, k: number): number {
  return k < t.count[i] ? t.weights[i * t.maxTaps + k] : 0;
}

/** Writes the low and high i16 halves of taps a and b as [a, b] repeated over `lanePairs` of the 4 i32 lanes. */
function writeWeightPair(view: DataView, at: number, a: number, b: number, lanePairs: number): void {
  for (const [w, k] of [
    [a, 0],
    [b, 1],
  ] as const) {
    const high = w >> LOW_BITS;
    if (high < -0x8000 || high > 0x7fff)
      throw new RangeError(`bilinear weight ${w} does not fit the WebAssembly kernels`);
    for (let lane = 0; lane < lanePairs; lane++) {
      view.setInt16(at + lane * 4 + k * 2, w & LOW_MASK, true);
      view.setInt16(at + 16 + lane * 4 + k * 2, high, true);
    }
  }
}

// Record layouts: see the comments of horizontalPass and verticalPass in bilinearKernels.wat.
function writeHorizontalTable(view: DataView, at: number, t: AxisTaps): void {
  for (let i = 0; i < t.outSize; i++) {
    const pairs = horizontalPairs(t, i);
    view.setInt32(at, t.start[i] * 3, true);
    view.setInt32(at + 4, pairs, true);
    at += 16;
    for (let j = 0; j < pairs; j++, at += 32)
      writeWeightPair(view, at, weight(t, i, 2 * j), weight(t, i, 2 * j + 1), 3);
  }
}

function writeVerticalTable(view: DataView, at: number, t: AxisTaps, rowsAt: number, rowStride: number): void {
  for (let i = 0; i < t.outSize; i++) {
    const pairs = Math.max(1, Math.ceil(t.count[i] / 2));
    view.setInt32(at, rowsAt + t.start[i] * rowStride, true);
    view.setInt32(at + 4, pairs, true);
    at += 16;
    for (let j = 0; j < pairs; j++, at += 32)
      writeWeightPair(view, at, weight(t, i, 2 * j), weight(t, i, 2 * j + 1), 4);
  }
}
