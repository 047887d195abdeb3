// The episode commands in the real extension host: Run Episode on the embedded default (runtime process, built-in
// server, simulated arm), pause / step / resume / stop, emergency stop, so100.json diagnostics and live reload.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { activateExtension, clearServerSettings, isAlive, waitFor } from './hostHelpers';
import type { So100Api } from '../../../src/extension/extension';

const EPISODE_COMMANDS = [
  'so100.runEpisode',
  'so100.step',
  'so100.pause',
  'so100.resume',
  'so100.stop',
  'so100.emergencyStop',
  'so100.reset',
  'so100.swapModel',
  'so100.createConfig',
  'so100.openEpisodeFolder',
  'so100.exportTimingCsv',
  'so100.disconnectArm',
];

suite('SO-100 episode commands', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
  });
  suiteTeardown(async () => {
    await rm(configFile(), { force: true });
    await api.reloadConfig();
    await vscode.commands.executeCommand('so100.disconnectArm');
    await vscode.commands.executeCommand('so100.stopServer');
  });

  /** Runs a command and waits for the next episode result. */
  async function episodeAfter(command: string, timeoutMs = 60_000) {
    // By identity: a new runtime process numbers its episodes from 1 again.
    const before = api.lastEpisode();
    await vscode.commands.executeCommand(command);
    return waitFor(
      `an episode after ${command}`,
      () => {
        const e = api.lastEpisode();
        return e && e !== before ? e : undefined;
      },
      timeoutMs,
    );
  }

  test('the episode commands are registered, in the SO-100 category, and Emergency Stop has a keybinding', async () => {
    const all = await vscode.commands.getCommands(true);
    const pkg = vscode.extensions.getExtension('so100-policy-lab.so100-policy-lab')!.packageJSON as {
      contributes: {
        commands: { command: string; category: string }[];
        keybindings: { command: string; key: string }[];
      };
    };
    for (const id of EPISODE_COMMANDS) {
      assert.ok(all.includes(id), `${id} registered`);
      assert.equal(pkg.contributes.commands.find((c) => c.command === id)?.category, 'SO-100', `${id} category`);
    }
    assert.ok(pkg.contributes.keybindings.some((k) => k.command === 'so100.emergencyStop' && /escape/.test(k.key)));
  });

  test('Run Episode on the embedded default: the runtime process picks the cube up and records the episode', async () => {
    assert.equal(existsSync(configFile()), false, 'no so100.json: the embedded default');
    const e = await episodeAfter('so100.runEpisode');
    assert.equal(e.success, true, e.reason);
    assert.ok(e.steps > 0 && e.timing.some((s) => s.stage === 'tick'));
    assert.ok(e.recordDir?.startsWith(join(folder, '.so100', 'episodes')), e.recordDir);
    const episode = JSON.parse(await readFile(join(e.recordDir!, 'episode.json'), 'utf8'));
    assert.equal(episode.result.success, true);
    assert.equal(api.runtimePhase(), 'connected');
    assert.ok(api.runtimePid() && isAlive(api.runtimePid()!), 'the runtime is its own process');
    assert.notEqual(api.runtimePid(), process.pid);
    assert.equal(api.serverState(), 'ready', 'the built-in server was started for it');
  });

  /** An episode that cannot succeed on its own (the policy is shown the wrist view as its main image). */
  async function useLongEpisodeConfig(extra = '') {
    await writeFile(
      configFile(),
      `{ "maxSteps": 5000, "converter": { "cameras": { "primary": "wrist", "secondary": "front" } }${extra} }\n`,
    );
    await api.reloadConfig();
  }

  test('the SO-100 side bar shows the arm, the server, the models and the episode just recorded', async () => {
    const rows = await api.labTree();
    const text = rows.join('\n');
    assert.match(text, /^Arm — simulated SO-100 · connected$/m, text);
    assert.match(text, /^Policy server — pi0 · ready$/m, text);
    assert.match(text, /^ {2}pi0 — built-in pi0 · openpi · active$/m, text);
    assert.match(text, /^ {2}pi0_fast — built-in pi0_fast · openpi$/m, text);
    assert.match(
      text,
      /^ {2}pi0 · seed \d+ · \S+ — success · \d+ ticks$/m,
      'the recorded episode, newest first, named by model and seed',
    );
  });

  test('Pause holds, Step runs a tick while paused, Resume goes on, Stop ends the episode', async () => {
    await useLongEpisodeConfig();
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', () => (api.runtimePhase() === 'running' ? true : undefined));
    await vscode.commands.executeCommand('so100.pause');
    await waitFor('paused', () => (api.runtimePhase() === 'paused' ? true : undefined));
    await vscode.commands.executeCommand('so100.step');
    assert.equal(api.runtimePhase(), 'paused', 'still paused after a step');
    await vscode.commands.executeCommand('so100.resume');
    await waitFor('running again', () => (api.runtimePhase() === 'running' ? true : undefined));
    const before = api.lastEpisode();
    await vscode.commands.executeCommand('so100.stop');
    const e = await waitFor('the stopped episode', () => {
      const x = api.lastEpisode();
      return x && x !== before ? x : undefined;
    });
    assert.equal(e.reason, 'stopped by the user');
    assert.equal(api.runtimePhase(), 'connected');
  });

  test('Emergency Stop mid-episode leaves the session e-stopped; Run Episode reconnects and succeeds', async () => {
    await useLongEpisodeConfig();
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', () => (api.runtimePhase() === 'running' ? true : undefined));
    await vscode.commands.executeCommand('so100.emergencyStop');
    await waitFor('estopped', () => (api.runtimePhase() === 'estopped' ? true : undefined));
    assert.match(api.lastEpisode()!.reason, /emergency stop/);
    await rm(configFile(), { force: true });
    await api.reloadConfig();
    const e = await episodeAfter('so100.runEpisode');
    assert.equal(e.success, true, e.reason);
  });

  test('so100.json errors appear in the Problems panel at the key, and Run Episode refuses until they are fixed', async () => {
    await writeFile(configFile(), '{\n  "fps": 30,\n  "chunking": { "mode": "sometimes" }\n}\n');
    await api.reloadConfig();
    const uri = vscode.Uri.file(configFile());
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length ? d : undefined;
    });
    assert.ok(
      diags.some(
        (d) => d.range.start.line === 2 && d.severity === vscode.DiagnosticSeverity.Error && d.source === 'so100',
      ),
      JSON.stringify(diags.map((d) => [d.range.start.line, d.message])),
    );
    const before = api.lastEpisode()?.episode;
    await vscode.commands.executeCommand('so100.disconnectArm');
    // executeCommand resolves once the handler has returned, i.e. once Run Episode has refused or started.
    await vscode.commands.executeCommand('so100.runEpisode');
    assert.equal(api.lastEpisode()?.episode, before, 'no episode ran from a broken config');
    assert.equal(api.runtimePhase(), 'idle');
    await writeFile(configFile(), '{\n  "fps": 30,\n  "chunking": { "mode": "sync" }\n}\n');
    await api.reloadConfig();
    await waitFor('diagnostics cleared', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined));
  });

  test('editing so100.json during an episode applies hot settings live (fps) and keeps the episode running', async () => {
    await useLongEpisodeConfig(', "fps": 30');
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', () => (api.runtimePhase() === 'running' ? true : undefined));
    await useLongEpisodeConfig(', "fps": 20');
    await waitFor('fps 20 in the runtime', () => (api.runtimeFps() === 20 ? true : undefined));
    assert.equal(api.runtimePhase(), 'running', 'the episode goes on');
    await vscode.commands.executeCommand('so100.stop');
    await waitFor('connected', () => (api.runtimePhase() === 'connected' ? true : undefined));
  });

  test('Swap Model by name switches the running session to π₀-FAST', async () => {
    await useLongEpisodeConfig();
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', () => (api.runtimePhase() === 'running' ? true : undefined));
    await vscode.commands.executeCommand('so100.swapModel', 'pi0_fast');
    await waitFor('pi0_fast active', () => (api.runtimeModel() === 'pi0_fast' ? true : undefined));
    await vscode.commands.executeCommand('so100.stop');
    await vscode.commands.executeCommand('so100.swapModel', 'pi0');
  });

  test('a runtime killed mid-episode is noticed (phase idle) and the next Run Episode starts a fresh one', async () => {
    await useLongEpisodeConfig();
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', () => (api.runtimePhase() === 'running' ? true : undefined));
    const pid = api.runtimePid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the host to notice', () =>
      api.runtimePhase() === 'idle' && api.runtimePid() === undefined ? true : undefined,
    );
    await rm(configFile(), { force: true });
    await api.reloadConfig();
    const e = await episodeAfter('so100.runEpisode');
    assert.equal(e.success, true, e.reason);
    assert.notEqual(api.runtimePid(), pid, 'a new runtime process');
  });

  test("Connect Arm keeps this machine's port in a setting over so100.json and connects; a missing port connects nothing", async () => {
    const robot = () => vscode.workspace.getConfiguration('so100.robot');
    try {
      await vscode.commands.executeCommand('so100.disconnectArm');
      await vscode.commands.executeCommand('so100.connectArm', 'sim');
      await waitFor('connected', () => (api.runtimePhase() === 'connected' ? true : undefined));
      assert.equal(robot().get('port'), 'sim');
      await vscode.commands.executeCommand('so100.disconnectArm');
      await waitFor('idle', () => (api.runtimePhase() === 'idle' ? true : undefined));
      await vscode.commands.executeCommand('so100.connectArm', '/dev/so100-no-such-port');
      assert.equal(api.runtimePhase(), 'idle', 'nothing connected');
      assert.match(
        (await api.labTree()).join('\n'),
        /^Arm — \/dev\/so100-no-such-port · idle$/m,
        "the side bar shows the machine's port",
      );
    } finally {
      await robot().update('port', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Create Config writes a commented starter that validates cleanly and opens it', async () => {
    await rm(configFile(), { force: true });
    await vscode.commands.executeCommand('so100.createConfig');
    const text = await readFile(configFile(), 'utf8');
    assert.match(text, /\/\/ SO-100 Policy Lab workspace config/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, configFile());
    // Resolves once the file has been read and validated, and its problems published (none expected).
    await api.reloadConfig();
    const uri = vscode.Uri.file(configFile());
    assert.deepEqual(
      vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'so100'),
      [],
    );
    // VS Code's JSON service validates too, with the schema's JSONC rules. To know the schema has been applied,
    // the unsaved buffer gets one schema mistake (a string fps); once that shows, it must be the only problem: no
    // "Trailing comma" on the starter's own trailing commas.
    const doc = vscode.window.activeTextEditor!.document;
    const at = doc.getText().indexOf('"fps": 30') + '"fps": '.length;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 2)), '"fast"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const problems = await waitFor(
        "VS Code's JSON validation of the starter",
        () => {
          const all = vscode.languages.getDiagnostics(uri).filter((d) => d.source !== 'so100');
          return all.length > 0 ? all : undefined;
        },
        30_000,
      );
      assert.deepEqual(
        problems.map((d) => d.range.start.line),
        [doc.positionAt(doc.getText().indexOf('"fps"')).line],
        `only the planted mistake: ${problems.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; ')}`,
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});
