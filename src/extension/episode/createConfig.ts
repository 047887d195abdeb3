// Create Config: a starter so100.json in the workspace folder, opened for editing.
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, type WorkspaceConfig } from '../workspace/workspaceConfig';

export async function createConfig(config: WorkspaceConfig): Promise<void> {
  const file = await config.createStarter();
  if (!file) {
    void vscode.window.showWarningMessage(
      `SO-100: open a folder first; ${CONFIG_FILE_NAME} lives in the workspace folder.`,
    );
    return;
  }
  await vscode.window.showTextDocument(file);
}
