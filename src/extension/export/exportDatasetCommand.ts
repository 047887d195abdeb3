// SO-100: Export as LeRobot Dataset… — from a side-bar episode (or the selected ones), or folders picked in a
// dialog (an evaluation folder too). The export runs in a worker thread (dist/exportWorker.js), never on the
// extension host's thread, behind a cancellable progress notification. A third argument names the dataset folder
// (for scripts and tests: no save dialog); the command resolves with the export's summary, or undefined.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ExportWorkerMessage, ExportWorkerRequest } from '../../io/export/exportWorker';
import type { DatasetExportSummary, EpisodeRef } from '../../io/export/lerobotExport';
import { evaluationRefs, isEvaluationFolder } from '../../io/export/evaluationFolder';

interface EpisodeNode {
  readonly dir: string;
}

/** Exports episode folders or an evaluation folder (arguments: a node `{ dir }`, a selection, the output folder). */
export const EXPORT_DATASET_COMMAND = 'so100.exportLeRobotDataset';

export function registerExportDataset(extensionPath: string): vscode.Disposable {
  return vscode.commands.registerCommand(
    EXPORT_DATASET_COMMAND,
    async (
      node?: EpisodeNode,
      selected?: readonly EpisodeNode[],
      out?: string,
    ): Promise<DatasetExportSummary | undefined> => {
      let dirs = (selected && selected.length > 0 ? selected : node ? [node] : []).map((n) => n.dir);
      if (dirs.length === 0) {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: true,
          openLabel: 'Export',
          title: 'Episode folders or an evaluation folder to export',
        });
        if (!picked) return undefined;
        dirs = picked.map((u) => u.fsPath);
      }
      const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(dirs[0]);
      const target =
        typeof out === 'string'
          ? vscode.Uri.file(out)
          : await vscode.window.showSaveDialog({
              defaultUri: vscode.Uri.file(path.join(base, '.so100', 'datasets', 'so100_dataset')),
              saveLabel: 'Export Here',
              title: 'Dataset folder (must not exist yet)',
            });
      if (!target) return undefined;
      const refs: EpisodeRef[] = [];
      for (const d of dirs) refs.push(...((await isEvaluationFolder(d)) ? await evaluationRefs(d) : [{ dir: d }]));
      const ffmpegPath = vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || undefined;
      const request: ExportWorkerRequest = { refs, options: { out: target.fsPath, ffmpegPath } };
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Exporting LeRobot dataset', cancellable: true },
        (progress, token) => runWorker(extensionPath, request, progress, token),
      );
    },
  );
}

function runWorker(
  extensionPath: string,
  request: ExportWorkerRequest,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<DatasetExportSummary | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(path.join(extensionPath, 'dist', 'exportWorker.js'), { workerData: request });
    const cancel = token.onCancellationRequested(() => worker.postMessage('cancel'));
    let last = 0;
    const finish = (summary?: DatasetExportSummary) => {
      cancel.dispose();
      void worker.terminate();
      resolve(summary);
    };
    worker.on('message', (m: ExportWorkerMessage) => {
      if (m.type === 'progress') {
        const share = (100 * m.done) / Math.max(1, m.total);
        progress.report({ message: `episode ${Math.min(m.done + 1, m.total)} of ${m.total}`, increment: share - last });
        last = share;
      } else if (m.type === 'done') {
        const s = m.summary;
        void vscode.window
          .showInformationMessage(
            `Exported ${s.episodes} episodes (${s.frames} frames, ${(s.bytes / 1e6).toFixed(1)} MB) to ${s.out}` +
              (s.noPolicyAction ? `; no action.policy feature: ${s.noPolicyAction}` : '') +
              (s.notes.length
                ? `; ${s.notes.length === 1 ? s.notes[0] : `${s.notes.length} notes, the first: ${s.notes[0]}`}`
                : ''),
            'Reveal Folder',
          )
          .then((pick) => {
            if (pick) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(s.out));
          });
        finish(s);
      } else {
        void vscode.window.showErrorMessage(`LeRobot export failed: ${m.message}`);
        finish();
      }
    });
    worker.on('error', (err) => {
      void vscode.window.showErrorMessage(`LeRobot export failed: ${err.message}`);
      finish();
    });
  });
}
