// The host ⇄ runtime framing: split and merged chunks, limits, and only typed errors on any input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { encodeRpcFrame, parseRpcMessage, RpcFrameReader, RpcProtocolError, type RpcMessage } from '../../src/core/rpc';

const messages: RpcMessage[] = [
  { type: 'request', id: 1, method: 'connect', params: { fps: 30, robot: { kind: 'sim' } } },
  { type: 'reply', id: 1, ok: true, result: { phase: 'connected' } },
  { type: 'reply', id: 2, ok: false, error: { name: 'RuntimePhaseError', message: 'connect first' } },
  { type: 'event', event: 'frame', data: { rgb: new Uint8Array([1, 2, 3, 250]), width: 1, height: 1 } },
];

test('frames are a 4-byte big-endian length and msgpack; they round-trip', () => {
  const frame = encodeRpcFrame(messages[0]);
  assert.equal(new DataView(frame.buffer).getUint32(0), frame.length - 4);
  assert.deepEqual(new RpcFrameReader().push(frame), [messages[0]]);
});

test('any split of a merged stream yields the same messages in order', () => {
  const stream = Buffer.concat(messages.map((m) => encodeRpcFrame(m)));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 8 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
      const reader = new RpcFrameReader();
      const out: RpcMessage[] = [];
      for (let i = 1; i < points.length; i++) out.push(...reader.push(stream.subarray(points[i - 1], points[i])));
      assert.deepEqual(out, messages);
      assert.equal(reader.bufferedBytes, 0);
    }),
    { numRuns: 200 },
  );
});

test('an oversized length, bad msgpack or a malformed message is a RpcProtocolError, and the reader stays failed', () => {
  const big = new Uint8Array([0x7f, 0xff, 0xff, 0xff]);
  const r = new RpcFrameReader(1024);
  assert.throws(
    () => r.push(big),
    (e: Error) =>
      e instanceof RpcProtocolError && /frame of 2147483647 bytes announced; the limit is 1024/.test(e.message),
  );
  assert.throws(() => r.push(encodeRpcFrame(messages[0])), RpcProtocolError, 'no resync after a bad length');
  const badMsgpack = new Uint8Array([0, 0, 0, 1, 0xc1]);
  assert.throws(() => new RpcFrameReader().push(badMsgpack), /not valid msgpack/);
  const body = encode({ type: 'request', method: 'x' });
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  assert.throws(() => new RpcFrameReader().push(frame), /a request needs a non-negative integer "id"/);
});

test('message checks name what is wrong', () => {
  assert.throws(() => parseRpcMessage([1, 2]), /must be a map with a "type"/);
  assert.throws(() => parseRpcMessage({ type: 'hello' }), /unknown message type "hello"/);
  assert.throws(() => parseRpcMessage({ type: 'request', id: 3 }), /request 3 has no "method"/);
  assert.throws(
    () => parseRpcMessage({ type: 'reply', id: 3, ok: false }),
    /needs "ok": true with a result, or "ok": false with an error message/,
  );
  assert.throws(() => parseRpcMessage({ type: 'event' }), /an event needs a name/);
  assert.deepEqual(parseRpcMessage({ type: 'request', id: 0, method: 'status' }), {
    type: 'request',
    id: 0,
    method: 'status',
    params: {},
  });
});

const fuzzRuns = Number(process.env.SO100_FUZZ_RUNS ?? 2000);

test('fuzz: random bytes and mutated frames give messages or RpcProtocolError, nothing else', () => {
  const valid = Buffer.concat(messages.map((m) => encodeRpcFrame(m)));
  const mutated = fc
    .tuple(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(valid.length),
    )
    .map(([flips, cut]) => {
      const b = Uint8Array.from(valid);
      for (const [i, v] of flips) b[i] = v;
      return b.subarray(0, cut);
    });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated), (bytes) => {
      try {
        for (const m of new RpcFrameReader(1 << 16).push(bytes))
          assert.ok(['request', 'reply', 'event'].includes(m.type));
      } catch (e) {
        if (!(e instanceof RpcProtocolError)) throw e;
      }
    }),
    { numRuns: fuzzRuns },
  );
});
