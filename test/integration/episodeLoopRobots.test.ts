// The episode loop drives any robot description, not only the SO-100: a real EpisodeLoop runs a bimanual SO-100
// (twelve left_/right_ motors on two buses, as LeRobot's bi_so100_follower) through test doubles of the arm, the
// converter and the policy, and every vector it builds follows the description's motor order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionChunk } from '../../src/core/chunking/actionChunk';
import { ChunkScheduler } from '../../src/core/chunking';
import type { Converter, JointTargets } from '../../src/core/convert';
import { NdArray } from '../../src/core/ndarray';
import { vectorOf, type MotorRecord, type RobotDescription } from '../../src/core/robots';
import type { RobotCalibration } from '../../src/core/so100';
import { VirtualClock } from '../../src/io/clock/virtualClock';
import type { PolicyClient, PolicyObservation, PolicyResult } from '../../src/io/policy/policyClient';
import type { EpisodeRecordSink, StepRow } from '../../src/io/recording';
import type { ActResult, Observation, Robot } from '../../src/io/robot/robot';
import { zeroStats } from '../../src/io/serial/feetechBusStats';
import { EpisodeLoop, type ChunkReport, type TickReport } from '../../src/runtime/episodeLoop';
import { tickTelemetry } from '../../src/runtime/tickTelemetry';
import { BIMANUAL, bimanualCalibration, type BimanualMotor } from '../helpers/bimanualSo100';

const HORIZON = 8;
const STATE_KEY = 'observation/state';
const ACTIONS_KEY = 'actions';

/** A per-motor record with its keys in reverse motor order: whoever builds a vector must follow the description. */
function reversedRecord<M extends string>(
  robot: RobotDescription<M>,
  f: (m: M, i: number) => number,
): MotorRecord<M, number> {
  const out = {} as { [K in M]: number };
  for (let i = robot.motors.length - 1; i >= 0; i--) out[robot.motors[i]] = f(robot.motors[i], i);
  return out;
}

/** A bimanual arm cannot exist here: a double that goes wherever it is told and remembers what act() received. */
class BimanualArm implements Robot<BimanualMotor> {
  readonly description = BIMANUAL;
  readonly calibration: RobotCalibration<BimanualMotor>;
  readonly firmware = '3.10';
  readonly busStats = zeroStats();
  readonly acted: Partial<Record<BimanualMotor, number>>[] = [];
  /** Motor i starts at i + 0.5. */
  private pose: MotorRecord<BimanualMotor, number> = reversedRecord(BIMANUAL, (_m, i) => i + 0.5);

  constructor() {
    this.calibration = bimanualCalibration();
  }

  observe(): Promise<Observation<BimanualMotor>> {
    return Promise.resolve({ positions: this.pose, raw: this.pose, servoErrors: [] });
  }

  act(target: Partial<Record<BimanualMotor, number>>): Promise<ActResult<BimanualMotor>> {
    this.acted.push({ ...target });
    const sent = reversedRecord(BIMANUAL, (m) => target[m] ?? this.pose[m]);
    this.pose = sent;
    return Promise.resolve({ sent, raw: sent, clamped: [], timing: { safetyMs: 0, writeMs: 0 } });
  }

  setMaxStep(): void {}
  setDisableTorqueOnDisconnect(): void {}
  torqueOff(): Promise<{ readonly failed: readonly BimanualMotor[] }> {
    return Promise.resolve({ failed: [] });
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }
}

/** Twelve positions → a 12-dim state in the description's order; a (horizon, 12) action chunk → joint targets. */
const converter: Converter<BimanualMotor> = {
  name: 'bimanual test converter',
  toPolicy(obs) {
    const state = Float64Array.from(vectorOf(BIMANUAL, obs.positions));
    return { input: { [STATE_KEY]: NdArray.fromTyped(state, [state.length]) }, warnings: [] };
  },
  fromPolicy(chunk: ActionChunk): JointTargets {
    assert.equal(chunk.dims, BIMANUAL.motors.length);
    return { horizon: chunk.horizon, targets: Float64Array.from(chunk.values), warnings: [] };
  },
};

/** Chunk k (from 0), row r, column d holds (k + 1) · 10000 + r · 100 + d: every target says where it came from. */
function chunkValue(k: number, r: number, d: number): number {
  return (k + 1) * 10000 + r * 100 + d;
}

/** A policy of fixed horizon that answers at once and keeps the states it was sent. */
class FixedChunkPolicy implements PolicyClient {
  readonly protocol = 'openpi' as const;
  readonly url = 'test:bimanual';
  readonly metadata = {};
  readonly connected = true;
  readonly states: number[][] = [];

