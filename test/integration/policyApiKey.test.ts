// Remote policy servers that need an API key: openpi's `Authorization: Api-Key <key>` header reaches a real server
// that checks it; the key is refused for plain ws:// off this machine; a missing key stops `so100 episode` before
// anything connects, naming the variable to set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NdArray } from '../../src/core/ndarray';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { policyClient } from '../../src/runtime/sessionParts';
import { type ApiKeyGate, startApiKeyGate } from '../helpers/apiKeyGate';
import { runCli } from '../helpers/cliProcess';

const KEY = 's3cret-key';

let builtin: BuiltinPolicyServer;
let keyed: ApiKeyGate;
let dir: string;
before(async () => {
  builtin = await BuiltinPolicyServer.start({
    protocol: 'openpi',
    profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 1 }),
  });
  keyed = await startApiKeyGate(builtin.url, KEY);
  dir = await mkdtemp(path.join(tmpdir(), 'so100-api-key-'));
});
after(async () => {
  await keyed.close();
  await builtin.close();
  await rm(dir, { recursive: true, force: true });
});

const observation = () => ({
  'observation/state': NdArray.fromTyped(Float32Array.from([0, 0, 0, 0, 0, 50]), [6]),
  prompt: 'pick',
});

test('the openpi client sends Authorization: Api-Key <key>, and the checking server answers', async () => {
  const from = keyed.seen.length;
  await using client = policyClient('gpu', { url: keyed.url, protocol: 'openpi', apiKey: KEY }, 10_000);
  const r = await client.infer(observation());
  assert.equal(r.actions.horizon, 50);
  assert.deepEqual(keyed.seen.slice(from), [`Api-Key ${KEY}`]);
});

test('a wrong or absent key is refused by the server, and the client says so', async () => {
  await using wrong = policyClient('gpu', { url: keyed.url, protocol: 'openpi', apiKey: 'nope' }, 5_000);
  await assert.rejects(wrong.connect(), /401/);
  await using none = policyClient('gpu', { url: keyed.url, protocol: 'openpi' }, 5_000);
  await assert.rejects(none.connect(), /401/);
  assert.ok(keyed.seen.includes(undefined) && keyed.seen.includes('Api-Key nope'));
});

test('a key is never sent over plain ws:// off this machine, nor to a protocol without the header', () => {
  assert.throws(
    () => policyClient('gpu', { url: 'ws://gpu-box:8000', protocol: 'openpi', apiKey: KEY }),
    /refusing to send its API key unencrypted to gpu-box:8000; use a wss:\/\/ URL/,
  );
  assert.doesNotThrow(() => policyClient('gpu', { url: 'wss://gpu-box:8000', protocol: 'openpi', apiKey: KEY }));
  assert.throws(
    () => policyClient('lr', { url: 'ws://127.0.0.1:1', protocol: 'lerobot-ws', apiKey: KEY }),
    /lerobot-ws servers take no API key; only openpi servers do/,
  );
});

test('so100 episode: a key missing from the environment stops before anything connects; present, it runs', async () => {
  const config = path.join(dir, 'so100.json');
  await writeFile(
    config,
    JSON.stringify({
      activeModel: 'gpu',
      models: { gpu: { kind: 'remote', url: keyed.url, protocol: 'openpi', apiKeyEnv: 'SO100_TEST_API_KEY' } },
      maxSteps: 20,
      record: { enabled: false },
    }),
  );
  const from = keyed.seen.length;
  const missing = await runCli(['episode', '--config', config], 60_000, { SO100_TEST_API_KEY: '' });
  assert.equal(missing.code, 1, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /model "gpu" needs an API key: set the environment variable SO100_TEST_API_KEY/);
  assert.equal(keyed.seen.length, from, 'no connection was attempted');

  const ok = await runCli(['episode', '--config', config], 120_000, { SO100_TEST_API_KEY: KEY });
  assert.equal(ok.code === 0 || ok.code === 1, true, ok.stdout + ok.stderr);
  assert.ok(keyed.seen.slice(from).length > 0 && keyed.seen.slice(from).every((h) => h === `Api-Key ${KEY}`));
  assert.doesNotMatch(ok.stdout + ok.stderr, /API key|401/, ok.stdout + ok.stderr);
});
