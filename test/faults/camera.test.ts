// Camera faults with a real ffmpeg camera (lavfi test source) as the policy's main view: ffmpeg killed mid-episode,
// and ffmpeg frozen (SIGSTOP: frames stop, the process lives). A user converter module wrapping the layout's own
// records what the policy was fed, so "no stale image beyond the limit" is checked on the converter's input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import type { RuntimeModelEndpoint } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { assertRecordComplete, assertSafeGoals, assertToldCause, faultConfig, until, withRig } from './faultHarness';
import { childProcesses } from '../helpers/processTable';

const ffmpegMissing =
  spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error !== undefined
    ? 'ffmpeg is not installed (apt install ffmpeg)'
    : false;
/** CameraRig's limit: an image older than this is never given to the converter. */
const STALE_LIMIT_MS = 500;

/** One toPolicy call as the converter module saw it. */
interface Fed {
  readonly at: number;
  readonly digest: string | null;
}
const fed = (): Fed[] => ((globalThis as { __so100CameraFed?: Fed[] }).__so100CameraFed ??= []);

const RECORDING_CONVERTER = `// Records a digest of the usb image of every request, then converts as the layout does.
function digest(bytes) {
  let h = 2166136261;
  for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619); }
  return (h >>> 0).toString(16) + ':' + bytes.length;
}
exports.toPolicy = (obs, builtin) => {
  const f = obs.images.usb;
  (globalThis.__so100CameraFed ??= []).push({ at: Date.now(), digest: f ? digest(f.data) : null });
  return builtin.toPolicy(obs);
};
`;

/** The pid of this process's ffmpeg child reading `device` (found in /proc: the rig does not expose it). */
function ffmpegChildPid(device: string): number {
  const child = childProcesses().find(
    ({ argv }) => argv.some((a) => a.includes('ffmpeg')) && argv.some((a) => a.includes(device)),
  );
  if (!child) throw new Error(`no ffmpeg child reading ${device}`);
  return child.pid;
}

/**
 * The limit, checked on what the converter got: a frame is first fed no earlier than it arrived, and every later
 * feed of the same frame (same digest) must come within STALE_LIMIT_MS of that (+1 ms of Date.now() rounding).
 */
function assertNoStaleFeeds(calls: readonly Fed[]): void {
  const first = new Map<string, number>();
  for (const c of calls) {
    if (c.digest === null) continue;
    const t0 = first.get(c.digest) ?? c.at;
    first.set(c.digest, t0);
    assert.ok(
      c.at - t0 <= STALE_LIMIT_MS + 1,
      `a frame was fed ${c.at - t0} ms after it was first fed (limit ${STALE_LIMIT_MS} ms)`,
    );
  }
}

describe('camera faults', { skip: ffmpegMissing }, () => {
  let server: BuiltinPolicyServer;
  let endpoints: Record<string, RuntimeModelEndpoint>;
  let dir: string;
  let module: string;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    endpoints = { pi0: { url: server.url, protocol: 'openpi' } };
    dir = await mkdtemp(path.join(tmpdir(), 'so100-fault-camera-'));
    module = path.join(dir, 'recordingConverter.js');
    await writeFile(module, RECORDING_CONVERTER);
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const config = (device: string, maxSteps: number) =>
    faultConfig({
      maxSteps,
      cameras: { usb: { kind: 'ffmpeg', format: 'lavfi', device, width: 160, height: 120, fps: 30 } },
      converter: { layout: 'openpi-so100', module, cameras: { primary: 'usb' } },
      chunking: { mode: 'sync', nActionSteps: 4 },
    });

  test(
    'ffmpeg dies mid-episode: the episode ends naming the camera and the kill; no stale image fed; goals safe; record whole',
    { timeout: 60_000 },
    async () => {
      fed().length = 0;
      const device = 'testsrc=size=160x120:rate=30:decimals=1';
      await withRig(config(device, 3000), endpoints, async (rig) => {
        await rig.session.runEpisode();
        await until('the policy fed camera frames', () => fed().filter((c) => c.digest !== null).length >= 3);
        process.kill(ffmpegChildPid(device), 'SIGKILL');
        const summary = await rig.session.episodeEnded()!;
        assertToldCause(rig, summary, /camera 'usb'.*killed by SIGKILL/);
        assert.match(summary.reason, /camera 'usb'/, 'the episode ended because of the camera');
        assertNoStaleFeeds(fed());
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        await assertRecordComplete(summary, { success: false });
      });
    },
  );

  test(
    'frames stop (ffmpeg frozen): the stale frame is told, the policy is not asked until frames return, never fed one past the limit',
    { timeout: 60_000 },
    async () => {
      fed().length = 0;
      const device = 'testsrc=size=160x120:rate=30:decimals=2';
      await withRig(config(device, 3000), endpoints, async (rig) => {
        await rig.session.runEpisode();
        await until('the policy fed camera frames', () => fed().filter((c) => c.digest !== null).length >= 3);
        const pid = ffmpegChildPid(device);
        process.kill(pid, 'SIGSTOP');
        let asked: number;
        try {
          await until('the stale frame told', () =>
            rig.events.warnings.some((w) => /camera 'usb': newest frame is \d+ ms old/.test(w)),
          );
          asked = fed().length;
          const ticks = rig.events.ticks.length;
          await rig.events.ticksReached(ticks + 20); // the loop goes on, holding
          assert.equal(
            fed().length,
            asked,
            'no request while the camera is stale (neither its old frame nor a black one)',
          );
        } finally {
          process.kill(pid, 'SIGCONT');
        }
        await until(
          'requests with fresh frames again',
          () =>
            fed()
              .slice(asked)
              .filter((c) => c.digest !== null).length >= 2,
        );
        await rig.session.stop();
        const summary = rig.events.ended[0];
        assertToldCause(rig, summary, /camera 'usb': newest frame is \d+ ms old/);
        assertNoStaleFeeds(fed());
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        await assertRecordComplete(summary, { success: false });
      });
    },
  );
});
