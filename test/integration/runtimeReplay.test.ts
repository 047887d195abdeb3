// Replay through the runtime's socket, as the editor's "Replay Episode Through Model…" drives it: a real runtime
// process records an episode, then replays it through a real built-in server; progress events, one replay at a time,
// and a cancel that leaves only the partial file.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { ReplayProgress } from '../../src/core/rpc';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { readReplayFile } from '../../src/io/recording/replayFile';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const root = path.resolve(__dirname, '../..');

describe('replayEpisode over the runtime socket', () => {
  let pi0: BuiltinPolicyServer;
  let dir: string;
  let rt: RuntimeProcess;
  let config: So100Config;
  let episode: string;
  const endpoint = () => ({ url: pi0.url, protocol: 'openpi' as const });

  before(async () => {
    pi0 = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 10 }),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'so100-runtime-replay-'));
    const d = defaultConfig();
    config = { ...d, maxSteps: 60, record: { ...d.record, dir, frames: 'png', pngEvery: 1 } };
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
    });
    const c = rt.client;
    await c.call('connect', { config, endpoints: { pi0: endpoint() } });
    const ended = c.next('episodeEnded', () => true, 120_000);
    await c.call('runEpisode', {});
    episode = (await ended).recordDir!;
    assert.ok(episode, 'the episode was recorded');
  });
  after(async () => {
    await rt?.stop();
    await pi0.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('replays while the arm stays connected, with a progress event per request', async () => {
    const c = rt.client;
    const progress: ReplayProgress[] = [];
    const off = c.on('replayProgress', (p) => progress.push(p));
    const done = await c.call('replayEpisode', { dir: episode, config, model: 'pi0', endpoint: endpoint(), every: 20 });
    off();
    assert.equal(done.file, path.join(episode, 'replay-pi0.jsonl'));
    assert.equal(done.chunks, 3); // ticks 0, 20, 40
    assert.ok(done.perJoint.shoulder_pan !== null);
    const replay = await readReplayFile(done.file);
    assert.deepEqual(
      replay.chunks.map((x) => x.tick),
      [0, 20, 40],
    );
    // Progress is droppable telemetry, but nothing else is running: every request reported, the last one last.
    assert.deepEqual(
      progress.map((p) => `${p.done}/${p.total}`),
      ['1/3', '2/3', '3/3'],
    );
    assert.equal((await c.call('status', {})).phase, 'connected');
  });

  test('one replay at a time; a cancel ends it and leaves only the .partial file', async () => {
    const c = rt.client;
    await rm(path.join(episode, 'replay-pi0.jsonl'), { force: true });
    const first = c.next('replayProgress', () => true, 60_000);
    const long = c.call('replayEpisode', { dir: episode, config, model: 'pi0', endpoint: endpoint(), every: 1 });
    await first;
    await assert.rejects(
      c.call('replayEpisode', { dir: episode, config, model: 'pi0', endpoint: endpoint() }),
      /a replay is already running/,
    );
    await c.call('cancelReplay', {});
    await assert.rejects(long, /cancelled/);
    const files = (await readdir(episode)).filter((f) => f.startsWith('replay-'));
    assert.deepEqual(files, ['replay-pi0.jsonl.partial']);
    // And the runtime takes the next one.
    const again = await c.call('replayEpisode', {
      dir: episode,
      config,
      model: 'pi0',
      endpoint: endpoint(),
      every: 30,
    });
    assert.equal(again.chunks, 2);
  });

  test('bad params and a record that cannot be replayed are refused with the reason', async () => {
    const c = rt.client;
    await assert.rejects(
      c.call('replayEpisode', { dir: '', config, model: 'pi0', endpoint: endpoint() }),
      /"dir" must be an episode folder/,
    );
    await assert.rejects(
      c.call('replayEpisode', { dir: episode, config, model: 'pi0', endpoint: endpoint(), every: 0 }),
      /"every" must be a whole number/,
    );
    await assert.rejects(
      c.call('replayEpisode', { dir: path.join(dir, 'nowhere'), config, model: 'pi0', endpoint: endpoint() }),
      /has no episode\.json: not an episode folder/,
    );
  });
});
