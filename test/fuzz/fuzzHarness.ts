// Shared parts of the decoder fuzz tests: run size and seed from the environment, byte mutations of valid inputs,
// and a runner that names the seed to replay a failure with.
//   SO100_FUZZ_RUNS=100000  cases per property (the long run; the default keeps `npm test` fast)
//   SO100_FUZZ_SEED=123     replay a run (the failure message prints the seed it used)
import fc from 'fast-check';

/** Cases per main property: the env var, or `fallback` for the quick default run. */
export function fuzzRuns(fallback: number): number {
  const raw = process.env.SO100_FUZZ_RUNS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`SO100_FUZZ_RUNS must be a positive integer, got "${raw}"`);
  return n;
}

/** The seed for this process: SO100_FUZZ_SEED, or a fresh one (printed on failure). */
export function fuzzSeed(): number {
  const raw = process.env.SO100_FUZZ_SEED;
  if (raw === undefined || raw === '') return (Date.now() ^ (process.pid << 16)) | 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`SO100_FUZZ_SEED must be an integer, got "${raw}"`);
  return n | 0;
}

export interface FuzzOutcome {
  readonly runs: number;
  readonly ms: number;
  readonly seed: number;
}

/** Runs `property` for `runs` cases with the process seed; a failure names the seed and how to replay it. */
export function runFuzz<T>(name: string, property: fc.IProperty<T>, runs: number): FuzzOutcome {
  const seed = fuzzSeed();
  const started = performance.now();
  try {
    fc.assert(property, { numRuns: runs, seed });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `fuzz "${name}" failed with seed ${seed}; replay with SO100_FUZZ_SEED=${seed}` +
        ` SO100_FUZZ_RUNS=${runs}\n${message}`,
      { cause: err },
    );
  }
  const ms = performance.now() - started;
  // One line per property, collected for docs/RELIABILITY.md from the long run.
  console.log(`# fuzz ${name}: ${runs} cases in ${Math.round(ms)} ms (seed ${seed})`);
  return { runs, ms, seed };
}

/** Asserts that `fn` returns or throws one of `allowed`; anything else (TypeError, RangeError…) is a decoder bug. */
export function onlyTyped(fn: () => void, allowed: readonly (abstract new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return;
    throw err;
  }
}

/** Byte values decoders treat specially: msgpack type tags, Feetech header bytes, length extremes. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xc0, 0xc1, 0xc4, 0xc6, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xfe, 0xff];

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'splice'; readonly at: number; readonly other: number; readonly from: number }
  | { readonly kind: 'repeat'; readonly at: number; readonly count: number; readonly times: number };

const position = fc.nat({ max: 1 << 20 });

/** One random edit; positions are taken modulo the current length when applied. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 255 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: position, other: fc.nat(), from: position }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    count: fc.integer({ min: 1, max: 32 }),
    times: fc.integer({ min: 2, max: 8 }),
  }),
);

/** Applies `edits` to a copy of `base`; `corpus` feeds splices (the tail of another valid input). */
export function applyMutations(
  base: Uint8Array,
  edits: readonly Mutation[],
  corpus: readonly Uint8Array[],
): Uint8Array {
  let b: Uint8Array = Uint8Array.from(base);
  for (const m of edits) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at % b.length] ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length) b[at % b.length] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
        break;
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(at + m.count));
        break;
      case 'splice': {
        const other = corpus[m.other % corpus.length];
        b = concat(b.subarray(0, at), other.subarray(m.from % (other.length + 1)));
        break;
      }
      case 'repeat': {
        const piece = b.subarray(at, at + m.count);
        b = concat(b.subarray(0, at), ...Array.from({ length: m.times }, () => piece), b.subarray(at));
        break;
      }
    }
  }
  return b;
}

/** A valid input from `corpus` with 1–6 edits applied. */
export function mutated(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([i, edits]) => applyMutations(corpus[i], edits, corpus));
}

/** Cuts `bytes` at sorted positions into chunks, as a socket or serial port may deliver them. */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  const out: Uint8Array[] = [];
  for (let i = 1; i < points.length; i++) out.push(bytes.subarray(points[i - 1], points[i]));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
