// The pure PNG encoder: CRC-32 against published check values and zlib's own, chunk layout, scanlines, and a
// whole file decoded back by an independent reader (zlib inflate + filter-0 rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { crc32, pngChunk, pngFile, pngScanlineBytes, pngScanlines } from '../../src/core/image';
import { decodePng } from '../helpers/pngReader';

const ascii = (s: string) => new TextEncoder().encode(s);

test('CRC-32 matches the published check values', () => {
  assert.equal(crc32(ascii('IEND')), 0xae426082);
  assert.equal(crc32(ascii('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(ascii('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('CRC-32 continues across pieces and agrees with zlib on random bytes', () => {
  const bytes = new Uint8Array(10_000);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  assert.equal(crc32(bytes), zlibCrc32(bytes));
  assert.equal(crc32(bytes.subarray(3000), crc32(bytes.subarray(0, 3000))), zlibCrc32(bytes));
  assert.equal(crc32(bytes, 0, 100, 200), zlibCrc32(bytes.subarray(100, 200)));
});

test('an empty IEND chunk is the well-known 12 bytes', () => {
  assert.deepEqual(
    [...pngChunk('IEND', new Uint8Array(0))],
    [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82],
  );
  assert.throws(() => pngChunk('ID1', new Uint8Array(0)), /4 ASCII letters/);
});

test('scanlines put filter byte 0 before every row and check the frame size', () => {
  const frame = { width: 2, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) };
  assert.equal(pngScanlineBytes(2, 2), 14);
  assert.deepEqual([...pngScanlines(frame)], [0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]);
  const reused = new Uint8Array(14).fill(0xff);
  assert.equal(pngScanlines(frame, reused), reused);
  assert.equal(reused[7], 0);
  assert.throws(() => pngScanlines({ width: 3, height: 2, data: frame.data }), /needs 18 bytes, got 12/);
  assert.throws(() => pngScanlines(frame, new Uint8Array(13)), /too small/);
});

test('a whole PNG file decodes back to the exact pixels', () => {
  const width = 7;
  const height = 5;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
  const file = pngFile(width, height, deflateSync(pngScanlines({ width, height, data })));
  const decoded = decodePng(file);
  assert.deepEqual(decoded.types, ['IHDR', 'IDAT', 'IEND']);
  assert.equal(decoded.width, width);
  assert.equal(decoded.height, height);
  assert.deepEqual(decoded.rgb, data);
  assert.throws(() => pngFile(0, 5, new Uint8Array(0)), /positive integers/);
});
