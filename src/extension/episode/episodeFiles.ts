// The commands on an episode's record: Open Episode Folder (its episode.json, or the records root before any
// episode) and Export Timing CSV (a copy of the last episode's timing.csv where the user picks).
import * as vscode from 'vscode';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpisodeSummary } from '../../core/rpc';
import { EPISODE_FILES } from '../../io/recording/episodeRecorder';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';

/** Opens the last episode's folder (its episode.json in a preview) in the explorer; before any, the records root. */
export async function openEpisodeFolder(config: WorkspaceConfig, last: EpisodeSummary | undefined): Promise<void> {
  const dir = last?.recordDir ?? (config.folder ? path.join(config.folder, config.current.record.dir) : undefined);
  if (!dir) {
    void vscode.window.showInformationMessage('SO-100: no episode has been recorded yet.');
    return;
  }
  const uri = vscode.Uri.file(dir);
  const episodeJson = vscode.Uri.joinPath(uri, EPISODE_FILES.episode);
  try {
    await vscode.workspace.fs.stat(episodeJson);
    await vscode.window.showTextDocument(episodeJson, { preview: true });
  } catch {
    // no episode.json there (the records root): nothing to open
  }
  await vscode.commands.executeCommand('revealInExplorer', uri);
}

/** Saves a copy of the last recorded episode's timing.csv where the user picks. */
export async function exportTimingCsv(config: WorkspaceConfig, last: EpisodeSummary | undefined): Promise<void> {
  const dir = last?.recordDir;
  if (!dir) {
    void vscode.window.showInformationMessage(
      'SO-100: run an episode with recording on first; its timing.csv is what gets exported.',
    );
    return;
  }
  const source = path.join(dir, EPISODE_FILES.timing);
  const target = await vscode.window.showSaveDialog({
    title: 'SO-100: Export Timing CSV',
    filters: { CSV: ['csv'] },
    defaultUri: vscode.Uri.file(path.join(config.folder ?? dir, `timing-episode-${last?.episode ?? 0}.csv`)),
  });
  if (!target) return;
  await copyFile(source, target.fsPath);
  void vscode.window.showInformationMessage(`SO-100: timing of episode ${last?.episode} saved to ${target.fsPath}.`);
}
