// "SO-100: Run Evaluation", "Resume Evaluation…", "Open Evaluation Report…" and "Cancel Evaluation": the campaign
// runs in the runtime process (runEvaluation); the host only asks for the settings, opens the report and follows
// it. Each command also takes its answers as arguments (tests, other commands), skipping the pickers.
import * as vscode from 'vscode';
import path from 'node:path';
import { untrustedMessage, untrustedRefusals, isSimulatedArm } from '../../core/config';
import {
  commandRefusal,
  type EvaluationAnswer,
  type EvaluationAsk,
  type EvaluationRequest,
  type EvaluationStarted,
} from '../../core/rpc';
import { EVALUATIONS_DIR } from '../../runtime/evaluationRun';
import type { RuntimeController } from '../runtime/runtimeController';
import { CONFIG_FILE_NAME, type WorkspaceConfig } from '../workspace/workspaceConfig';
import { campaignFolders } from './campaignFolders';
import { EVALUATION_VIEW_TYPE, EvaluationPanel } from './evaluationPanel';

export interface RunEvaluationArgs {
  readonly models?: readonly string[];
  readonly episodes?: number;
  readonly seed?: number;
  /** Default: so100.json's `evaluation.clock` (`auto`: virtual time whenever everything is simulated). */
  readonly clock?: EvaluationRequest['clock'];
}

