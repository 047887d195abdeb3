// Benchmark 2: two 640×480 camera frames → the openpi SO-100 layout (Pillow-exact resize-with-pad to 224², state,
// prompt), as done once per policy request. Limit: copying the two frames' bytes. Measured three ways: the
// conversion itself (on the caller's thread, as a user module delegating to the built-in layout runs it) with the
// WebAssembly SIMD kernels (the default) and with the JS reference kernels, and what the loop's thread pays when the
// runtime converts on its converter thread (copy + post), with the thread's own time beside it.
import { BilinearResizer, builtinConverter, type RgbFrame } from '../../src/core/convert';
import { perMotor } from '../../src/core/so100';
import { OffThreadConverter } from '../../src/runtime/offThreadConverter';
import { figure, timeSync, type BenchFigure } from './benchStats';

export async function converterBenchmarks(runs: number): Promise<BenchFigure[]> {
  const frame = (): RgbFrame => ({
    width: 640,
    height: 480,
    data: new Uint8Array(640 * 480 * 3).map((_, i) => (i * 7) & 0xff),
  });
  const images = { front: frame(), wrist: frame() };
  const converter = builtinConverter('openpi-so100'); // kernels 'auto': WebAssembly SIMD where the engine has it
  const kernels = new BilinearResizer(640, 480, 224, 168).kernels;
  const obs = { positions: perMotor(() => 1.5), images, task: 'pick up the red cube' };
  // The default kernels cost ~1 ms: five times the runs of the JS reference keeps the whole benchmark short.
  const t = timeSync(() => converter.toPolicy(obs), runs * 5, 50);
  const dst = new Uint8Array(images.front.data.length * 2);
  const copy = timeSync(
    () => {
      dst.set(images.front.data, 0);
      dst.set(images.wrist.data, images.front.data.length);
    },
    runs,
    20,
  );
  const jsConverter = builtinConverter('openpi-so100', {}, 'js');
  const tJs = timeSync(() => jsConverter.toPolicy(obs), runs, 5);

  const off = new OffThreadConverter('openpi-so100');
  const loopThread: number[] = [];
  const wall: number[] = [];
  const thread: number[] = [];
  try {
    for (let i = 0; i < runs + 20; i++) {
      const t0 = performance.now();
      const pending = off.toPolicyAsync(obs);
      const t1 = performance.now();
      await pending;
      const t2 = performance.now();
      if (i < 20) continue; // warm-up: the thread's start and its JIT
      loopThread.push((t1 - t0) * 1000);
      wall.push((t2 - t0) * 1000);
      thread.push(off.lastThreadMs * 1000);
    }
  } finally {
    off[Symbol.dispose]();
  }
  return [
    withVerdict(
      figure(
        `converter: two 640×480 frames → openpi SO-100 input (224² resize-with-pad), ${kernels === 'wasm' ? 'WebAssembly SIMD' : 'JS (no WebAssembly SIMD here)'} kernels`,
        'µs',
        t,
        { name: 'plain copy of the frames', samples: copy },
        'Pillow-exact antialiased bilinear, once per policy request; the default kernels',
      ),
      '≤ 1 ms for both frames (median)',
      1000,
    ),
    figure(
      'converter: the same with the JS kernels (the reference and fallback)',
      'µs',
      tJs,
      { name: 'plain copy of the frames', samples: copy },
      'same bytes; what engines without WebAssembly SIMD run',
    ),
    withVerdict(
      figure(
        "converter on its thread: the loop thread's share (copy frames + post)",
        'µs',
        loopThread,
        { name: 'plain copy of the frames', samples: copy },
        'what a requesting tick pays; the conversion itself runs beside the loop',
      ),
      '≤ 1 ms per requesting tick (median)',
      1000,
    ),
    figure(
      'converter on its thread: request → input ready (wall)',
      'µs',
      wall,
      undefined,
      `the request leaves this much later; the thread's own time median ${Math.round(median(thread))} µs`,
    ),
  ];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function withVerdict(f: BenchFigure, target: string, maxMedianUs: number): BenchFigure {
  return { ...f, verdict: { target, met: f.median <= maxMedianUs } };
}
