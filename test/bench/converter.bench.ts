// Benchmark 2: two 640×480 camera frames → the openpi SO-100 layout (Pillow-exact resize-with-pad to 224², state,
// prompt), as done once per policy request. Limit: copying the two frames' bytes.
import { builtinConverter, type RgbFrame } from '../../src/core/convert';
import { perMotor } from '../../src/core/so100';
import { figure, timeSync, type BenchFigure } from './benchStats';

export function converterBenchmarks(runs: number): BenchFigure[] {
  const frame = (): RgbFrame => ({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).map((_, i) => (i * 7) & 0xff) });
  const images = { front: frame(), wrist: frame() };
  const converter = builtinConverter('openpi-so100');
  const obs = { positions: perMotor(() => 1.5), images, task: 'pick up the red cube' };
  const t = timeSync(() => converter.toPolicy(obs), runs, 20);
  const dst = new Uint8Array(images.front.data.length * 2);
  const copy = timeSync(() => { dst.set(images.front.data, 0); dst.set(images.wrist.data, images.front.data.length); }, runs, 20);
  return [figure('converter: two 640×480 frames → openpi SO-100 input (224² resize-with-pad)', 'µs', t,
    { name: 'plain copy of the frames', samples: copy },
    'target ≤ 1 ms per tick for both frames; Pillow-exact antialiased bilinear, once per policy request')];
}
