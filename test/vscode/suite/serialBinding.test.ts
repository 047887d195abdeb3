// An editor on a platform serialport ships no prebuilt binding for, in the real extension host: the runtime process
// is started with npm_config_arch=riscv64, so the real binding lookup (node-gyp-build) fails there as it does on such
// a machine. Run Episode on a real port reports one clear error, starts no policy server and connects nothing; the simulated arm still runs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, logChannelText, waitFor } from './hostHelpers';

const PORT = '/dev/ttyUSB-so100-no-binding';
const ERROR = `so100.runEpisode: cannot open ${PORT}: the native serial-port driver does not load on this platform`;

suite('SO-100 on a platform without a serial-port binding', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const runtimeLog = () => logChannelText(api, 'SO-100 Runtime');
  const saved = process.env.npm_config_arch;

  /** Ends the runtime process so the next command starts one with this host's environment. */
  async function freshRuntime(): Promise<void> {
    const pid = api.runtimePid();
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    await waitFor('no runtime process', () => (api.runtimePid() === undefined ? true : undefined));
  }

  async function useConfig(port: string): Promise<void> {
    await writeFile(configFile(), JSON.stringify({ robot: { port }, maxSteps: 10, record: { enabled: false } }));
    await api.reloadConfig();
  }

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
    await freshRuntime();
    process.env.npm_config_arch = 'riscv64';
  });
  suiteTeardown(async () => {
    if (saved === undefined) delete process.env.npm_config_arch;
    else process.env.npm_config_arch = saved;
    await freshRuntime();
    await rm(configFile(), { force: true });
    await api.reloadConfig();
    await vscode.commands.executeCommand('so100.stopServer');
  });

  test('Run Episode on a real port: one error naming the platform, the supported ones and the simulator; nothing connects', async () => {
    await useConfig(PORT);
    await vscode.commands.executeCommand('so100.stopServer');
    assert.equal(api.serverState(), 'stopped');
    const before = (await runtimeLog()).split(ERROR).length;
    const episode = api.lastEpisode();
    await vscode.commands.executeCommand('so100.runEpisode');
    const log = await waitFor('the error in the runtime log', async () => {
      const t = await runtimeLog();
      return t.split(ERROR).length > before ? t : undefined;
    });
    const line = log.slice(log.lastIndexOf(ERROR)).split('\n')[0];
    assert.match(line, new RegExp(`\\(${process.platform}-riscv64\\)`), line);
    assert.match(line, /carries it for linux-x64, .*win32-arm64\./, line);
    assert.ok(line.includes('set "robot.port": "sim" in so100.json'), line);
    assert.equal(api.runtimePhase(), 'idle', 'nothing connected');
    assert.equal(api.serverState(), 'stopped', 'no policy server was started for an arm that cannot connect');
    assert.equal(api.lastEpisode(), episode, 'no episode ran');
  });

  test('the simulated arm needs no binding: Run Episode runs in the same runtime', async () => {
    const pid = api.runtimePid();
    assert.ok(pid !== undefined, 'the runtime that failed to open the port is still running');
    await useConfig('sim');
    const before = api.lastEpisode();
    await vscode.commands.executeCommand('so100.runEpisode');
    const e = await waitFor(
      'the simulated episode',
      () => {
        const x = api.lastEpisode();
        return x && x !== before ? x : undefined;
      },
      120_000,
    );
    assert.equal(e.steps, 10, e.reason);
    assert.equal(api.runtimePid(), pid, 'the same runtime process, started with the binding lookup failing');
  });
});
