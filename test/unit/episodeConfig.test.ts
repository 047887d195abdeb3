// so100 episode's config: the file, the flags over it, and the errors a user sees for either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { episodeConfig, EpisodeConfigError } from '../../src/cli/episodeConfig';
import { CliUsageError } from '../../src/cli/cliUsageError';
import { DEFAULT_SEAM } from '../../src/core/chunking';

async function withFile(text: string, body: (file: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-episode-config-'));
  try {
    const file = path.join(dir, 'so100.json');
    await writeFile(file, text);
    await body(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('no config and no flags: the embedded default', async () => {
  const { config, recordDir } = await episodeConfig({}, '/work');
  assert.equal(config.robot.port, 'sim');
  assert.equal(config.activeModel, 'pi0');
  assert.equal(config.converter.layout, 'openpi-so100');
  assert.equal(config.chunking.mode, 'async');
  assert.equal(recordDir, undefined);
});

test('flags lay over the file; relative paths start at the file', async () => {
  await withFile(
    `{
    // a commented config
    "fps": 20, "maxSteps": 300,
    "chunking": { "mode": "sync", "nActionSteps": 8 },
    "robot": { "seed": 4 },
  }`,
    async (file, dir) => {
      const { config, workspace } = await episodeConfig(
        { config: file, fps: '25', model: 'pi0_fast', protocol: 'lerobot-ws', 'no-record': true },
        '/elsewhere',
      );
      assert.equal(workspace, dir);
      assert.equal(config.fps, 25, 'the flag wins');
      assert.equal(config.maxSteps, 300, 'the file stays where no flag speaks');
      assert.deepEqual(config.chunking, { mode: 'sync', nActionSteps: 8, prefetchSteps: 0, seam: DEFAULT_SEAM });
      assert.equal(config.activeModel, 'pi0_fast');
      assert.equal(config.models.pi0_fast.protocol, 'lerobot-ws');
      assert.equal(config.converter.layout, 'lerobot-ws', 'the layout follows the protocol');
      assert.equal(config.robot.seed, 4);
      assert.equal(config.record.enabled, false);
    },
  );
});

test('--server makes the active model remote; --chunking to another mode starts from its defaults', async () => {
  const { config } = await episodeConfig({ server: 'ws://gpu-box:8000', chunking: 'sync', record: 'out' }, '/work');
  assert.deepEqual(config.models.pi0, { kind: 'remote', url: 'ws://gpu-box:8000', protocol: 'openpi' });
  assert.equal(config.chunking.mode, 'sync');
  assert.equal(config.record.enabled, true);
});

test('an invalid file is reported at its own line and column', async () => {
  await withFile('{\n  "fps": 30,\n  "chunking": { "mode": "sometimes" }\n}\n', async (file) => {
    await assert.rejects(
      episodeConfig({ config: file }),
      (e: Error) => e instanceof EpisodeConfigError && e.message.includes(`${file}:3:`) && /chunking/.test(e.message),
    );
  });
  await withFile('{ "fps": 30 ', async (file) => {
    await assert.rejects(
      episodeConfig({ config: file }),
      (e: Error) => e instanceof EpisodeConfigError && e.message.includes(`${file}:1:`),
    );
  });
  await assert.rejects(
    episodeConfig({ config: '/nonexistent/so100.json' }),
    /cannot read the config \/nonexistent\/so100\.json: no such file/,
  );
});

test('flags that cannot fit are usage errors or name the setting', async () => {
  await assert.rejects(
    episodeConfig({ protocol: 'grpc' }),
    (e: Error) => e instanceof CliUsageError && /--protocol must be openpi or lerobot-ws/.test(e.message),
  );
  await assert.rejects(episodeConfig({ frames: 'gif' }), /--frames must be mp4, png or none/);
  await assert.rejects(episodeConfig({ 'body-mode': 'radians' }), /--body-mode must be degrees or range_m100_100/);
  await assert.rejects(episodeConfig({ record: 'x', 'no-record': true }), /exclude each other/);
  await assert.rejects(
    episodeConfig({ layout: 'nonsense' }),
    (e: Error) => e instanceof EpisodeConfigError && /converter\.layout/.test(e.message),
  );
  await assert.rejects(
    episodeConfig({ model: 'gr00t' }),
    (e: Error) => e instanceof EpisodeConfigError && /activeModel/.test(e.message),
  );
});

test("--max-failures lays over the file's maxPolicyFailures; out of range is a usage error naming the flag", async () => {
  await withFile('{ "maxPolicyFailures": 7 }', async (file) => {
    assert.equal((await episodeConfig({ config: file }, '/work')).config.maxPolicyFailures, 7);
    assert.equal((await episodeConfig({ config: file, 'max-failures': '2' }, '/work')).config.maxPolicyFailures, 2);
  });
  assert.equal((await episodeConfig({}, '/work')).config.maxPolicyFailures, 3);
  await assert.rejects(
    episodeConfig({ 'max-failures': '0' }, '/work'),
    (e: unknown) => e instanceof CliUsageError && /max-failures/.test(e.message),
  );
});
