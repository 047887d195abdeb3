import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeRegister,
  decodeSignMagnitude,
  encodeRegister,
  encodeSignMagnitude,
  maxMagnitude,
  RegisterValueError,
} from '../../src/core/feetech';

test('Homing_Offset −100 encodes as 0x0864, sent as 64 08 (reference worked example)', () => {
  assert.equal(encodeSignMagnitude(-100, 11), 0x0864);
  assert.deepEqual(Array.from(encodeRegister('Homing_Offset', -100)), [0x64, 0x08]);
  assert.equal(decodeRegister('Homing_Offset', Uint8Array.of(0x64, 0x08)), -100);
});

test('Homing_Offset 2073 does not fit in 11 bits and the error explains why (LeRobot issue 3193)', () => {
  assert.throws(
    () => encodeRegister('Homing_Offset', 2073),
    (e: unknown) => {
      assert.ok(e instanceof RegisterValueError);
      assert.equal(e.register, 'Homing_Offset');
      assert.match(
        e.message,
        /Homing_Offset 2073 does not fit: with the sign in bit 11 the magnitude must be at most 2047/,
      );
      assert.match(e.message, /middle of its travel/);
      return true;
    },
  );
  assert.deepEqual(Array.from(encodeRegister('Homing_Offset', -2047)), [0xff, 0x0f]);
});

test("sign bit 15 for positions, 10 for load; not two's complement", () => {
  assert.deepEqual(Array.from(encodeRegister('Goal_Position', -1)), [0x01, 0x80]);
  assert.equal(decodeRegister('Present_Load', Uint8Array.of(0xe8, 0x07)), -1000); // 0x07e8 = bit 10 + 1000
  assert.equal(decodeSignMagnitude(0x8000, 15), 0); // "negative zero" reads as 0
  assert.ok(Object.is(decodeSignMagnitude(0x8000, 15), 0));
});

test('non-integers and unsigned overflow are refused', () => {
  assert.throws(() => encodeSignMagnitude(1.5, 15, 'Goal_Position'), /whole number/);
  assert.throws(() => encodeRegister('ID', 300), /ID takes a whole number from 0 to 255, got 300/);
  assert.throws(() => encodeRegister('Present_Position', 32768), RegisterValueError);
});

test('property: decode(encode(v)) = v for every representable value; encode stays below 2^(bit+1)', () => {
  for (const bit of [10, 11, 15]) {
    fc.assert(
      fc.property(fc.integer({ min: -maxMagnitude(bit), max: maxMagnitude(bit) }), (v) => {
        const raw = encodeSignMagnitude(v, bit);
        assert.ok(raw >= 0 && raw < 2 ** (bit + 1));
        assert.equal(decodeSignMagnitude(raw, bit), v);
      }),
    );
  }
});

test('property: magnitudes beyond the sign bit always throw', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2048, max: 1_000_000 }), fc.boolean(), (m, neg) => {
      assert.throws(() => encodeSignMagnitude(neg ? -m : m, 11), RegisterValueError);
    }),
  );
});
