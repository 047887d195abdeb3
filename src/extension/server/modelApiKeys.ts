// API keys of remote policy servers in VS Code: kept in the editor's secret storage (never in so100.json), one per
// model name; the environment variable a model names (`apiKeyEnv`) is the fallback, as in the CLI.
import * as vscode from 'vscode';
import { apiKeyTransportProblem, missingApiKeyMessage, type So100Config } from '../../core/config';
import type { RuntimeModelEndpoint } from '../../core/rpc';

export const SET_API_KEY_COMMAND = 'so100.setApiKey';

const secretName = (model: string) => `so100.apiKey.${model}`;

/**
 * The endpoint of a remote model with its key, or undefined after one error notification saying what is missing
 * (nothing connects then; the same line goes to `log`). Models without `apiKeyEnv` pass through unchanged.
 */
export async function withApiKey(
  secrets: vscode.SecretStorage,
  model: string,
  endpoint: RuntimeModelEndpoint,
  apiKeyEnv: string | undefined,
  log: (line: string) => void,
): Promise<RuntimeModelEndpoint | undefined> {
  if (!apiKeyEnv) return endpoint;
  const apiKey = (await secrets.get(secretName(model))) || process.env[apiKeyEnv];
  const problem = apiKey
    ? apiKeyTransportProblem(model, endpoint.url)
    : missingApiKeyMessage(model, apiKeyEnv, 'vscode');
  if (problem) {
    log(`SO-100: ${problem}`);
    void vscode.window.showErrorMessage(`SO-100: ${problem}`, 'Set API Key…').then((pick) => {
      if (pick) void vscode.commands.executeCommand(SET_API_KEY_COMMAND, model);
    });
    return undefined;
  }
  return { ...endpoint, apiKey };
}

/**
 * "SO-100: Set API Key for Model…": picks a remote model of so100.json and stores (or, left empty, deletes) its key.
 * Scriptable: `executeCommand(SET_API_KEY_COMMAND, model, key)` skips both prompts ("" removes the key); it
 * resolves true once the key is stored or removed.
 */
export function registerSetApiKeyCommand(
  secrets: vscode.SecretStorage,
  current: () => So100Config | undefined,
  log: (line: string) => void,
): vscode.Disposable {
  return vscode.commands.registerCommand(SET_API_KEY_COMMAND, async (preset?: unknown, presetKey?: unknown) => {
    const remote = Object.entries(current()?.models ?? {}).filter(([, m]) => m.kind === 'remote');
    if (remote.length === 0) {
      void vscode.window.showInformationMessage(
        'SO-100: so100.json has no remote model. Add one ({ "kind": "remote", "url": "wss://…", "apiKeyEnv": "…" }) first.',
      );
      return false;
    }
    if (typeof preset === 'string' && !remote.some(([name]) => name === preset)) {
      void vscode.window.showErrorMessage(
        `SO-100: so100.json has no remote model "${preset}"; remote models: ${remote.map(([name]) => name).join(', ')}.`,
      );
      return false;
    }
    const model =
      typeof preset === 'string'
        ? preset
        : (
            await vscode.window.showQuickPick(
              remote.map(([name, m]) => ({ label: name, description: m.kind === 'remote' ? m.url : '' })),
              { placeHolder: 'The model whose API key to set' },
            )
          )?.label;
    if (!model) return false;
    const key =
      typeof presetKey === 'string'
        ? presetKey
        : await vscode.window.showInputBox({
            prompt: `API key for "${model}" (kept in VS Code's secret storage, sent as "Authorization: Api-Key …"; empty removes it)`,
            password: true,
            ignoreFocusOut: true,
          });
    if (key === undefined) return false;
    if (key.trim() === '') {
      await secrets.delete(secretName(model));
      log(`the API key of "${model}" was removed`);
      void vscode.window.showInformationMessage(`SO-100: the API key of "${model}" was removed.`);
    } else {
      await secrets.store(secretName(model), key.trim());
      log(`the API key of "${model}" is stored`);
      void vscode.window.showInformationMessage(
        `SO-100: the API key of "${model}" is stored; it is used from the next connection.`,
      );
    }
    return true;
  });
}
