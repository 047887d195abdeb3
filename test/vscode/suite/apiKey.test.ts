// API keys of remote policy servers in the real extension host: a model that names `apiKeyEnv` connects nothing
// until "SO-100: Set API Key for Model…" has stored its key in VS Code's secret storage; then Run Episode sends it
// as openpi's `Authorization: Api-Key <key>` to a server that checks it; removing the key refuses again.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_PROFILES, customizeProfile } from '../../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../../src/io/policy/builtinServer/builtinPolicyServer';
import type { So100Api } from '../../../src/extension/extension';
import { type ApiKeyGate, startApiKeyGate } from '../../helpers/apiKeyGate';
import { activateExtension, clearServerSettings, serverLogText, waitFor } from './hostHelpers';

const MODEL = 'gpu';
const KEY = 'the-key';
/** Named by the model; unset in the extension host, so only the secret storage can supply the key. */
const KEY_ENV = 'SO100_TEST_KEY_UNSET';
const MISSING = `model "${MODEL}" needs an API key`;

suite('SO-100 API keys of remote models', () => {
  let api: So100Api;
  let folder: string;
  let builtin: BuiltinPolicyServer;
  let gate: ApiKeyGate;
  const configFile = () => join(folder, 'so100.json');
  const setApiKey = (key: string) => vscode.commands.executeCommand<boolean>('so100.setApiKey', MODEL, key);
  /** How often the log channel has said that the model's key is missing. */
  const missingKeyLines = async () => (await serverLogText(api)).split(MISSING).length - 1;

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
    await vscode.commands.executeCommand('so100.disconnectArm');
    builtin = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 1 }),
    });
    gate = await startApiKeyGate(builtin.url, KEY);
    await writeFile(
      configFile(),
      JSON.stringify({
        activeModel: MODEL,
        models: { [MODEL]: { kind: 'remote', url: gate.url, protocol: 'openpi', apiKeyEnv: KEY_ENV } },
        maxSteps: 20,
        record: { enabled: false },
      }),
    );
    await api.reloadConfig();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('so100.disconnectArm');
    await setApiKey('');
    await rm(configFile(), { force: true });
    await api.reloadConfig();
    await gate?.close();
    await builtin?.close();
  });

  /** Run Episode with no usable key: waits for the error it reports, then checks that nothing connected. */
  async function assertRefused(): Promise<void> {
    const seen = gate.seen.length;
    const lines = await missingKeyLines();
    const episode = api.lastEpisode();
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('the missing-key error in the log', async () =>
      (await missingKeyLines()) > lines ? true : undefined,
    );
    assert.equal(gate.seen.length, seen, 'the policy server saw no connection');
    assert.equal(api.runtimePhase(), 'idle', 'nothing connected');
    assert.equal(api.lastEpisode(), episode, 'no episode ran');
  }

  test('without a stored key Run Episode connects nothing and says which command sets it', async () => {
    assert.equal(process.env[KEY_ENV], undefined, `${KEY_ENV} must not be set for this test`);
    assert.equal(await setApiKey(''), true, 'no key from an earlier run');
    await assertRefused();
    const log = await serverLogText(api);
    assert.match(log, /run "SO-100: Set API Key for Model…" \(kept in VS Code's secret storage\)/);
    assert.doesNotMatch(log, new RegExp(KEY), 'the key is never logged');
  });

  test('Set API Key (scripted) stores the key; Run Episode sends exactly that header and runs', async () => {
    assert.equal(await setApiKey(KEY), true);
    const seen = gate.seen.length;
    const before = api.lastEpisode();
    await vscode.commands.executeCommand('so100.runEpisode');
    const e = await waitFor(
      'the episode through the key-checking server',
      () => {
        const x = api.lastEpisode();
        return x && x !== before ? x : undefined;
      },
      120_000,
    );
    assert.ok(e.steps > 0 && e.chunks > 0, `the policy answered: ${e.steps} steps, ${e.chunks} chunks, ${e.reason}`);
    const headers = gate.seen.slice(seen);
    assert.ok(headers.length > 0, 'the runtime connected to the server');
    assert.deepEqual(new Set(headers), new Set([`Api-Key ${KEY}`]), 'every connection carried the stored key');
    assert.doesNotMatch(await serverLogText(api), new RegExp(KEY), 'the key is never logged');
  });

  test('an empty key removes it: the next Run Episode refuses again', async () => {
    await vscode.commands.executeCommand('so100.disconnectArm');
    await waitFor('idle', () => (api.runtimePhase() === 'idle' ? true : undefined));
    assert.equal(await setApiKey(''), true);
    await assertRefused();
  });

  test('a scripted key for a model that is not a remote model of so100.json is refused', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('so100.setApiKey', 'pi0', KEY), false);
  });
});
