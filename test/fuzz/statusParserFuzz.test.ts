// Fuzz: the Feetech status-packet stream parser. Typed errors: none — push() never throws, whatever arrives.
// Properties: any chunking gives the frames a plain whole-buffer scan finds; at most one partial packet is held;
// valid packets after garbage are still found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StatusParser, checksum, encodeStatus, type StatusPacket } from '../../src/core/feetech';
import { chunked, concat, fuzzRuns, mutated, onlyTyped, runFuzz } from './fuzzHarness';

const RUNS = fuzzRuns(1500);

interface RefFrame {
  readonly start: number;
  readonly end: number;
  readonly id: number;
  readonly error: number;
  readonly params: number[];
}

/**
 * The protocol restated as a plain scan over the whole buffer (independent of PacketFramer): at each FF FF with an
 * acceptable header, take the frame if its checksum holds, else move one byte on; stop at a frame that does not fit.
 */
function referenceScan(b: Uint8Array): RefFrame[] {
  const out: RefFrame[] = [];
  let pos = 0;
  while (pos + 1 < b.length) {
    if (b[pos] !== 0xff || b[pos + 1] !== 0xff) {
      pos++;
      continue;
    }
    if (b.length - pos < 5) break;
    const id = b[pos + 2];
    const len = b[pos + 3];
    const err = b[pos + 4];
    if (id > 0xfd || len < 2 || len > 250 || err > 0x7f) {
      pos++;
      continue;
    }
    const end = pos + len + 4;
    if (end > b.length) break;
    if (checksum(b, pos + 2, end - 1) !== b[end - 1]) {
      pos++;
      continue;
    }
    out.push({ start: pos, end, id, error: err, params: [...b.subarray(pos + 5, end - 1)] });
    pos = end;
  }
  return out;
}

function parseChunks(chunks: readonly Uint8Array[]): { frames: StatusPacket[]; maxBuffered: number } {
  const parser = new StatusParser();
  const frames: StatusPacket[] = [];
  let maxBuffered = 0;
  // No typed error is allowed: the parser must absorb anything.
  onlyTyped(() => {
    for (const c of chunks) {
      frames.push(...parser.push(c));
      maxBuffered = Math.max(maxBuffered, parser.bufferedBytes);
    }
  }, []);
  return { frames, maxBuffered };
}

const simple = (f: { readonly id: number; readonly error: number; readonly params: ArrayLike<number> }) => ({
  id: f.id,
  error: f.error,
  params: Array.from(f.params),
});

const packet = fc
  .record({ id: fc.nat({ max: 0xfd }), error: fc.nat({ max: 0x7f }), params: fc.uint8Array({ maxLength: 40 }) })
  .map((p) => encodeStatus(p.id, p.error, p.params));
// Garbage rich in header bytes, so that false headers, false lengths and near-miss checksums are common.
const garbage = fc
  .array(fc.oneof(fc.constant(0xff), fc.constant(0xfe), fc.nat({ max: 8 }), fc.nat({ max: 255 })), { maxLength: 80 })
  .map((a) => Uint8Array.from(a));

const corpus: Uint8Array[] = [
  encodeStatus(1, 0, new Uint8Array([0x00, 0x08])),
  encodeStatus(6, 0x20, new Uint8Array([1, 2, 3, 4, 5, 6])),
  concat(encodeStatus(2, 0), encodeStatus(3, 0, new Uint8Array(240).fill(0xff))),
  concat(...[1, 2, 3, 4, 5, 6].map((id) => encodeStatus(id, 0, new Uint8Array([id, 0x08])))),
];
const cuts = fc.array(fc.nat(), { maxLength: 6 });

test('fuzz: random and mutated byte streams, any chunking, give exactly the frames a whole-buffer scan finds', () => {
  const input = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated(corpus), garbage);
  runFuzz(
    'feetech status parser: random/mutated streams',
    fc.property(input, cuts, (bytes, at) => {
      const { frames, maxBuffered } = parseChunks(chunked(bytes, at));
      assert.deepEqual(frames.map(simple), referenceScan(bytes).map(simple));
      assert.ok(maxBuffered <= 253, `held ${maxBuffered} bytes; at most one partial packet (253) may wait`);
    }),
    RUNS,
  );
});

test('fuzz: valid packets placed after garbage are still found, however the stream is cut', () => {
  // The line then goes quiet (zeros), so a false header in the garbage cannot hold the packets back for ever.
  const idle = new Uint8Array(254);
  runFuzz(
    'feetech status parser: packets after garbage',
    fc.property(garbage, fc.array(packet, { minLength: 1, maxLength: 4 }), cuts, (junk, packets, at) => {
      const stream = concat(junk, ...packets, idle);
      const ref = referenceScan(stream);
      // Skip the rare case where a frame starting in the garbage has a valid checksum over the packets' bytes:
      // then the protocol itself cannot tell (the SDK would read that frame too).
      fc.pre(!ref.some((f) => f.start < junk.length && f.end > junk.length));
      const { frames } = parseChunks(chunked(stream, at));
      const fromPackets = frames.slice(frames.length - packets.length);
      assert.deepEqual(
        fromPackets.map(simple),
        packets.map((p) => simple({ id: p[2], error: p[4], params: p.subarray(5, p.length - 1) })),
      );
      assert.equal(frames.length, ref.length);
    }),
    Math.max(100, Math.floor(RUNS / 2)),
  );
});

test('the comparison is not vacuous: both sides drop a bad checksum and keep a good packet', () => {
  const bad = concat(encodeStatus(1, 0, new Uint8Array([5])));
  bad[bad.length - 1] ^= 1;
  assert.equal(referenceScan(bad).length, 0);
  assert.equal(parseChunks([bad]).frames.length, 0);
  assert.notDeepEqual(parseChunks([encodeStatus(1, 0)]).frames.map(simple), []);
});
