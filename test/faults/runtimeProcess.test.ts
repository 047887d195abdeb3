// The runtime process killed mid-episode, driving an arm on a real pty: the host's crash watch (what the extension's
// RuntimeController uses, without VS Code) notices, turns the torque off through a fresh connection — or says why it
// could not — and offers a restart. The record on disk reads back whole up to the kill (no result: it was killed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import type { EpisodeSummary } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { readEpisodeRecord } from '../../src/io/recording/episodeReader';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';
import { RESTART_RUNTIME_ACTION, RuntimeCrashWatch } from '../../src/extension/runtime/runtimeCrashWatch';
import {
  EpisodeEndedEarlyError,
  assertSafeGoals,
  faultConfig,
  retryMissedWindows,
  socatMissing,
  startPtyArm,
  torqueRegisters,
  until,
  type PtyArm,
} from './faultHarness';

const root = path.resolve(__dirname, '../..');
// The workspace is a temp folder, so tsx is named by path (a bare --import tsx resolves from the cwd).
const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

describe('runtime process faults', { skip: socatMissing }, () => {
  let server: BuiltinPolicyServer;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
  });
  after(async () => {
    await server.close();
  });

  /** A runtime child driving the pty arm through an episode, killed with SIGKILL after `ticks` ticks. */
  async function killMidEpisode(
    arm: PtyArm,
    workspace: string,
    ticks: number,
    armPort = () => arm.port,
  ): Promise<{ watch: RuntimeCrashWatch; recordRoot: string }> {
    const rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', tsx, path.join(root, 'src/runtime/main.ts')],
      workspace,
    });
    const watch = new RuntimeCrashWatch(rt, { armPort });
    const recordRoot = path.join(workspace, 'records');
    let lastTick = -1;
    rt.client.on('tick', (t) => {
      lastTick = t.index;
    });
    try {
      const setup = {
        config: faultConfig({ robot: arm.robot, maxSteps: 100_000 }),
        endpoints: { pi0: { url: server.url, protocol: 'openpi' as const } },
        recordDir: recordRoot,
      };
      await retryMissedWindows(async () => {
        await rm(recordRoot, { recursive: true, force: true }); // one episode folder: the attempt that ran
        await rt.client.call('connect', setup);
        let endedEarly: EpisodeSummary | undefined;
        const off = rt.client.on('episodeEnded', (e) => {
          endedEarly = e;
        });
        try {
          await rt.client.call('runEpisode', {});
          await until(
            `tick ${ticks} (or the episode's end)`,
            () => endedEarly !== undefined || lastTick >= ticks,
            30_000,
          );
        } finally {
          off();
        }
        if (endedEarly) throw new EpisodeEndedEarlyError(endedEarly, ticks);
      });
      // The recorder appends every 250 ms off the loop: kill once some rows are on disk, so there is a record to read.
      await untilAsync('steps on disk', async () => (await stepsOnDisk(recordRoot)) >= 5);
    } finally {
      rt.child.kill('SIGKILL');
      await rt.exited;
      await rt.client.close();
      await rm(rt.client.socketPath, { force: true }); // a killed runtime leaves its socket behind
    }
    return { watch, recordRoot };
  }

  /** Rows in the one episode's steps.csv so far (0 before it exists). */
  async function stepsOnDisk(recordRoot: string): Promise<number> {
    const [folder] = await readdir(recordRoot).catch(() => [] as string[]);
    if (!folder) return 0;
    const text = await readFile(path.join(recordRoot, folder, 'steps.csv'), 'utf8').catch(() => '');
    return Math.max(0, text.split('\n').filter((l) => l.trim() !== '').length - 1);
  }

  async function untilAsync(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The record as far as it got: readable, steps numbered from 0 without gaps, no result (the runtime was killed). */
  async function assertRecordReadableUpToKill(recordRoot: string): Promise<void> {
    const [folder] = await readdir(recordRoot);
    const record = await readEpisodeRecord(path.join(recordRoot, folder));
    assert.equal(record.result, null, 'a killed runtime wrote no result');
    assert.ok(record.steps.length > 0, 'steps reached the disk before the kill');
    record.steps.forEach((s, i) => assert.equal(s.tick, i, 'ticks numbered without gaps'));
  }

  test(
    'killed mid-episode: the watch notices, the arm is made limp through a fresh connection, a restart is offered',
    { timeout: 90_000 },
    async () => {
      const arm = await startPtyArm();
      const workspace = await mkdtemp(path.join(tmpdir(), 'so100-fault-rt-'));
      try {
        const { watch, recordRoot } = await killMidEpisode(arm, workspace, 20);
        const report = await watch.crashed;
        assert.ok(report, 'the exit was noticed as a crash');
        assert.equal(report.signal, 'SIGKILL');
        assert.equal(report.armLimp, true);
        assert.match(report.message, /runtime stopped unexpectedly \(killed by SIGKILL\)/);
        assert.ok(report.message.includes(`The arm on ${arm.port} was made limp`), report.message);
        assert.equal(report.actions[0], RESTART_RUNTIME_ACTION, 'a restart is offered first');
        assert.deepEqual(torqueRegisters(arm.sim), [0, 0, 0, 0, 0, 0], 'torque off on every servo');
        assertSafeGoals(arm.sim.goals.all());
        await assertRecordReadableUpToKill(recordRoot);
      } finally {
        await arm.close();
        await rm(workspace, { recursive: true, force: true });
      }
    },
  );

  test(
    'killed, and the port gone too: the report says the arm could not be reached, to switch its power off, and still offers a restart',
    { timeout: 90_000 },
    async () => {
      const arm = await startPtyArm();
      const workspace = await mkdtemp(path.join(tmpdir(), 'so100-fault-rt-'));
      // At the crash the configured port no longer exists (unplugged, or back under another name).
      const gone = path.join(workspace, 'ttyACM-unplugged');
      try {
        const rt = await killMidEpisode(arm, workspace, 10, () => gone);
        const report = await rt.watch.crashed;
        assert.ok(report);
        assert.equal(report.armLimp, false);
        assert.ok(report.message.includes(`The arm on ${gone} could not be reached`), report.message);
        assert.match(report.message, /no serial port/, 'the port error says what happened');
        assert.match(report.message, /switch its power off/);
        assert.ok(report.actions.includes(RESTART_RUNTIME_ACTION));
        assertSafeGoals(arm.sim.goals.all());
        await assertRecordReadableUpToKill(rt.recordRoot);
      } finally {
        await arm.close();
        await rm(workspace, { recursive: true, force: true });
      }
    },
  );

  test('an expected exit (the host stopped it) is no crash', { timeout: 60_000 }, async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), 'so100-fault-rt-'));
    try {
      const rt = await RuntimeProcess.start({
        command: process.execPath,
        args: ['--import', tsx, path.join(root, 'src/runtime/main.ts')],
        workspace,
      });
      const watch = new RuntimeCrashWatch(rt, { armPort: () => '/dev/never-opened' });
      watch.expectExit();
      await rt.stop();
      assert.equal(await watch.crashed, undefined);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
