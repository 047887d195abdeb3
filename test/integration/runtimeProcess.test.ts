// The runtime as its own process, driven over its socket the way the extension host drives it: connect, run,
// pause / step / resume, swap π₀ ↔ π₀-FAST, e-stop, reconnect and reset, telemetry, bad requests, host loss.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { ChunkTelemetry, FrameTelemetry, RuntimeSetup, TickTelemetry } from '../../src/core/rpc';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeCallError } from '../../src/runtime/rpc/runtimeClient';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const root = path.resolve(__dirname, '../..');

describe('runtime process over its socket', () => {
  let pi0: BuiltinPolicyServer;
  let pi0Fast: BuiltinPolicyServer;
  let recordDir: string;
  let rt: RuntimeProcess;
  const log: string[] = [];

  const config = (change: Partial<So100Config> = {}): So100Config => {
    const d = defaultConfig();
    return { ...d, robot: { ...d.robot, seed: 3 }, ...change };
  };
  const setup = (change: Partial<So100Config> = {}): RuntimeSetup => ({
    config: config(change),
    recordDir,
    endpoints: { pi0: { url: pi0.url, protocol: 'openpi' }, pi0_fast: { url: pi0Fast.url, protocol: 'openpi' } },
  });

  before(async () => {
    pi0 = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 10 }),
    });
    pi0Fast = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0_fast, { latencyMs: 10 }),
    });
    recordDir = await mkdtemp(path.join(tmpdir(), 'so100-runtime-'));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: (l) => log.push(l),
    });
  });
  after(async () => {
    await rt?.stop();
    await pi0.close();
    await pi0Fast.close();
    await rm(recordDir, { recursive: true, force: true });
  });

  test('connect, then a whole episode: the cube is lifted, telemetry flows, the record is on disk', async () => {
    const c = rt.client;
    const status = await c.call('connect', setup());
    assert.equal(status.phase, 'connected');
    assert.deepEqual([...status.models].sort(), ['pi0', 'pi0_fast']);
    // The calibrated ranges in the joints' own units (degrees here; the gripper 0–100) for the dashboard to shade.
    assert.equal(status.jointRanges?.length, 6);
    assert.ok(
      status.jointRanges!.slice(0, 4).every((r) => r.min < 0 && r.max > 0),
      JSON.stringify(status.jointRanges),
    );
    assert.deepEqual(status.jointRanges![5], { min: 0, max: 100 });
    await c.call('subscribe', { frameFps: 5 });
    const ticks: TickTelemetry[] = [];
    const chunks: ChunkTelemetry[] = [];
    const frames: FrameTelemetry[] = [];
    const offs = [
      c.on('tick', (t) => ticks.push(t)),
      c.on('chunk', (x) => chunks.push(x)),
      c.on('frame', (f) => frames.push(f)),
    ];
    const ended = c.next('episodeEnded', () => true, 60_000);
    await c.call('runEpisode', {});
    const summary = await ended;
    offs.forEach((off) => off());
    assert.equal(summary.success, true, summary.reason);
    // The episodeEnded message's fields are part of the runtime protocol: exactly these.
    assert.deepEqual(Object.keys(summary).sort(), [
      'chunks',
      'clampedTicks',
      'episode',
      'lateTicks',
      'reason',
      'recordDir',
      'seams',
      'starvedTicks',
      'steps',
      'success',
      'timing',
      'warmupTicks',
    ]);
    assert.ok(ticks.length >= summary.steps - 1 && ticks.length > 0, 'a tick event per tick');
    assert.equal(ticks[0].measured.length, 6);
    assert.ok(ticks.some((t) => t.chunkBoundary));
    assert.ok(chunks.length >= 1 && chunks.every((x) => x.targets.length === x.horizon * x.dims));
    assert.ok(frames.length >= 2, 'frames at the requested rate');
    const f = frames[0];
    assert.equal(f.rgb.length, f.width * f.height * 3);
    assert.ok(summary.timing.some((s) => s.stage === 'read' && s.count > 0));
    assert.ok(summary.recordDir && summary.recordDir.startsWith(recordDir));
    const files = await readdir(summary.recordDir);
    for (const name of ['episode.json', 'steps.csv', 'chunks.jsonl', 'timing.csv'])
      assert.ok(files.includes(name), name);
    const episode = JSON.parse(await readFile(path.join(summary.recordDir, 'episode.json'), 'utf8'));
    assert.equal(episode.result.success, true);
    assert.equal((await c.call('status', {})).phase, 'connected');
  });

  test('reset glides back to the start pose; pause, step exactly one tick, resume; swap to π₀-FAST mid-episode', async () => {
    const c = rt.client;
    const reset = await c.call('reset', {});
    assert.equal(reset.phase, 'connected');
    const started = await c.call('runEpisode', { startPaused: true });
    assert.equal(started.phase, 'paused');
    const t0 = await c.call('step', {});
    const t1 = await c.call('step', {});
    assert.equal(t0?.index, 0);
    assert.equal(t1?.index, 1);
    assert.equal((await c.call('status', {})).step, 2);
    const chunks: ChunkTelemetry[] = [];
    const off = c.on('chunk', (x) => chunks.push(x));
    assert.equal((await c.call('resume', {})).phase, 'running');
    await c.next('chunk', (x) => x.accepted && x.horizon === 50);
    const swapped = await c.call('swapModel', { model: 'pi0_fast' });
    assert.equal(swapped.activeModel, 'pi0_fast');
    await c.next('chunk', (x) => x.accepted && x.horizon === 10);
    const paused = await c.call('pause', {});
    assert.equal(paused.phase, 'paused');
    const stopped = await c.call('stop', {});
    assert.equal(stopped.phase, 'connected');
    off();
    const firstFast = chunks.findIndex((x) => x.horizon === 10);
    assert.ok(
      chunks.slice(firstFast).every((x) => x.horizon === 10 || !x.accepted),
      'no π₀ chunk used after the swap',
    );
    await assert.rejects(c.call('swapModel', { model: 'gr00t' }), (e: RuntimeCallError) =>
      /no model "gr00t"; configured: pi0, pi0_fast/.test(e.message),
    );
    await c.call('swapModel', { model: 'pi0' });
  });

  test('emergency stop: torque off, nothing runs until the arm is connected again', async () => {
    const c = rt.client;
    await c.call('runEpisode', {});
    await c.next('tick', (t) => t.index >= 5);
    const r = await c.call('estop', {});
    assert.deepEqual(r, { torqueOff: true, failedMotors: [] });
    assert.equal((await c.call('status', {})).phase, 'estopped');
    await assert.rejects(
      c.call('runEpisode', {}),
      (e: RuntimeCallError) =>
        e.remoteName === 'RuntimePhaseError' && /emergency-stopped; connect again/.test(e.message),
    );
    const again = await c.call('connect', setup());
    assert.equal(again.phase, 'connected');
  });

  test('bad requests get errors that name the problem; the runtime keeps serving', async () => {
    const c = rt.client;
    await assert.rejects(
      c.call('connect', setup({ fps: -1 })),
      /invalid config: fps: fps must be a whole number from 1 to 1000, got -1/,
    );
    await c.call('disconnect', {});
    await assert.rejects(
      c.call('connect', setup({ fps: -1 })),
      (e: RuntimeCallError) => e.remoteName === 'RuntimeParamsError' && /invalid config: fps: /.test(e.message),
    );
    await assert.rejects(c.call('connect', setup({ activeModel: 'nope' })), /invalid config: activeModel: /);
    await assert.rejects(c.call('pause', {}), /cannot pause: no episode is running/);
    await assert.rejects(c.call('subscribe', { frameFps: 1000 }), /frameFps/);
    // Garbage on a second connection drops that connection only.
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(rt.client.socketPath);
      s.resume(); // read (and ignore) the greeting so the close is seen
      s.once('connect', () => s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])));
      s.once('close', () => resolve());
      s.once('error', reject);
      setTimeout(() => reject(new Error('the runtime kept a connection that sent garbage')), 5000).unref();
    });
    assert.equal((await c.call('status', {})).phase, 'idle');
  });

  test('a runtime whose host goes away leaves the arm safe and exits', async () => {
    const other = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
    });
    await other.client.call('connect', setup());
    await other.client.call('runEpisode', {});
    await other.client.next('tick', (t) => t.index >= 3);
    other.child.stdin!.end(); // what a crashed host looks like from the runtime's side
    const code = await Promise.race([other.exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
    assert.equal(code, 0, 'exited cleanly after disconnecting the arm');
    await other.client.close();
  });
});
