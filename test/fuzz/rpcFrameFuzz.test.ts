// Fuzz: the host ⇄ runtime frame reader (RpcFrameReader). Typed error: RpcProtocolError only, and a reader that
// failed stays failed. Inputs: random bytes, mutated valid streams, length fields that lie (short, long, huge), and
// any split of the stream into chunks. Valid streams split anyhow give back exactly the messages sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRpcFrame, RpcFrameReader, RpcProtocolError, type RpcMessage } from '../../src/core/rpc';
import { chunked, concat, fuzzRuns, mutated, onlyTyped, runFuzz } from './fuzzHarness';

const RUNS = fuzzRuns(1500);
const LIMIT = 1 << 16;

const messages: RpcMessage[] = [
  { type: 'request', id: 1, method: 'connect', params: { fps: 30, robot: { kind: 'sim' } } },
  { type: 'reply', id: 1, ok: true, result: { phase: 'connected' } },
  { type: 'reply', id: 2, ok: false, error: { name: 'RuntimePhaseError', message: 'connect first' } },
  { type: 'event', event: 'tick', data: { t: 1.5, joints: [1, 2, 3, 4, 5, 6] } },
  { type: 'event', event: 'frame', data: { rgb: new Uint8Array(48), width: 4, height: 4 } },
];
const frames = messages.map((m) => encodeRpcFrame(m));
const corpus = [concat(...frames), ...frames];

/** Feeds the chunks; checks every message is one of the three kinds and that a failure sticks. */
function feed(chunks: readonly Uint8Array[]): RpcMessage[] {
  const reader = new RpcFrameReader(LIMIT);
  const out: RpcMessage[] = [];
  let failed = false;
  for (const c of chunks) {
    onlyTyped(() => {
      try {
        out.push(...reader.push(c));
      } catch (err) {
        failed = true;
        throw err;
      }
    }, [RpcProtocolError]);
    if (failed) {
      assert.throws(() => reader.push(frames[0]), RpcProtocolError, 'a failed reader stays failed');
      break;
    }
    assert.ok(reader.bufferedBytes <= c.length + LIMIT + 4);
  }
  for (const m of out) assert.ok(['request', 'reply', 'event'].includes(m.type));
  return out;
}

/** A frame whose 4-byte length says `declared` while `actual` bytes of msgpack follow. */
const lyingLength = fc
  .tuple(
    fc.nat({ max: frames.length - 1 }),
    fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(LIMIT, LIMIT + 1, 0x7fffffff, 0xffffffff)),
  )
  .map(([i, declared]) => {
    const f = Uint8Array.from(frames[i]);
    new DataView(f.buffer).setUint32(0, declared);
    return f;
  });
const cuts = fc.array(fc.nat(), { maxLength: 8 });

test('fuzz: random, mutated and length-lying streams, split anyhow, give messages or RpcProtocolError', () => {
  const input = fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated(corpus), lyingLength);
  runFuzz(
    'rpc frames: hostile streams',
    fc.property(input, cuts, (bytes, at) => {
      feed(chunked(bytes, at));
    }),
    RUNS,
  );
});

test('fuzz: valid streams split anyhow give back exactly the messages sent', () => {
  runFuzz(
    'rpc frames: valid streams',
    fc.property(fc.array(fc.nat({ max: messages.length - 1 }), { maxLength: 8 }), cuts, (picks, at) => {
      const stream = concat(...picks.map((i) => frames[i]));
      assert.deepEqual(
        feed(chunked(stream, at)),
        picks.map((i) => messages[i]),
      );
    }),
    Math.max(100, Math.floor(RUNS / 4)),
  );
});

test('the checks can fail: a huge declared length is refused at once, not buffered', () => {
  const huge = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
  assert.throws(() => new RpcFrameReader(LIMIT).push(huge), /frame of 4294967295 bytes announced/);
  assert.deepEqual(feed([Uint8Array.of(0, 0, 0, 1, 0xc1), frames[0]]), [], 'nothing is read after a bad frame');
  assert.throws(
    () =>
      onlyTyped(() => {
        throw new TypeError('x');
      }, [RpcProtocolError]),
    TypeError,
  );
});
