// The PPM stream splitter that replay's in-order video decoder reads ffmpeg's output with: images cut anywhere
// across chunks come out whole and in order, skipped images reuse one buffer, and a stream that is not 8-bit binary
// PPM is refused naming what it starts with.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePpmHeader, PpmFrameSplitter, PpmStreamError } from '../../src/core/image';

/** A w×h PPM whose every byte is `fill`. */
function ppm(width: number, height: number, fill: number, header = `P6\n${width} ${height}\n255\n`): Uint8Array {
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + width * height * 3).fill(fill);
  out.set(head);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Every image of `stream` given in chunks of `size` bytes, as [width, height, first byte, whole-image-of-it]. */
function split(stream: Uint8Array, size: number, keep = () => true): [number, number, number, boolean][] {
  const s = new PpmFrameSplitter();
  const out: [number, number, number, boolean][] = [];
  for (let at = 0; at < stream.length; at += size) {
    s.push(stream.subarray(at, at + size));
    for (let f = s.next(keep()); f; f = s.next(keep()))
      out.push([f.width, f.height, f.data[0], f.data.every((b) => b === f.data[0])]);
    assert.ok(s.drained);
  }
  assert.equal(s.midImage, false);
  return out;
}

describe('PpmFrameSplitter', () => {
  const stream = concat([ppm(4, 3, 10), ppm(4, 3, 20), ppm(2, 2, 30, 'P6 # a comment\n2\t2 255\n'), ppm(1, 1, 40)]);
  const expected = [
    [4, 3, 10, true],
    [4, 3, 20, true],
    [2, 2, 30, true],
    [1, 1, 40, true],
  ];

  test('images cut at any chunk size come out whole and in order', () => {
    for (const size of [1, 2, 3, 7, 11, 36, 47, 1000])
      assert.deepEqual(split(stream, size), expected, `chunks of ${size}`);
  });

  test('skipped images share one buffer; a kept image is its own', () => {
    const s = new PpmFrameSplitter();
    s.push(concat([ppm(2, 2, 1), ppm(2, 2, 2), ppm(2, 2, 3)]));
    const a = s.next(false)!;
    const b = s.next(false)!;
    assert.equal(a.data, b.data, 'the same scratch buffer');
    assert.equal(b.data[0], 2);
    const c = s.next(true)!;
    assert.notEqual(c.data, b.data);
    assert.equal(c.data[0], 3);
    assert.equal(s.next(), undefined);
  });

  test('a stream cut inside an image says so', () => {
    const s = new PpmFrameSplitter();
    s.push(ppm(4, 4, 5).subarray(0, 20));
    assert.equal(s.next(), undefined);
    assert.equal(s.midImage, true);
  });

  test('a chunk is only taken once the previous one is used', () => {
    const s = new PpmFrameSplitter();
    s.push(concat([ppm(1, 1, 1), ppm(1, 1, 2)]));
    s.next();
    assert.throws(() => s.push(ppm(1, 1, 3)), /before the previous chunk was drained/);
  });

  test('what is not 8-bit binary PPM is refused, naming how it starts', () => {
    const bad = (text: string) => new TextEncoder().encode(text);
    assert.throws(
      () => parsePpmHeader(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a)),
      (e: unknown) => {
        assert.ok(e instanceof PpmStreamError);
        assert.match(e.message, /not a binary PPM image stream \(it starts "\.PNG\.\."\)/);
        return true;
      },
    );
    assert.throws(() => parsePpmHeader(bad('P3\n2 2\n255\n')), /not a binary PPM/);
    assert.throws(() => parsePpmHeader(bad('P6\n2 2\n65535\n')), /65536 levels per channel; only 8-bit/);
    assert.throws(() => parsePpmHeader(bad('P6\n0 2\n255\n')), /0×2 pixels/);
    assert.throws(() => parsePpmHeader(bad('P6\n99999 99999\n255\n')), /99999×99999 pixels/);
    assert.throws(() => parsePpmHeader(bad(`P6 ${'#'.repeat(300)}`)), /not a binary PPM/);
    assert.equal(parsePpmHeader(bad('P6\n2 2')), undefined, 'not whole yet');
    assert.equal(parsePpmHeader(bad('P')), undefined);
    assert.deepEqual(parsePpmHeader(bad('P6\n2 3\n255\nxyz')), { width: 2, height: 3, length: 11 });
  });
});
