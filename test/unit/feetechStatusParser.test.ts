import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeStatus, StatusParser, type StatusPacket } from '../../src/core/feetech';

const bytes = (...xs: number[]) => Uint8Array.of(...xs);
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const simple = (p: StatusPacket) => ({ id: p.id, error: p.error, params: Array.from(p.params) });

test('parses one status packet and names its error bits', () => {
  const parser = new StatusParser();
  const [p, ...rest] = parser.push(encodeStatus(3, 0x24, bytes(0x09, 0x03)));
  assert.equal(rest.length, 0);
  assert.deepEqual(simple(p), { id: 3, error: 0x24, params: [0x09, 0x03] });
  assert.deepEqual(p.errorBits, ['overheat', 'overload']);
  assert.deepEqual(parser.counters, { corrupt: 0, resyncBytes: 0 });
});

test('byte-at-a-time and merged chunks give the same packets', () => {
  const stream = concat([encodeStatus(1, 0, bytes(1, 2)), encodeStatus(2, 0), encodeStatus(6, 0, bytes(0xff, 0xff))]);
  const oneByOne = new StatusParser();
  const got: StatusPacket[] = [];
  for (const b of stream) got.push(...oneByOne.push(bytes(b)));
  const merged = new StatusParser().push(stream);
  assert.deepEqual(got.map(simple), merged.map(simple));
  assert.deepEqual(
    merged.map((p) => p.id),
    [1, 2, 6],
  );
});

test('garbage before a header is skipped and counted', () => {
  const parser = new StatusParser();
  const got = parser.push(concat([bytes(0x00, 0x13, 0xff, 0x42), encodeStatus(4, 0)]));
  assert.deepEqual(
    got.map((p) => p.id),
    [4],
  );
  assert.equal(parser.counters.resyncBytes, 4);
});

test('a bad checksum drops the packet, counts it, and a packet hidden inside it is still found', () => {
  const parser = new StatusParser();
  const bad = encodeStatus(1, 0, bytes(5, 6));
  bad[bad.length - 1] ^= 0x01;
  // A header claiming 12 data bytes swallows the good packet that follows; resync must recover it.
  const swallowing = bytes(0xff, 0xff, 0x02, 14, 0x00);
  const good = encodeStatus(3, 0, bytes(7));
  const got = parser.push(concat([bad, swallowing, good, new Uint8Array(8)]));
  assert.deepEqual(got.map(simple), [{ id: 3, error: 0, params: [7] }]);
  assert.equal(parser.counters.corrupt, 2);
});

test('headers the SDK rejects (ID > 0xFD, LEN > 250, ERR > 0x7F, LEN < 2) resync one byte at a time', () => {
  for (const header of [
    bytes(0xff, 0xff, 0xfe, 2, 0),
    bytes(0xff, 0xff, 1, 251, 0),
    bytes(0xff, 0xff, 1, 2, 0x80),
    bytes(0xff, 0xff, 1, 1, 0),
  ]) {
    const parser = new StatusParser();
    const got = parser.push(concat([header, encodeStatus(5, 0)]));
    assert.deepEqual(
      got.map((p) => p.id),
      [5],
      `after ${Array.from(header)}`,
    );
    assert.equal(parser.counters.corrupt, 0);
    assert.equal(parser.counters.resyncBytes, header.length);
  }
});

test('a packet split right after a lone trailing FF is completed by the next chunk', () => {
  const parser = new StatusParser();
  const p = encodeStatus(2, 0, bytes(1));
  assert.deepEqual(parser.push(bytes(0x10, 0xff)), []);
  assert.equal(parser.bufferedBytes, 1);
  assert.deepEqual(
    parser.push(p.subarray(1)).map((x) => x.id),
    [2],
  );
});

