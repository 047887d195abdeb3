// "SO-100: Calibrate Arm" in the real extension host: the command opens the panel for the robot so100.json names,
// the runtime process runs LeRobot's flow on the simulated arm while the panel's buttons answer (pressed here
// through the panel's own message handler, as the page would), and the calibration file lands under the robot's
// calibration_dir. Closing the panel mid-flow cancels it and saves nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCalibration } from '../../../src/core/so100';
import type { CalibrationPanel } from '../../../src/extension/calibration/calibrationPanel';
import type { So100Api } from '../../../src/extension/extension';
import type { CalibrationPanelState } from '../../../src/contracts/calibrationMessages';
import { EXTENSION_ID, activateExtension, clearServerSettings, waitFor } from './hostHelpers';

suite('SO-100 Calibrate Arm', () => {
  let api: So100Api;
  let folder: string;
  const configFile = () => join(folder, 'so100.json');
  const calibrationDir = () => join(folder, '.so100', 'calibration');

  async function useRobot(id: string): Promise<void> {
    await writeFile(configFile(), JSON.stringify({ robot: { id, calibrationDir: '.so100/calibration' } }));
    await api.reloadConfig();
  }

  function stateUntil(
    panel: CalibrationPanel,
    what: string,
    ok: (s: CalibrationPanelState) => boolean,
    timeoutMs = 30_000,
  ): Promise<CalibrationPanelState> {
    return waitFor(what, () => (ok(panel.currentState) ? panel.currentState : undefined), timeoutMs).catch(
      (err: Error) => {
        throw new Error(`${err.message}; the panel shows ${JSON.stringify(panel.currentState).slice(0, 600)}`);
      },
    );
  }

  suiteSetup(async () => {
    api = await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await clearServerSettings();
  });
  suiteTeardown(async () => {
    api.panels.CalibrationPanel.open?.dispose();
    await waitFor(
      'the runtime to leave calibrating',
      () => (api.runtimePhase() !== 'calibrating' ? true : undefined),
      15_000,
    ).catch(() => undefined);
    await rm(configFile(), { force: true });
    await rm(calibrationDir(), { recursive: true, force: true });
    await api.reloadConfig();
  });

  test('Calibrate Arm is contributed in the SO-100 category and disabled while an episode runs', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; title: string; category: string; enablement?: string }[] };
    };
    const c = pkg.contributes.commands.find((x) => x.command === 'so100.calibrateArm');
    assert.equal(`${c?.category}: ${c?.title}`, 'SO-100: Calibrate Arm');
    for (const phase of ['running', 'paused', 'connecting', 'resetting'])
      assert.match(c?.enablement ?? '', new RegExp(`so100\\.runtimePhase != ${phase}\\b`));
    // And an episode cannot start while a calibration holds the arm.
    const run = pkg.contributes.commands.find((x) => x.command === 'so100.runEpisode');
    assert.match(run?.enablement ?? '', /so100\.runtimePhase != calibrating/);
  });

  test('the whole calibration on the simulator from the panel: Start, Continue, Sweep, Finish → the file under calibration_dir', async () => {
    await useRobot('host_arm');
    const intro = await vscode.commands.executeCommand<CalibrationPanelState>('so100.calibrateArm');
    const file = join(calibrationDir(), 'host_arm.json');
    assert.deepEqual(intro, {
      stage: 'intro',
      sweeping: false,
      target: { robotId: 'host_arm', arm: 'simulated SO-100', file, simulated: true },
    });
    const panel = api.panels.CalibrationPanel.open;
    assert.ok(panel, 'the panel is open');
    assert.equal(existsSync(file), false);

    await panel.handle({ type: 'start' });
    const middle = await stateUntil(panel, 'the middle-pose step', (s) => s.step?.phase === 'awaitMiddle');
    assert.deepEqual(middle.step?.answers, ['continue', 'cancel']);
    assert.equal(api.runtimePhase(), 'calibrating');
    // A stale answer is refused with the reason, and the flow goes on.
    await panel.handle({ type: 'answer', answer: 'finish' });
    assert.match(panel.currentState.message ?? '', /cannot take "finish" now/);

    await panel.handle({ type: 'answer', answer: 'continue' });
    await stateUntil(panel, 'range recording', (s) => s.step?.phase === 'recordRanges');
    await panel.handle({ type: 'sweep' });
    const swept = await stateUntil(
      panel,
      'the swept ranges',
      (s) => (s.sample?.joints.find((j) => j.motor === 'elbow_flex')?.spanDegrees ?? 0) > 150,
    );
    assert.equal(swept.sweeping, false);
    await panel.handle({ type: 'answer', answer: 'finish' });
    const ended = await stateUntil(panel, 'the end', (s) => s.stage === 'ended');
    assert.equal(ended.outcome, 'saved', ended.message);
    assert.match(ended.message ?? '', /saved to .*host_arm\.json/);
    const cal = parseCalibration(await readFile(file, 'utf8'), file);
    assert.deepEqual([cal.elbow_flex.range_min, cal.elbow_flex.range_max], [2048 - 1101 - 1, 2048 + 1101 - 1]);
    assert.deepEqual([cal.wrist_roll.range_min, cal.wrist_roll.range_max], [0, 4095]);
    await waitFor('the runtime idle again', () => (api.runtimePhase() === 'idle' ? true : undefined), 10_000);
  });

  test('closing the panel mid-calibration cancels it: nothing saved, the runtime idle again', async () => {
    await useRobot('closed_arm');
    const intro = await vscode.commands.executeCommand<CalibrationPanelState>('so100.calibrateArm');
    assert.equal(intro?.stage, 'intro', 'the panel left at "ended" starts over for the current robot');
    assert.equal(intro?.target.robotId, 'closed_arm');
    const panel = api.panels.CalibrationPanel.open!;
    await panel.handle({ type: 'start' });
    await stateUntil(panel, 'the middle-pose step', (s) => s.step?.phase === 'awaitMiddle');
    panel.dispose();
    await waitFor('the runtime idle again', () => (api.runtimePhase() === 'idle' ? true : undefined), 10_000);
    assert.equal(existsSync(join(calibrationDir(), 'closed_arm.json')), false);
  });
});
