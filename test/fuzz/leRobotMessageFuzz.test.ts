// Fuzz: the awesome-lerobot message decoder (decodeLeRobotMessage, used by our client and our built-in server).
// Typed errors: PolicyFrameError (not a msgpack-numpy frame) and LeRobotMessageError (not a valid message).
// Inputs: random bytes, mutated valid messages, and valid frames whose fields have random values and types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Float64Value, NdArray } from '../../src/core/ndarray';
import { PolicyFrameError, encodePolicyFrame, type WireValue } from '../../src/core/protocols';
import {
  LE_ROBOT_MESSAGE_TYPES,
  LeRobotMessageError,
  decodeLeRobotMessage,
} from '../../src/core/protocols/leRobotMessage';
import { fuzzRuns, mutated, onlyTyped, runFuzz } from './fuzzHarness';

const RUNS = fuzzRuns(1500);

function decodeChecked(bytes: Uint8Array): void {
  onlyTyped(() => {
    const m = decodeLeRobotMessage(bytes);
    assert.ok((LE_ROBOT_MESSAGE_TYPES as readonly string[]).includes(m.type));
    if (m.type === 'action_response') {
      assert.ok(m.action instanceof NdArray && m.action.shape.length >= 1 && m.action.shape.length <= 2);
      assert.ok(m.inferMs === undefined || Number.isFinite(m.inferMs));
    }
    if (m.type === 'pong') assert.ok(m.capabilities.every((c) => typeof c === 'string'));
    if (m.type === 'error') assert.equal(typeof m.message, 'string');
  }, [PolicyFrameError, LeRobotMessageError]);
}

const state = NdArray.fromTyped(new Float32Array([0, 10, -20, 30, 5, 12]), [6]);
const messages: { [key: string]: WireValue }[] = [
  {
    type: 'select_action',
    observation: {
      'observation.state': state,
      'observation.images.phone': NdArray.zeros('|u1', [2, 2, 3]),
      task: ['pick'],
    },
  },
  {
    type: 'action_response',
    action: NdArray.fromTyped(new Float32Array(6), [1, 6]),
    server_timing: { infer_ms: new Float64Value(3.5) },
  },
  { type: 'reset' },
  { type: 'reset_response', status: 'success' },
  { type: 'ping' },
  { type: 'pong', capabilities: ['get_stats', 'configure'] },
  { type: 'get_stats' },
  { type: 'stats_response', stats: { requests: 3 } },
  { type: 'configure', config: { latency_ms: 5 } },
  { type: 'configure_response', status: 'success', config: { latency_ms: new Float64Value(5) } },
  { type: 'error', message: 'boom' },
];
const corpus = messages.map((m) => encodePolicyFrame(m));

const fieldValue: fc.Arbitrary<WireValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.uint8Array({ maxLength: 8 }),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('infer_ms', 'latency_ms', 'x'), fc.oneof(fc.double(), fc.string({ maxLength: 4 })), {
    maxKeys: 2,
  }),
  fc
    .tuple(
      fc.constantFrom('<f4', '<f8', '|u1', '|b1', '<i4'),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
    )
    .map(([dtype, shape]) => NdArray.zeros(dtype as '<f4', shape)),
);

/** Messages of a real type (or a random one) whose fields hold random values of random types. */
const wellFramed = fc
  .record({
    type: fc.oneof(fc.constantFrom(...LE_ROBOT_MESSAGE_TYPES), fc.string({ maxLength: 12 }), fieldValue),
    fields: fc.dictionary(
      fc.constantFrom('observation', 'action', 'status', 'capabilities', 'stats', 'config', 'message', 'server_timing'),
      fieldValue,
      { maxKeys: 4 },
    ),
  })
  .map(({ type, fields }) => encodePolicyFrame({ ...fields, type }));

test('fuzz: random bytes, mutated messages and random field values decode or throw the two typed errors', () => {
  const input = fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 2, arbitrary: mutated(corpus) },
    { weight: 2, arbitrary: wellFramed },
  );
  runFuzz('awesome-lerobot messages', fc.property(input, decodeChecked), RUNS);
});

test('the checks can fail: wrong field types are refused with the field named', () => {
  assert.throws(
    () => decodeLeRobotMessage(encodePolicyFrame({ type: 'action_response', action: [1, 2] })),
    /action_response needs an ndarray "action", got a list of 2/,
  );
  assert.throws(
    () => decodeLeRobotMessage(encodePolicyFrame({ type: 'pong', capabilities: 'all' })),
    LeRobotMessageError,
  );
  assert.throws(
    () => decodeLeRobotMessage(encodePolicyFrame({ type: 'select_action', observation: 3 })),
    /select_action needs a map "observation"/,
  );
  assert.throws(() => decodeLeRobotMessage(encodePolicyFrame({ type: 'hello' })), /unknown message type "hello"/);
  assert.throws(
    () => decodeLeRobotMessage(encodePolicyFrame(['type', 'ping'])),
    /must be a map with a str "type", got a list of 2/,
  );
  assert.throws(() => decodeLeRobotMessage(Uint8Array.of(0x81)), PolicyFrameError);
  assert.deepEqual(decodeLeRobotMessage(encodePolicyFrame({ type: 'pong' })).type, 'pong');
});
