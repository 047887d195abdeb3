// When a policy server's API key may be sent, and what to say when it is missing: one rule for the CLI, the
// extension and the runtime (which enforces it before any connection is made).
import { isLoopbackHost } from './policyHostNotice';

/** Why `key` must not be sent to `url`, or undefined when it may (wss://, or ws:// to loopback). */
export function apiKeyTransportProblem(model: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `model "${model}": "${url}" is not a websocket URL`;
  }
  if (parsed.protocol === 'wss:' || (parsed.protocol === 'ws:' && isLoopbackHost(parsed.hostname))) return undefined;
  return `model "${model}": refusing to send its API key unencrypted to ${parsed.host}; use a wss:// URL (TLS), or reach the server through a tunnel on this machine (ws://127.0.0.1:…)`;
}

/** The error when a model that needs a key has none; names where the key comes from in each front end. */
export function missingApiKeyMessage(model: string, apiKeyEnv: string, where: 'cli' | 'vscode'): string {
  return where === 'cli'
    ? `model "${model}" needs an API key: set the environment variable ${apiKeyEnv} (named by "apiKeyEnv" in so100.json), e.g. \`${apiKeyEnv}=… so100 episode\`; the key never goes in so100.json`
    : `model "${model}" needs an API key: run "SO-100: Set API Key for Model…" (kept in VS Code's secret storage), or set ${apiKeyEnv} in the environment VS Code starts with`;
}
