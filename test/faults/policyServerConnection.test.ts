// Policy-server faults of the connection: no metadata frame, refused connections, a server process that crashes
// mid-request (a real `so100 serve --fault crash-after=N` child), and one that is killed and restarted by the
// supervisor and comes back. Real episodes, real sockets, real child processes; the three checks in every case.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { noPolicyFaults } from '../../src/core/policy/policyServerFaults';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { ServerSupervisor } from '../../src/io/process/serverSupervisor';
import { interrupt, projectRoot, startServeProcess } from '../helpers/cliProcess';
import {
  assertHeldWhileStarved,
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  faultConfig,
  runEpisodeWith,
  withRig,
} from './faultHarness';

const GOOD_TICKS = 10;

describe('policy server connection faults (in-process server)', () => {
  let server: BuiltinPolicyServer;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5, horizon: 10 }),
    });
  });
  after(async () => {
    await server.close();
  });

  test(
    'reconnecting to a server that never sends the metadata frame: the episode ends saying so, within the request timeout',
    { timeout: 60_000 },
    async () => {
      Object.assign(server.faults, noPolicyFaults());
      await withRig(
        faultConfig({ maxSteps: 300, requestTimeoutMs: 1000 }),
        { pi0: { url: server.url, protocol: 'openpi' } },
        async (rig) => {
          let faultTick = 0;
          const summary = await runEpisodeWith(rig, async () => {
            await rig.events.ticksReached(GOOD_TICKS);
            await rig.events.actionExecuted();
            faultTick = rig.events.ticks.length;
            server.faults.skipMetadata = true;
            server.dropConnections();
          });
          assert.match(summary.reason, /the policy failed 3 times in a row/);
          assertToldCause(
            rig,
            summary,
            /accepted the connection but sent no metadata frame within 1000 ms; an openpi server sends one at once/,
          );
          assertSafeGoals(rig.session.simulatedBus!.goals.all());
          assert.ok(assertHeldWhileStarved(rig.events.ticks, faultTick) > 0, 'the arm held');
          const record = await assertRecordComplete(summary, { success: false, minSteps: GOOD_TICKS });
          assert.deepEqual(
            record.chunks.filter((c) => c.observationTick > faultTick).map((c) => c.observationTick),
            [],
          );
        },
      );
    },
  );

  test(
    'a server that refuses connections (HTTP 503): the reconnects give up with the status and what it means',
    { timeout: 60_000 },
    async () => {
      Object.assign(server.faults, noPolicyFaults());
      await withRig(
        faultConfig({ maxSteps: 600, requestTimeoutMs: 1000 }),
        { pi0: { url: server.url, protocol: 'openpi' } },
        async (rig) => {
          let faultTick = 0;
          const summary = await runEpisodeWith(rig, async () => {
            await rig.events.ticksReached(GOOD_TICKS);
            await rig.events.actionExecuted();
            faultTick = rig.events.ticks.length;
            server.faults.refuseConnections = true;
            server.dropConnections();
          });
          assert.match(
            summary.reason,
            /the policy failed 3 times in a row; last: cannot connect to the policy server at .*: the server answered HTTP 503 instead of upgrading to a websocket \(Service Unavailable\); the server is up but refuses policy connections .*gave up after 6 attempts/,
          );
          assertToldCause(rig, summary, /HTTP 503/);
          assertSafeGoals(rig.session.simulatedBus!.goals.all());
          assert.ok(assertHeldWhileStarved(rig.events.ticks, faultTick) > 0, 'the arm held');
          const record = await assertRecordComplete(summary, { success: false, minSteps: GOOD_TICKS });
          assert.deepEqual(
            record.chunks.filter((c) => c.observationTick > faultTick).map((c) => c.observationTick),
            [],
          );
        },
      );
    },
  );
});

