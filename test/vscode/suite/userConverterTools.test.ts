// Converter debugging next to code, in the real extension host: the Converter Inspector after a step, CodeLens
// and "Run on last observation" on a user module (its exception reported at its line), compile errors of a module
// edited mid-episode as diagnostics while the episode runs on, and a breakpoint in a converter file hit under the
// `so100` debug configuration. (Named to run after runEpisode.test.ts, whose episode numbers assume a runtime
// that has not been restarted; the debug test here restarts it.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InspectionReport } from '../../../src/core/convert/inspectionReport';
import type { InspectorState } from '../../../src/contracts/inspectorMessages';
import type { So100Api } from '../../../src/extension/extension';
import { activateExtension, clearServerSettings, waitFor } from './hostHelpers';

const PASS_THROUGH = `// A converter module that changes nothing (tests).
export function toPolicy(obs: any, builtin: any) {
  return builtin.toPolicy(obs);
}

export const fromPolicy = (chunk: any, builtin: any) => builtin.fromPolicy(chunk);
`;
const THROWS = `export function toPolicy(obs: any, builtin: any) {
  const input = builtin.toPolicy(obs);
  if (input) throw new TypeError('the wrist camera is missing'); // THROWS_HERE
  return input;
}
`;
const DEBUGGED = `export function toPolicy(obs: any, builtin: any) {
  const converted = builtin.toPolicy(obs);
  const keys = Object.keys(converted.input); // BREAK_HERE
  return keys.length > 0 ? converted : converted;
}
`;

function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, marker);
  return i + 1;
}

