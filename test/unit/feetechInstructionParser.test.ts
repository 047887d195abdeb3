import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BROADCAST_ID,
  encodeAction,
  encodeInstruction,
  encodePing,
  encodeSyncRead,
  Instruction,
  InstructionParser,
  type InstructionPacket,
} from '../../src/core/feetech';

const simple = (p: InstructionPacket) => ({ id: p.id, instruction: p.instruction, params: Array.from(p.params) });

test('broadcast packets (ID 0xFE) are accepted, unlike in status packets', () => {
  const parser = new InstructionParser();
  const got = parser.push(new Uint8Array([...encodeSyncRead(56, 2, [1, 2]), ...encodeAction()]));
  assert.deepEqual(got.map(simple), [
    { id: BROADCAST_ID, instruction: Instruction.SYNC_READ, params: [56, 2, 1, 2] },
    { id: BROADCAST_ID, instruction: Instruction.ACTION, params: [] },
  ]);
});

test('ID 0xFF and bad checksums resync; the following packet is still parsed', () => {
  const parser = new InstructionParser();
  const bad = encodePing(3);
  bad[5] ^= 0x10;
  const got = parser.push(new Uint8Array([0xff, 0xff, 0xff, ...bad, ...encodePing(4)]));
  assert.deepEqual(
    got.map((p) => p.id),
    [4],
  );
  assert.equal(parser.counters.corrupt, 1);
});

test('property: instruction packets split at random points come out unchanged and in order', () => {
  const packetArb = fc.record({
    id: fc.integer({ min: 0, max: 0xfe }),
    instruction: fc.integer({ min: 0, max: 0xff }),
    params: fc.uint8Array({ maxLength: 60 }),
  });
  fc.assert(
    fc.property(
      fc.array(packetArb, { maxLength: 10 }),
      fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 40 }),
      (packets, sizes) => {
        const stream = new Uint8Array(packets.flatMap((p) => [...encodeInstruction(p.id, p.instruction, p.params)]));
        const parser = new InstructionParser();
        const got: InstructionPacket[] = [];
        for (let at = 0, k = 0; at < stream.length; k++) {
          const n = sizes[k % sizes.length];
          got.push(...parser.push(stream.subarray(at, at + n)));
          at += n;
        }
        assert.deepEqual(
          got.map(simple),
          packets.map((p) => ({ ...p, params: Array.from(p.params) })),
        );
        assert.equal(parser.bufferedBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});
