// "SO-100: Replay Episode Through Model…": a recorded episode's observations through a model, offline, in the
// runtime (no arm); a cancellable progress notification; at the end, the deviation per joint and the file.
import * as vscode from 'vscode';
import path from 'node:path';
import type { ReplayDone } from '../../core/rpc';
import { jointUnits } from '../../core/config';
import { SO100_MOTORS } from '../../core/so100';
import { argumentPath } from '../common/episodeArgument';
import type { RuntimeController } from '../runtime/runtimeController';
import type { ServerController } from '../server/serverController';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';

export const REPLAY_EPISODE_COMMAND = 'so100.replayEpisode';

/** `episode` (folder, episode.json, side bar item), `model` and `every` skip the picks (tests, keybindings). */
export function registerReplayEpisode(
  runtime: RuntimeController,
  servers: ServerController,
  config: WorkspaceConfig,
): vscode.Disposable {
  const replay = async (
    episodeArg?: unknown,
    modelArg?: unknown,
    everyArg?: unknown,
  ): Promise<ReplayDone | undefined> => {
    const current = config.current;
    if (current.converter.module && !vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'SO-100: this workspace is not trusted, so converter modules are not run. Trust the workspace first.',
      );
      return undefined;
    }
    let target = argumentPath(episodeArg);
    if (target === undefined) {
      const picked = await vscode.window.showOpenDialog({
        title: 'SO-100: Replay Episode Through Model (1/2)',
        openLabel: 'Replay This Episode',
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(path.resolve(config.folder ?? '.', current.record.dir)),
      });
      target = picked?.[0]?.fsPath;
      if (target === undefined) return undefined;
    }
    const dir = path.basename(target) === 'episode.json' ? path.dirname(target) : target;
    let model = typeof modelArg === 'string' ? modelArg : undefined;
    if (model === undefined) {
      const pick = await vscode.window.showQuickPick(
        Object.keys(current.models).map((name) => ({
          label: name,
          description: name === current.activeModel ? 'active model' : undefined,
        })),
        {
          title: 'SO-100: Replay Episode Through Model (2/2)',
          placeHolder: `the model to replay ${path.basename(dir)} through`,
        },
      );
      if (!pick) return undefined;
      model = pick.label;
    }
    if (!Object.hasOwn(current.models, model)) {
      void vscode.window.showErrorMessage(
        `SO-100: no model "${model}" in so100.json; configured: ${Object.keys(current.models).join(', ')}.`,
      );
      return undefined;
    }
    // One model server runs at a time: another model's would replace the one the connected arm's session uses.
    const phase = runtime.status()?.phase ?? 'idle';
    if (!['idle', 'estopped'].includes(phase) && model !== current.activeModel) {
      void vscode.window.showErrorMessage(
        `SO-100: the arm is connected to ${current.activeModel}'s server; replay through ${current.activeModel}, or disconnect the arm first (SO-100: Disconnect Arm) — ${model}'s server would replace it.`,
      );
      return undefined;
    }
    const server = await servers.ensureReady(model);
    if (!server) return undefined; // the user has been told why
    const every = typeof everyArg === 'number' ? everyArg : undefined;
    const ffmpegPath = vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || undefined;
    const done = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `SO-100: replaying ${path.basename(dir)} through ${model}`,
        cancellable: true,
      },
      async (progress, token) => {
        let reported = 0;
        const events = runtime.onEvent('replayProgress', (p) => {
          if (p.dir !== dir || p.model !== model) return;
          progress.report({
            message: `chunk ${p.done} of ${p.total}`,
            increment: (100 * (p.done - reported)) / p.total,
          });
          reported = p.done;
        });
        const cancel = token.onCancellationRequested(
          () => void runtime.call('cancelReplay', {}).catch(() => undefined),
        );
        try {
          return await runtime.call('replayEpisode', {
            dir,
            config: current,
            model: model!,
            endpoint: server.endpoint,
            every,
            ffmpegPath,
          });
        } finally {
          events.dispose();
          cancel.dispose();
        }
      },
    );
    for (const note of done.notes) runtime.log.info(`replay of ${path.basename(dir)}: ${note}`);
    void showOutcome(done, model, dir, jointUnits(current.robot.normMode));
    return done;
  };
  return vscode.commands.registerCommand(
    REPLAY_EPISODE_COMMAND,
    async (episode?: unknown, model?: unknown, every?: unknown) => {
      try {
        return await replay(episode, model, every);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        runtime.log.error(`${REPLAY_EPISODE_COMMAND}: ${message}`);
        void vscode.window.showErrorMessage(`SO-100: ${message}`);
        return undefined;
      }
    },
  );
}

/** The worst joint by mean deviation, in its units, and a way to the file. */
async function showOutcome(done: ReplayDone, model: string, dir: string, units: readonly string[]): Promise<void> {
  let worst: { joint: string; unit: string; mean: number; max: number } | undefined;
  SO100_MOTORS.forEach((joint, j) => {
    const d = done.perJoint[joint];
    if (d && (!worst || d.mean > worst.mean)) worst = { joint, unit: units[j], ...d };
  });
  const summary = worst
    ? `largest mean deviation from what the arm was sent: ${worst.joint} ${worst.mean.toFixed(2)} ${worst.unit} (max ${worst.max.toFixed(2)} ${worst.unit})`
    : 'no row could be compared with what the arm was sent';
  const choice = await vscode.window.showInformationMessage(
    `SO-100: replayed ${path.basename(dir)} through ${model}: ${done.chunks} chunks; ${summary}.`,
    'Open Replay File',
    'Open Episode',
  );
  if (choice === 'Open Replay File') await vscode.window.showTextDocument(vscode.Uri.file(done.file));
  if (choice === 'Open Episode') await vscode.commands.executeCommand('so100.openEpisode', dir);
}