  infer(observation: PolicyObservation): Promise<PolicyResult> {
    const state = observation[STATE_KEY];
    assert.ok(state instanceof NdArray);
    const k = this.states.length;
    this.states.push(Array.from(state.toFloat64()));
    const dims = BIMANUAL.motors.length;
    const values = new Float64Array(HORIZON * dims);
    for (let r = 0; r < HORIZON; r++) for (let d = 0; d < dims; d++) values[r * dims + d] = chunkValue(k, r, d);
    const actions = new ActionChunk(HORIZON, dims, values);
    return Promise.resolve({
      actions,
      clientTiming: { encodeMs: 0, sendToFirstByteMs: 0, decodeMs: 0, totalMs: 0 },
      raw: { [ACTIONS_KEY]: NdArray.fromTyped(values, [HORIZON, dims]) },
    });
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  reset(): Promise<void> {
    return Promise.resolve();
  }
  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

test('a bimanual SO-100 runs an episode: 12-dim states in description order, act() gets every left_/right_ motor from the chunk rows', async () => {
  const arm = new BimanualArm();
  const policy = new FixedChunkPolicy();
  const worldJoints: number[][] = [];
  const cameraJoints: number[][] = [];
  const ticks: TickReport<BimanualMotor>[] = [];
  const chunks: ChunkReport[] = [];
  const steps: StepRow<BimanualMotor>[] = [];
  const warnings: string[] = [];
  const recorder: EpisodeRecordSink<BimanualMotor> = {
    recordStep: (row) => steps.push(row),
    recordChunk: () => {},
    recordEvent: () => {},
    recordTiming: () => {},
  };
  const loop = new EpisodeLoop<BimanualMotor>(
    {
      robot: arm,
      client: policy,
      converter,
      cameras: {
        capture: (joints) => {
          cameraJoints.push(Array.from(joints));
          return {};
        },
      },
      world: {
        step: (joints) => worldJoints.push(Array.from(joints)),
        succeeded: false,
        reason: '',
      },
      scheduler: new ChunkScheduler({ mode: 'sync', prefetchSteps: 3 }),
    },
    {
      fps: 30,
      maxSteps: 20,
      task: 'hand the cube over',
      clock: new VirtualClock(),
      recorder,
      onTick: (t) => ticks.push(t),
      onChunk: (c) => chunks.push(c),
      onWarning: (w) => warnings.push(w),
    },
  );
  const result = await loop.run();

  assert.deepEqual(warnings, []);
  assert.equal(result.steps, 20);
  assert.equal(ticks.length, 20);
  const dims = BIMANUAL.motors.length;
  assert.equal(dims, 12);

  // The loop's own vectors (the world's, the cameras') follow the description, whatever the record's key order.
  assert.deepEqual(
    worldJoints[0],
    BIMANUAL.motors.map((_m, i) => i + 0.5),
  );
  assert.deepEqual(cameraJoints, worldJoints);
  // The policy saw 12-dim states in description order: the first the initial pose, each later one a pose the arm
  // was sent to (motor i's value ends in i).
  assert.ok(policy.states.length >= 3, `${policy.states.length} requests`);
  assert.deepEqual(policy.states[0], worldJoints[0]);
  for (const s of policy.states.slice(1)) {
    assert.equal(s.length, dims);
    s.forEach((v, i) => assert.equal(v % 100, i, `state ${s.join(',')} column ${i}`));
  }
  for (const c of chunks) {
    assert.equal(c.dims, dims);
    assert.equal(c.horizon, HORIZON);
    assert.ok(c.accepted);
  }

  // Only the first tick waits for the first chunk; after that the prefetched chunks keep the queue full.
  assert.equal(ticks[0].starved, true);
  assert.deepEqual(
    ticks
      .slice(1)
      .filter((t) => t.starved)
      .map((t) => t.index),
    [],
  );
  assert.equal(result.starvedTicks, 1);

  // act() got all twelve keys every tick; from tick 1 on, each value is one chunk row's column of that motor, and the
  // rows run in order: chunk 0 rows 0.., then the next chunk where the previous left off.
  assert.equal(arm.acted.length, 20);
  for (const target of arm.acted) assert.deepEqual(Object.keys(target).sort(), [...BIMANUAL.motors].sort());
  const rows = arm.acted.slice(1).map((target) => {
    const v = BIMANUAL.motors.map((m) => target[m]!);
    const k = Math.floor(v[0] / 10000) - 1;
    const r = Math.floor((v[0] % 10000) / 100);
    assert.deepEqual(
      v,
      BIMANUAL.motors.map((_m, d) => chunkValue(k, r, d)),
    );
    return { k, r };
  });
  assert.deepEqual(
    rows.slice(0, HORIZON),
    Array.from({ length: HORIZON }, (_x, r) => ({ k: 0, r })),
  );
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    assert.ok(b.k > a.k || (b.k === a.k && b.r === a.r + 1), `row ${JSON.stringify(b)} after ${JSON.stringify(a)}`);
  }
  assert.ok(
    rows.some((x) => x.k >= 1),
    'a second chunk was executed',
  );

  // What the loop hands on: the sent record, the record's rows, the telemetry vectors in the robot's order.
  assert.deepEqual(
    BIMANUAL.motors.map((m) => ticks[5].sent![m]),
    BIMANUAL.motors.map((m) => arm.acted[5][m]),
  );
  assert.equal(steps.length, 20);
  assert.deepEqual(Object.keys(steps[3].raw!), [...BIMANUAL.motors]);
  const telemetry = tickTelemetry(1, ticks[5], BIMANUAL.motors);
  assert.deepEqual(telemetry.sent, vectorOf(BIMANUAL, ticks[5].sent!));
  assert.equal(telemetry.measured.length, dims);
});