test('discardBuffered drops a stale partial packet and counts its bytes', () => {
  const parser = new StatusParser();
  parser.push(encodeStatus(2, 0, bytes(1, 2, 3)).subarray(0, 6));
  assert.equal(parser.bufferedBytes, 6);
  parser.discardBuffered();
  assert.equal(parser.bufferedBytes, 0);
  assert.equal(parser.counters.resyncBytes, 6);
  assert.deepEqual(
    parser.push(encodeStatus(1, 0)).map((p) => p.id),
    [1],
  );
  parser.reset();
  assert.deepEqual(parser.counters, { corrupt: 0, resyncBytes: 0 });
});

// --- properties ---------------------------------------------------------------------------------

const statusArb = fc.record({
  id: fc.integer({ min: 0, max: 0xfd }),
  error: fc.integer({ min: 0, max: 0x7f }),
  params: fc.uint8Array({ maxLength: 40 }),
});

/** Random bytes that never contain FF FF, so they cannot form a header on their own. */
const garbageArb = fc.uint8Array({ maxLength: 30 }).map((g) => {
  const out = Uint8Array.from(g);
  for (let i = 1; i < out.length; i++) if (out[i] === 0xff && out[i - 1] === 0xff) out[i] = 0xfe;
  return out;
});

/** Cuts `stream` at sorted random points. */
function splitAt(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, stream.length]) {
    chunks.push(stream.subarray(from, p));
    from = p;
  }
  return chunks;
}

test('property: valid packets interleaved with FF-FF-free garbage, split anywhere, come out exactly and in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(garbageArb, statusArb), { maxLength: 12 }),
      garbageArb,
      fc.array(fc.nat(), { maxLength: 20 }),
      (pairs, tail, cuts) => {
        const stream = concat([...pairs.flatMap(([g, s]) => [g, encodeStatus(s.id, s.error, s.params)]), tail]);
        const parser = new StatusParser();
        const got = splitAt(stream, cuts).flatMap((c) => parser.push(c));
        assert.deepEqual(
          got.map(simple),
          pairs.map(([, s]) => ({ id: s.id, error: s.error, params: Array.from(s.params) })),
        );
        assert.equal(parser.counters.corrupt, 0);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: random byte streams never throw, stay bounded, and account for every byte', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), fc.boolean(), (chunks, ffHeavy) => {
      const parser = new StatusParser();
      let bytesIn = 0;
      let bytesOut = 0;
      for (const raw of chunks) {
        // Bias towards 0xFF so headers (and long waits for LEN bytes) are common, not rare.
        const chunk = ffHeavy ? raw.map((b) => (b < 96 ? 0xff : b)) : raw;
        bytesIn += chunk.length;
        for (const p of parser.push(chunk)) bytesOut += p.params.length + 6;
        assert.ok(parser.bufferedBytes <= 254, `buffered ${parser.bufferedBytes}`);
      }
      assert.equal(bytesOut + parser.counters.resyncBytes + parser.bufferedBytes, bytesIn);
    }),
    { numRuns: 300 },
  );
});

test('scan: a partial packet joined with a chunk longer than any before gives the same packets as push', () => {
  const packets = Array.from({ length: 80 }, (_, i) => encodeStatus((i % 6) + 1, 0, bytes(i, 255 - i)));
  const stream = concat(packets);
  const viaPush = new StatusParser().push(stream).map(simple);
  const scanner = new StatusParser();
  const seen: { id: number; error: number; params: number[] }[] = [];
  const visit = (id: number, error: number, buf: Uint8Array, start: number, end: number) =>
    seen.push({ id, error, params: Array.from(buf.subarray(start, end)) });
  scanner.scan(stream.subarray(0, 5), visit); // a header only: kept as the partial packet
  scanner.scan(stream.subarray(5), visit); // 635 bytes after it: the join buffer grows to take them
  assert.deepEqual(seen, viaPush);
  assert.equal(seen.length, 80);
  assert.equal(scanner.bufferedBytes, 0);
  assert.equal(scanner.corruptCount, 0);
});
