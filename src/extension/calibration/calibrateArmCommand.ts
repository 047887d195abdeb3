// "SO-100: Calibrate Arm": opens the calibration panel for the robot so100.json (and this machine's port setting)
// names, after checking no episode holds the arm. The flow itself runs in the runtime process.
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import path from 'node:path';
import { untrustedFolderMessage, untrustedFolderRefusals, isSimulatedArm } from '../../core/config';
import { commandRefusal } from '../../core/rpc';
import { calibrationPath } from '../../io/calibration';
import type { CalibrationPanelState } from '../../contracts/calibrationMessages';
import { CalibrationPanel } from './calibrationPanel';
import type { RuntimeController } from '../runtime/runtimeController';
import { CONFIG_FILE_NAME, type WorkspaceConfig } from '../workspace/workspaceConfig';
import { outsideOf } from '../workspace/workspaceFolderRule';

export const CALIBRATE_ARM_COMMAND = 'so100.calibrateArm';

export function registerCalibrateArm(
  extensionUri: vscode.Uri,
  runtime: RuntimeController,
  config: WorkspaceConfig,
): vscode.Disposable {
  const open = async (): Promise<CalibrationPanelState | undefined> => {
    const refusal = commandRefusal(
      'calibrateArm',
      runtime.status()?.phase ?? 'idle',
      runtime.status()?.evaluation !== undefined,
    );
    if (refusal) {
      void vscode.window.showInformationMessage(`SO-100: ${refusal}.`);
      return undefined;
    }
    if (config.hasErrors) {
      void vscode.window.showErrorMessage(
        `SO-100: ${CONFIG_FILE_NAME} has errors (see the Problems panel); fix them first, its robot section names the arm to calibrate.`,
      );
      return undefined;
    }
    const current = config.current;
    const { robot } = current;
    const refused = untrustedFolderRefusals(
      current,
      vscode.workspace.isTrusted,
      outsideOf(config.folder),
      'calibration',
    );
    if (refused.length > 0) {
      void vscode.window
        .showWarningMessage(`SO-100: ${untrustedFolderMessage(refused)}`, 'Manage Workspace Trust')
        .then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      return undefined;
    }
    let file: string;
    try {
      file = calibrationPath({
        robotId: robot.id,
        env: process.env,
        homeDir: homedir(),
        calibrationDir:
          robot.calibrationDir === undefined ? undefined : path.resolve(config.folder ?? '.', robot.calibrationDir),
      });
    } catch (err) {
      void vscode.window.showErrorMessage(
        `SO-100: ${err instanceof Error ? err.message : String(err)} (robot.id in ${CONFIG_FILE_NAME})`,
      );
      return undefined;
    }
    const simulated = isSimulatedArm(robot);
    const panel = CalibrationPanel.show(extensionUri, runtime, current, {
      robotId: robot.id,
      arm: simulated ? 'simulated SO-100' : robot.port,
      file,
      simulated,
    });
    return panel.currentState;
  };
  return vscode.Disposable.from(vscode.commands.registerCommand(CALIBRATE_ARM_COMMAND, open), {
    dispose: () => CalibrationPanel.open?.dispose(),
  });
}
