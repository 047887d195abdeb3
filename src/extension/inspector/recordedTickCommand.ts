// "SO-100: Open Recorded Tick…": pick an episode under the record folder, then a tick; the runtime rebuilds that
// tick's observation from the record and runs the current converter on it; the Converter Inspector shows the result.
import * as vscode from 'vscode';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InspectionReport } from '../../core/convert/inspectionReport';
import { EPISODE_FILES } from '../../io/recording/episodeRecorder';
import { InspectorPanel } from './inspectorPanel';
import type { RuntimeController } from '../runtime/runtimeController';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';

export const OPEN_RECORDED_TICK_COMMAND = 'so100.openRecordedTick';

interface EpisodePick extends vscode.QuickPickItem {
  readonly dir: string;
  readonly steps?: number;
}

/** `dir` and `tick` (from a test or a keybinding) skip the two picks. */
export function registerOpenRecordedTick(
  extensionUri: vscode.Uri,
  runtime: RuntimeController,
  config: WorkspaceConfig,
): vscode.Disposable {
  const open = async (dirArg?: unknown, tickArg?: unknown): Promise<InspectionReport | undefined> => {
    const current = config.current;
    if (current.converter.module && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'SO-100: this workspace is not trusted, so converter modules are not run. Trust the workspace first.',
      );
      return undefined;
    }
    const root = path.resolve(config.folder ?? '.', current.record.dir);
    let dir = typeof dirArg === 'string' ? dirArg : undefined;
    let steps: number | undefined;
    if (dir === undefined) {
      const episodes = await listEpisodes(root);
      if (episodes.length === 0) {
        void vscode.window.showInformationMessage(
          `SO-100: no recorded episode under ${root}; run an episode with recording on first.`,
        );
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(episodes, {
        title: 'SO-100: Open Recorded Tick (1/2)',
        placeHolder: 'the episode',
      });
      if (!pick) return undefined;
      dir = pick.dir;
      steps = pick.steps;
    }
    let tick = typeof tickArg === 'number' ? tickArg : undefined;
    if (tick === undefined) {
      const last = steps !== undefined && steps > 0 ? steps - 1 : undefined;
      const text = await vscode.window.showInputBox({
        title: 'SO-100: Open Recorded Tick (2/2)',
        prompt: last === undefined ? 'The tick (0 = the first)' : `The tick, 0–${last}`,
        value: '0',
        validateInput: (v) =>
          /^\d+$/.test(v.trim()) && (last === undefined || Number(v) <= last)
            ? undefined
            : `a whole number${last === undefined ? '' : ` from 0 to ${last}`}`,
      });
      if (text === undefined) return undefined;
      tick = Number(text.trim());
    }
    const ffmpegPath = vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || undefined;
    const report = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `SO-100: reading tick ${tick} of ${path.basename(dir)}`,
      },
      () => runtime.call('inspectRecordedTick', { dir: dir!, tick: tick!, config: current, ffmpegPath }),
    );
    InspectorPanel.show(extensionUri, runtime, report);
    return report;
  };
  return vscode.commands.registerCommand(OPEN_RECORDED_TICK_COMMAND, async (dir?: unknown, tick?: unknown) => {
    try {
      return await open(dir, tick);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      runtime.log.error(`${OPEN_RECORDED_TICK_COMMAND}: ${message}`);
      void vscode.window.showErrorMessage(`SO-100: ${message}`);
      return undefined;
    }
  });
}

/** Episode folders under the record root, newest first, with their outcome. */
async function listEpisodes(root: string): Promise<EpisodePick[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const picks: EpisodePick[] = [];
  for (const name of names.sort().reverse().slice(0, 100)) {
    const dir = path.join(root, name);
    const text = await readFile(path.join(dir, EPISODE_FILES.episode), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    type Result = { success?: boolean; reason?: string; steps?: number } | null;
    let result: Result;
    try {
      result = (JSON.parse(text) as { result?: Result }).result ?? null;
    } catch {
      continue;
    }
    picks.push({
      label: name,
      dir,
      steps: result?.steps,
      description: result ? `${result.success ? 'success' : 'failure'} · ${result.steps} ticks` : 'not finished',
      detail: result?.reason,
    });
  }
  return picks;
}
