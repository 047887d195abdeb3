// Benchmark 1: the msgpack-numpy codec against a plain copy of the same bytes.
import { NdArray } from '../../src/core/ndarray';
import { PolicyFrameEncoder, decodePolicyFrame, encodePolicyFrame } from '../../src/core/protocols';
import { figure, timeBatchedPair, timeSync, type BenchFigure } from './benchStats';

export function codecBenchmarks(runs: number): BenchFigure[] {
  const img = () =>
    new NdArray(
      '|u1',
      [224, 224, 3],
      new Uint8Array(224 * 224 * 3).map((_, i) => i & 0xff),
    );
  const obs = {
    'observation/state': NdArray.fromTyped(new Float32Array([0, 10, -10, 5, 0, 30]), [6]),
    'observation/images.main': img(),
    'observation/images.wrist': img(),
    prompt: 'pick up the cube',
  };
  const encoder = new PolicyFrameEncoder();
  const frameBytes = encoder.encode(obs).length;
  // Limit: copying the same payload bytes into a preallocated buffer.
  const target = new Uint8Array(frameBytes);
  const a = obs['observation/images.main'].data;
  const b = obs['observation/images.wrist'].data;
  const copy = () => {
    target.set(a, 0);
    target.set(b, a.length);
  };
  const encode = timeSync(() => encoder.encode(obs), runs);
  const copyTimes = timeSync(copy, runs);

  const out: BenchFigure[] = [
    figure(`encode observation (2×224²×3 u8 + state + prompt, ${frameBytes} B)`, 'µs', encode, {
      name: 'plain copy',
      samples: copyTimes,
      target: 3,
    }),
  ];

  // Decoding must hand back arrays the caller owns (the socket's buffer is not ours to keep), so its limit is a plain
  // copy of the whole frame into a fresh array. Both sides are sub-µs to tens of µs: timed in alternating batches.
  const decodeNote = 'each sample: the mean of a ~100 µs batch, alternating with batches of the limit, frame.slice()';
  for (const [label, dtype, shape] of [
    ['50×6 <f8', '<f8', [50, 6]],
    ['50×32 <f4', '<f4', [50, 32]],
  ] as const) {
    const reply = encodePolicyFrame({
      actions: NdArray.zeros(dtype, [...shape]),
      policy_timing: { infer_ms: 12.5 },
      server_timing: { infer_ms: 14.25, prev_total_ms: 30.5 },
    });
    const t = timeBatchedPair(
      () => decodePolicyFrame(reply),
      () => reply.slice(),
      runs,
    );
    out.push(
      figure(
        `decode reply with actions ${label} (${reply.length} B)`,
        'µs',
        t.fn,
        { name: 'plain copy', samples: t.limit, target: 3 },
        decodeNote,
      ),
    );
  }

  // The built-in server decodes observations: two camera images and a few small fields.
  const obsFrame = encodePolicyFrame(obs);
  const t = timeBatchedPair(
    () => decodePolicyFrame(obsFrame),
    () => obsFrame.slice(),
    runs,
  );
  out.push(
    figure(
      `decode observation (2×224²×3 u8 + state + prompt, ${obsFrame.length} B)`,
      'µs',
      t.fn,
      { name: 'plain copy', samples: t.limit, target: 3 },
      decodeNote,
    ),
  );
  return out;
}