describe('policy server processes that die', () => {
  test(
    'so100 serve --fault crash-after=4 exits mid-request: the user is told the server dropped the connection and is gone',
    { timeout: 90_000 },
    async () => {
      const serve = await startServeProcess(['--horizon', '10', '--latency-ms', '5', '--fault', 'crash-after=4']);
      const exited = new Promise<number | null>((r) => serve.child.once('exit', (code) => r(code)));
      try {
        await withRig(
          faultConfig({ maxSteps: 600, requestTimeoutMs: 2000 }),
          { pi0: { url: `ws://127.0.0.1:${serve.port}`, protocol: 'openpi' } },
          async (rig) => {
            const summary = await runEpisodeWith(rig);
            assert.equal(await exited, 1, 'the server process crashed with status 1');
            assert.match(serve.output(), /crashing on request 5/);
            assertToldCause(
              rig,
              summary,
              /dropped the connection without a close frame \(1006\) before replying to infer; the server process may have crashed/,
            );
            assert.match(
              summary.reason,
              /the policy failed 3 times in a row; last: cannot connect to the policy server at .*: nothing is listening there/,
            );
            assertSafeGoals(rig.session.simulatedBus!.goals.all());
            const record = await assertRecordComplete(summary, { success: false, minSteps: 20 });
            assert.equal(record.chunks.length, 4, 'the four answered requests, and nothing after the crash');
            assert.ok(record.chunks.every((c) => c.accepted));
            const lastChunkTick = Math.max(...record.chunks.map((c) => c.observationTick));
            assert.ok(
              assertHeldWhileStarved(rig.events.ticks, lastChunkTick) > 0,
              'the arm held once the last chunk ran out',
            );
          },
        );
      } finally {
        if (serve.child.exitCode === null) await interrupt(serve.child);
      }
    },
  );

  test(
    'a server killed mid-episode and restarted by the supervisor: the client reconnects between chunks and no chunk from before the restart runs after it',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const sup = new ServerSupervisor(
        {
          name: 'built-in pi0',
          command: process.execPath,
          args: [
            '--import',
            'tsx',
            resolve(projectRoot, 'src/cli/main.ts'),
            'serve',
            '--port',
            String(port),
            '--horizon',
            '10',
            '--latency-ms',
            '5',
          ],
          cwd: projectRoot,
          host: '127.0.0.1',
          port,
          protocol: 'openpi',
          startTimeoutMs: 60_000,
        },
        { pollIntervalMs: 50 },
      );
      await sup.start();
      try {
        // Sync chunking: a chunk is asked for when the last one is used up, so each chunk is whole and its rows are its own.
        const config = faultConfig({ maxSteps: 240, requestTimeoutMs: 2000, chunking: { mode: 'sync' } });
        await withRig(config, { pi0: { url: `ws://127.0.0.1:${port}`, protocol: 'openpi' } }, async (rig) => {
          let killTick = 0;
          let backTick = 0;
          const summary = await runEpisodeWith(rig, async () => {
            await rig.events.ticksReached(40);
            const back = new Promise<void>((r) =>
              sup.onStateChange((s) => {
                if (s === 'ready') r();
              }),
            );
            killTick = rig.events.ticks.length;
            process.kill(sup.pid!, 'SIGKILL');
            await back;
            backTick = rig.events.ticks.length;
          });
          // It runs on to the end (the demo policy may even lift the cube first), not to three failures.
          assert.doesNotMatch(summary.reason, /the policy failed/);
          assert.ok(
            summary.steps >= backTick + 30,
            `the episode ran on after the restart: ${summary.steps} ticks, ${summary.reason}`,
          );
          assert.equal(sup.restartCount, 1);
          // A request under way when the server died fails with 1006; the next one finds nothing listening or, once the
          // server is back, reconnects and says that the old connection was lost.
          assertToldCause(
            rig,
            summary,
            /dropped the connection without a close frame \(1006\)|nothing is listening there|the server ended the last connection between requests/,
          );
          assertSafeGoals(rig.session.simulatedBus!.goals.all());
          assert.ok(assertHeldWhileStarved(rig.events.ticks, killTick) > 0, 'the arm held while the server was away');

          const record = await assertRecordComplete(summary, { minSteps: backTick + 30 });
          assert.ok(
            record.chunks.every((c) => c.accepted),
            'no chunk was discarded: no late reply of the old connection arrived',
          );
          const before = record.chunks.filter((c) => c.observationTick < killTick);
          const afterKill = record.chunks.filter((c) => c.observationTick >= killTick);
          assert.ok(
            before.length >= 3 && afterKill.length >= 3,
            `chunks on both sides of the restart (${before.length} / ${afterKill.length})`,
          );
          // Each executed step names its chunk (sync: one boundary per chunk): after the restart every step that moved the
          // arm came from a chunk observed after the kill.
          const boundaries = record.steps.filter((s) => s.chunkBoundary).length;
          assert.ok(
            boundaries === record.chunks.length || boundaries === record.chunks.length - 1,
            `${boundaries} boundaries for ${record.chunks.length} chunks`,
          );
          for (const s of record.steps.filter((x) => x.tick >= backTick && !x.starved)) {
            const chunk = record.chunks[s.chunk!];
            assert.ok(
              chunk.observationTick >= killTick,
              `tick ${s.tick} ran chunk ${s.chunk}, observed at tick ${chunk.observationTick}, before the restart`,
            );
          }
          await sup.stop();
          const served = sup
            .recentLog()
            .map((l) => /served (\d+) requests on (\d+) connections/.exec(l.text))
            .find((m) => m);
          assert.ok(served, 'the new server reported what it served');
          assert.equal(Number(served[2]), 1, 'the client reconnected once');
          assert.equal(Number(served[1]), afterKill.length, 'every chunk after the restart came from the new server');
        });
      } finally {
        await sup.stop();
      }
    },
  );
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}
