// "SO-100: Open Episode…": an episode record in the Episode Viewer. The argument may be an episode folder or its
// episode.json (a path or a Uri, from the explorer's context menu) or a side bar episode item ({ dir }); without
// one, a folder is picked, starting at the record folder.
import * as vscode from 'vscode';
import path from 'node:path';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';
import { argumentPath } from '../common/episodeArgument';
import { EPISODE_VIEWER_VIEW_TYPE, EpisodeViewerPanel } from './episodeViewerPanel';

export const OPEN_EPISODE_COMMAND = 'so100.openEpisode';

export function registerOpenEpisode(extensionUri: vscode.Uri, config: WorkspaceConfig): vscode.Disposable {
  const ffmpeg = () => vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || 'ffmpeg';
  return vscode.Disposable.from(
    // After a window reload VS Code restores the panel; the page's state names the episodes to open again.
    vscode.window.registerWebviewPanelSerializer(EPISODE_VIEWER_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        await EpisodeViewerPanel.revive(panel, extensionUri, ffmpeg(), state);
      },
    }),
    registerOpenEpisodeCommand(extensionUri, config),
  );
}

function registerOpenEpisodeCommand(extensionUri: vscode.Uri, config: WorkspaceConfig): vscode.Disposable {
  return vscode.commands.registerCommand(OPEN_EPISODE_COMMAND, async (arg?: unknown) => {
    try {
      let target = argumentPath(arg);
      if (target === undefined) {
        const root = path.resolve(config.folder ?? '.', config.current.record.dir);
        const picked = await vscode.window.showOpenDialog({
          title: 'SO-100: Open Episode',
          openLabel: 'Open Episode',
          canSelectFolders: true,
          canSelectFiles: true,
          canSelectMany: false,
          defaultUri: vscode.Uri.file(root),
        });
        target = picked?.[0]?.fsPath;
        if (target === undefined) return undefined;
      }
      const ffmpegPath = vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || 'ffmpeg';
      const panel = await EpisodeViewerPanel.show(extensionUri, target, ffmpegPath);
      return panel.episode('a');
    } catch (err) {
      void vscode.window.showErrorMessage(`SO-100: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  });
}