export function registerEvaluationCommands(
  extensionUri: vscode.Uri,
  runtime: RuntimeController,
  config: WorkspaceConfig,
): vscode.Disposable {
  const ffmpegPath = () => vscode.workspace.getConfiguration('so100').get<string>('ffmpegPath', '').trim() || undefined;
  const evaluationsDir = () => (config.folder ? path.join(config.folder, EVALUATIONS_DIR) : undefined);

  /** Starts the campaign in the runtime and opens its live report; undefined when refused or abandoned. */
  const start = async (request: EvaluationRequest): Promise<EvaluationStarted | undefined> => {
    let started: EvaluationStarted;
    try {
      started = await runtime.call('runEvaluation', request);
    } catch (err) {
      void vscode.window.showErrorMessage(`SO-100: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    runtime.log.info(`evaluation: ${started.done} of ${started.total} episodes done, in ${started.outDir}`);
    EvaluationPanel.show(extensionUri, runtime, started.outDir, true);
    return started;
  };

  const refused = (): boolean => {
    const phase = runtime.status()?.phase ?? 'idle';
    const refusal = commandRefusal('runEvaluation', phase, runtime.status()?.evaluation !== undefined);
    // An arm left connected by Run Episode is the usual case: offer to release it (a campaign connects its own).
    if (refusal && phase === 'connected')
      void vscode.window.showInformationMessage(`SO-100: ${refusal}.`, 'Disconnect Arm').then((pick) => {
        if (pick) void vscode.commands.executeCommand('so100.disconnectArm');
      });
    else if (refusal) void vscode.window.showInformationMessage(`SO-100: ${refusal}.`);
    if (!refusal && config.hasErrors)
      void vscode.window.showErrorMessage(
        `SO-100: ${CONFIG_FILE_NAME} has errors (see the Problems panel); fix them first, the campaign runs its models.`,
      );
    return refusal !== undefined || config.hasErrors;
  };

  const runEvaluation = async (args?: RunEvaluationArgs): Promise<EvaluationStarted | undefined> => {
    if (refused()) return undefined;
    const current = config.current;
    const ev = current.evaluation;
    const names = Object.keys(current.models);
    let models = args?.models;
    if (!models) {
      const picks = await vscode.window.showQuickPick(
        names.map((n) => ({ label: n, picked: ev.models.includes(n) })),
        { canPickMany: true, title: 'Run Evaluation: the models to compare (same seeds)', ignoreFocusOut: true },
      );
      if (!picks || picks.length === 0) return undefined;
      models = picks.map((p) => p.label);
    }
    const whole = (label: string, min: number, fallback: number, given?: number) =>
      given !== undefined
        ? Promise.resolve(given)
        : vscode.window
            .showInputBox({
              title: `Run Evaluation: ${label}`,
              value: String(fallback),
              ignoreFocusOut: true,
              validateInput: (v) =>
                /^\d+$/.test(v.trim()) && Number(v) >= min ? undefined : `a whole number ≥ ${min}`,
            })
            .then((v) => (v === undefined ? undefined : Number(v.trim())));
    const episodes = await whole('episodes (seeds) per model', 1, ev.episodes, args?.episodes);
    if (episodes === undefined) return undefined;
    const seed = await whole('first seed', 0, ev.seed, args?.seed);
    if (seed === undefined) return undefined;
    const trust = models.flatMap((m) => untrustedRefusals(current, vscode.workspace.isTrusted, m));
    if (trust.length > 0) {
      void vscode.window.showWarningMessage(`SO-100: ${untrustedMessage(trust)}`);
      return undefined;
    }
    // On a real arm the scene cannot tell success: the operator readies each episode and labels its outcome.
    const labels = isSimulatedArm(current.robot) ? undefined : ('operator' as const);
    return start({ config: current, models, episodes, seed, ffmpegPath: ffmpegPath(), labels, clock: args?.clock });
  };

  const pickFolder = async (title: string, given?: string | vscode.Uri): Promise<string | undefined> => {
    if (given !== undefined) return typeof given === 'string' ? given : given.fsPath;
    const root = evaluationsDir();
    const folders = config.folder ? await campaignFolders(config.folder) : [];
    const browse = 'Browse…';
    const pick = await vscode.window.showQuickPick(
      [...folders.map((f) => ({ label: f.label, description: f.description, dir: f.dir })), { label: browse }],
      { title, ignoreFocusOut: true },
    );
    if (pick === undefined) return undefined;
    if ('dir' in pick) return pick.dir;
    const chosen = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      defaultUri: root ? vscode.Uri.file(root) : undefined,
      title,
    });
    return chosen?.[0]?.fsPath;
  };

  const resumeEvaluation = async (folder?: string | vscode.Uri): Promise<EvaluationStarted | undefined> => {
    if (refused()) return undefined;
    const dir = await pickFolder('Resume Evaluation: the campaign folder', folder);
    if (dir === undefined) return undefined;
    return start({ config: config.current, resume: dir, ffmpegPath: ffmpegPath() });
  };

  const openReport = async (folder?: string | vscode.Uri): Promise<string | undefined> => {
    const dir = await pickFolder('Open Evaluation Report: the campaign folder', folder);
    if (dir === undefined) return undefined;
    EvaluationPanel.show(extensionUri, runtime, dir);
    return path.resolve(dir);
  };

  const cancel = async (): Promise<void> => {
    if (!runtime.running) return;
    await runtime.call('cancelEvaluation', {}).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`SO-100: ${err instanceof Error ? err.message : String(err)}`);
    });
  };

  // The operator's question (operator-labelled campaigns): a non-modal notification; a dismissed one comes back
  // with "SO-100: Answer Evaluation Prompt", whose quick pick also answers from the keyboard.
  let pending: EvaluationAsk | undefined;
  /** Published for the answer command's keybinding (Ctrl+Alt+L), which applies only while a question waits. */
  const setPending = (q: EvaluationAsk | undefined) => {
    pending = q;
    void vscode.commands.executeCommand('setContext', 'so100.evaluationQuestion', q !== undefined);
  };
  const ANSWER_LABELS: Readonly<Record<EvaluationAnswer, string>> = {
    ready: 'Ready',
    success: 'Success',
    failure: 'Failure',
    redo: 'Redo',
    stop: 'Stop Campaign',
  };
  const questionText = (q: EvaluationAsk) =>
    q.ask === 'ready'
      ? `Evaluation: reset the scene for ${q.model} on seed ${q.seed}, then Ready.`
      : `Evaluation: ${q.model} on seed ${q.seed} ended (${q.episode?.reason ?? '?'}, ${q.episode?.steps ?? '?'} ticks). Label the outcome.`;
  const answerWith = async (q: EvaluationAsk, answer: EvaluationAnswer): Promise<void> => {
    if (pending !== q) return; // answered already (the notification and the command race)
    let note: string | undefined;
    if (answer === 'success' || answer === 'failure')
      note = await vscode.window.showInputBox({
        title: `${ANSWER_LABELS[answer]}: an optional note for results.csv`,
        prompt: 'Enter to save without a note',
      });
    if (pending !== q) return;
    setPending(undefined);
    await runtime.call('evaluationAnswer', { answer, note: note?.trim() || undefined }).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`SO-100: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
  const prompt = async (q: EvaluationAsk): Promise<void> => {
    const pick = await vscode.window.showInformationMessage(
      `SO-100 ${questionText(q)}`,
      ...q.answers.map((a) => ANSWER_LABELS[a]),
    );
    const answer = q.answers.find((a) => ANSWER_LABELS[a] === pick);
    if (answer) await answerWith(q, answer);
  };
  const answerPrompt = async (): Promise<void> => {
    const q = pending;
    if (!q) {
      void vscode.window.showInformationMessage('SO-100: no evaluation question is waiting for an answer.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      q.answers.map((a) => ({ label: ANSWER_LABELS[a], answer: a })),
      { title: questionText(q), ignoreFocusOut: true },
    );
    if (pick) await answerWith(q, pick.answer);
  };

  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW_TYPE, {
      deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
        EvaluationPanel.revive(panel, extensionUri, runtime, state);
        return Promise.resolve();
      },
    }),
    vscode.commands.registerCommand('so100.answerEvaluation', answerPrompt),
    runtime.onEvent('evaluationAsk', (q) => {
      setPending(q);
      void prompt(q);
    }),
    vscode.commands.registerCommand('so100.runEvaluation', runEvaluation),
    vscode.commands.registerCommand('so100.resumeEvaluation', resumeEvaluation),
    vscode.commands.registerCommand('so100.openEvaluationReport', openReport),
    vscode.commands.registerCommand('so100.cancelEvaluation', cancel),
    runtime.onEvent('evaluationEnded', (e) => {
      setPending(undefined);
      runtime.log.info(`evaluation: ${e.message}`);
      const show =
        e.outcome === 'completed'
          ? vscode.window.showInformationMessage
          : e.outcome === 'cancelled'
            ? vscode.window.showWarningMessage
            : vscode.window.showErrorMessage;
      void show(`SO-100: ${e.message}`, 'Open Report').then((pick) => {
        if (pick) EvaluationPanel.show(extensionUri, runtime, e.outDir);
      });
    }),
  );
}