suite('SO-100 converter tools', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const convDir = () => join(folder, 'conv');

  async function useConfig(extra: string): Promise<void> {
    await writeFile(
      configFile(),
      `{ "maxSteps": 5000, "converter": { "cameras": { "primary": "wrist", "secondary": "front" }${extra} } }\n`,
    );
    await api.reloadConfig();
  }
  const phaseIs = (p: string) => () => (api.runtimePhase() === p ? true : undefined);

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
    await mkdir(convDir(), { recursive: true });
  });
  suiteTeardown(async () => {
    await vscode.debug.stopDebugging();
    await vscode.commands.executeCommand('so100.disconnectArm');
    await rm(configFile(), { force: true });
    await rm(convDir(), { recursive: true, force: true });
    await api.reloadConfig();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('so100.stopServer');
  });

  test('the inspector, run and debug commands are registered; the so100 debugger contributes a snippet', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['so100.openConverterInspector', 'so100.runConverterOnLastObservation', 'so100.debugEpisode'])
      assert.ok(all.includes(id), id);
    const pkg = vscode.extensions.getExtension('so100-policy-lab.so100-policy-lab')!.packageJSON as {
      contributes: {
        commands: { command: string; title: string; category: string }[];
        debuggers: {
          type: string;
          configurationSnippets: { body: { type: string; request: string } }[];
          initialConfigurations: unknown[];
        }[];
      };
    };
    const inspector = pkg.contributes.commands.find((c) => c.command === 'so100.openConverterInspector');
    assert.equal(`${inspector?.category}: ${inspector?.title}`, 'SO-100: Open Converter Inspector');
    const dbg = pkg.contributes.debuggers.find((d) => d.type === 'so100');
    assert.deepEqual(dbg?.configurationSnippets[0].body, {
      type: 'so100',
      request: 'launch',
      name: 'SO-100: Debug Runtime',
    });
    assert.equal(dbg?.initialConfigurations.length, 1);
  });

  test('Open Converter Inspector after stepping shows the observation, the policy input with thumbnails, the reply and the targets', async () => {
    await useConfig('');
    let state: InspectorState | undefined;
    await waitFor(
      'an inspected exchange with a reply',
      async () => {
        await vscode.commands.executeCommand('so100.step');
        state = await vscode.commands.executeCommand<InspectorState>('so100.openConverterInspector');
        return state?.status === 'ready' && state.report.output && state.report.safety ? true : undefined;
      },
      30_000,
    );
    if (state?.status !== 'ready') throw new Error('not ready');
    const r = state.report;
    assert.deepEqual(
      r.observation?.cameras.map((c) => c.key),
      ['front', 'wrist'],
    );
    const main = r.input?.find((x) => x.key === 'observation/images.main');
    assert.deepEqual(main?.shape, [224, 224, 3]);
    assert.equal(main?.dtype, '|u1');
    assert.ok(
      main?.image && main.image.thumbnail.width === 96 && main.image.thumbnail.rgbBase64.length > 1000,
      'a thumbnail',
    );
    assert.ok(r.output?.some((x) => x.key === 'actions'));
    assert.equal(r.targets?.first.length, 6);
    assert.equal(r.safety?.measured.length, 6);
    // The tab model reaches the extension host a moment after the panel is created.
    const findTab = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'SO-100 Converter Inspector');
    const tab = await waitFor('the inspector tab', () => findTab(), 5000).catch(() => undefined);
    const labels = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    assert.ok(tab && tab.input instanceof vscode.TabInputWebview, `the panel is open; tabs: ${labels.join(', ')}`);
    await vscode.commands.executeCommand('so100.stop');
  });

  test('CodeLens over toPolicy / fromPolicy of the configured module; Run on last observation reports a throw at its line', async () => {
    const lensFile = join(convDir(), 'lens.ts');
    const throwsFile = join(convDir(), 'throws.ts');
    await writeFile(lensFile, PASS_THROUGH);
    await writeFile(throwsFile, THROWS);
    await useConfig(', "module": "conv/lens.ts"');
    const doc = await vscode.workspace.openTextDocument(lensFile);
    await vscode.window.showTextDocument(doc);
    const lenses = await waitFor(
      'code lenses',
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return l && l.length >= 4 ? l : undefined;
      },
      10_000,
    );
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command?.title}`).sort();
    assert.deepEqual(titles, [
      '1:$(debug-alt) Debug episode',
      '1:$(play) Run on last observation',
      '5:$(debug-alt) Debug episode',
      '5:$(play) Run on last observation',
    ]);
    const otherDoc = await vscode.workspace.openTextDocument(throwsFile);
    const other = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      otherDoc.uri,
    );
    assert.deepEqual(other ?? [], [], 'only the configured module gets lenses');
    // The lens' own command, on the configured module: runs cleanly.
    const run = lenses.find((l) => l.command?.title.includes('Run on last observation'))!.command!;
    const ok = await vscode.commands.executeCommand<InspectionReport>(run.command, ...(run.arguments ?? []));
    assert.equal(ok?.source, 'runConverter');
    assert.equal(ok?.converter, lensFile);
    assert.equal(ok?.error, undefined);
    assert.ok(ok?.input?.some((x) => x.key === 'observation/state'));
    const failed = await vscode.commands.executeCommand<InspectionReport>(
      'so100.runConverterOnLastObservation',
      throwsFile,
    );
    assert.equal(failed?.error?.file, throwsFile);
    assert.equal(failed?.error?.line, lineOf(THROWS, 'THROWS_HERE'));
    assert.match(failed!.error!.message, /TypeError: the wrist camera is missing/);
    assert.equal(api.runtimePhase(), 'connected', 'the runtime did not mind');
  });

  test('editing the module mid-episode: a syntax error is a diagnostic at its line while the episode runs on; the fix clears it', async () => {
    const file = join(convDir(), 'live.ts');
    await writeFile(file, PASS_THROUGH);
    await useConfig(', "module": "conv/live.ts"');
    await vscode.commands.executeCommand('so100.disconnectArm');
    await vscode.commands.executeCommand('so100.runEpisode');
    await waitFor('running', phaseIs('running'));
    const uri = vscode.Uri.file(file);
    const broken = PASS_THROUGH.replace('return builtin.toPolicy(obs);', 'return builtin.toPolicy(obs;');
    await writeFile(file, broken);
    const diags = await waitFor('a converter diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'so100 converter');
      return d.length ? d : undefined;
    });
    assert.equal(diags[0].range.start.line, lineOf(broken, 'builtin.toPolicy(obs;') - 1);
    assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(api.runtimePhase(), 'running', 'the previous converter keeps the episode going');
    await writeFile(file, PASS_THROUGH);
    await waitFor('the diagnostic cleared', () =>
      vscode.languages.getDiagnostics(uri).some((x) => x.source === 'so100 converter') ? undefined : true,
    );
    assert.equal(api.runtimePhase(), 'running');
    await vscode.commands.executeCommand('so100.stop');
    await waitFor('connected', phaseIs('connected'));
  });

  test('Debug Episode: the runtime runs under the Node debugger and a breakpoint inside toPolicy is hit', async function () {
    this.timeout(120_000);
    const file = join(convDir(), 'debugged.ts');
    await writeFile(file, DEBUGGED);
    await useConfig(', "module": "conv/debugged.ts"');
    const line = lineOf(DEBUGGED, 'BREAK_HERE');
    const bp = new vscode.SourceBreakpoint(
      new vscode.Location(vscode.Uri.file(file), new vscode.Position(line - 1, 0)),
    );
    vscode.debug.addBreakpoints([bp]);
    let stopped: { session: vscode.DebugSession; threadId: number } | undefined;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
          if (
            m.type === 'event' &&
            m.event === 'stopped' &&
            m.body?.reason === 'breakpoint' &&
            m.body.threadId !== undefined
          )
            stopped ??= { session, threadId: m.body.threadId };
        },
      }),
    });
    try {
      const debugging = vscode.commands.executeCommand('so100.debugEpisode');
      const hit = await waitFor('the breakpoint to be hit', () => stopped, 90_000);
      assert.equal(
        hit.session.configuration.type === 'pwa-node' || hit.session.configuration.type === 'node',
        true,
        hit.session.configuration.type,
      );
      const trace = (await hit.session.customRequest('stackTrace', {
        threadId: hit.threadId,
        startFrame: 0,
        levels: 1,
      })) as { stackFrames: { line: number; source?: { path?: string } }[] };
      const top = trace.stackFrames[0];
      // In code-server the debugger names sources by their remote URI (vscode-remote://host/path).
      const sourcePath = top.source?.path?.includes('://') ? vscode.Uri.parse(top.source.path).path : top.source?.path;
      assert.equal(sourcePath, file, JSON.stringify(top));
      assert.equal(top.line, line);
      vscode.debug.removeBreakpoints([bp]);
      await hit.session.customRequest('continue', { threadId: hit.threadId });
      await debugging;
      await waitFor('the debugged episode running', phaseIs('running'));
      await vscode.commands.executeCommand('so100.stop');
      await waitFor('connected', phaseIs('connected'));
    } finally {
      tracker.dispose();
      vscode.debug.removeBreakpoints([bp]);
      await vscode.debug.stopDebugging();
    }
    await waitFor('the debugged runtime gone (its session stopped)', phaseIs('idle'), 20_000);
  });
});
