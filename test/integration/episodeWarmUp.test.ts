// The loop warms its cold paths (first render, the converter thread's first conversion) before the schedule starts:
// the warm-up converts once on the converter's thread and nothing of it reaches the policy or the arm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkScheduler } from '../../src/core/chunking';
import type { LeRobotObservation } from '../../src/core/convert';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { CubeTask } from '../../src/core/scene';
import { FeetechBusSim } from '../../src/core/sim';
import { simulatedArmCalibration } from '../../src/core/so100';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { So100Robot } from '../../src/io/robot/so100Robot';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { CameraRig } from '../../src/runtime/cameraRig';
import { EpisodeLoop, type ChunkReport } from '../../src/runtime/episodeLoop';
import { OffThreadConverter } from '../../src/runtime/offThreadConverter';
import { WireLog } from '../helpers/wireLog';

test(
  'the warm-up converts once before tick 0; the policy and the bus see only the ticks',
  { timeout: 60_000 },
  async () => {
    await using server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    const sim = new FeetechBusSim();
    const wire = new WireLog();
    const robot = await So100Robot.connect(new FeetechBus(wire.wrap(new SimTransport(sim))), {
      calibration: simulatedArmCalibration(),
      bodyMode: 'DEGREES',
    });
    const scene = new CubeTask({ seed: 3 });
    await using cameras = await CameraRig.open(
      { front: { kind: 'synthetic', view: 'front' }, wrist: { kind: 'synthetic', view: 'wrist' } },
      scene,
    );
    using converter = new OffThreadConverter('openpi-so100');
    const converted: { beforeTick0: boolean; positions: number[] }[] = [];
    let ticked = false;
    const toPolicyAsync = converter.toPolicyAsync.bind(converter);
    converter.toPolicyAsync = (obs: LeRobotObservation) => {
      converted.push({ beforeTick0: !ticked, positions: Object.values(obs.positions) });
      return toPolicyAsync(obs);
    };
    // Every tick captures before it asks; the warm-up takes its own frames.
    const capture = cameras.capture.bind(cameras);
    cameras.capture = (joints) => {
      ticked = true;
      return capture(joints);
    };
    const client = new OpenPiClient(server.url);
    const chunks: ChunkReport[] = [];
    const loop = new EpisodeLoop(
      { robot, client, world: scene, cameras, converter, scheduler: new ChunkScheduler({ mode: 'async' }) },
      {
        fps: 30,
        maxSteps: 40,
        task: 'pick up the red cube',
        onWarning: () => {},
        onChunk: (c) => chunks.push(c),
      },
    );
    const before = wire.mark();
    try {
      const result = await loop.run();
      assert.equal(result.steps, 40);
      assert.equal(converted.filter((c) => c.beforeTick0).length, 1, 'one warm-up conversion, before the first tick');
      assert.deepEqual(converted[0].positions, [0, 0, 0, 0, 0, 0], 'the warm-up uses a neutral pose, not a reading');
      // Every request the server answered came from a tick (the warm-up input was dropped on this side).
      assert.ok(chunks.length >= 1);
      assert.equal(server.stats.requests, converted.length - 1);
      // On the bus: one goal write per tick and nothing else (the warm-up wrote nothing).
      const written = wire.events.filter((e) => e.seq >= before);
      assert.equal(written.length, 40);
      assert.ok(written.every((e) => e.kind === 'goal'));
    } finally {
      await client.close();
      await robot.disconnect();
    }
  },
);
