// The active model's endpoint for a CLI command: a remote model's URL (its API key from the environment), or the
// model's own server started as a supervised child process on this machine. Shared by `so100 episode` and
// `so100 replay`, so both start, announce and check a server the same way.
import { activeModelOf, apiKeyTransportProblem, missingApiKeyMessage, type So100Config } from '../core/config';
import type { RuntimeModelEndpoint } from '../core/rpc';
import { freePort } from '../io/net/freePort';
import { modelServerSpec, needsFreePort } from '../io/process/modelServerSpec';
import { ServerSupervisor } from '../io/process/serverSupervisor';

export interface ModelEndpoint {
  /** The active model's endpoint, keyed by its name (what RuntimeSession.connect takes). */
  readonly endpoints: Record<string, RuntimeModelEndpoint>;
  /** The server this command started; stop it when done. */
  readonly supervisor?: ServerSupervisor;
}

export async function startModelEndpoint(
  config: So100Config,
  workspace: string,
  signal: AbortSignal,
): Promise<ModelEndpoint> {
  const model = activeModelOf(config);
  const name = config.activeModel;
  if (model.kind === 'remote') {
    if (!model.apiKeyEnv) return { endpoints: {} };
    // The key comes from the environment only; checked before anything starts or connects.
    const apiKey = process.env[model.apiKeyEnv];
    if (!apiKey) throw new Error(missingApiKeyMessage(name, model.apiKeyEnv, 'cli'));
    const unsafe = apiKeyTransportProblem(name, model.url);
    if (unsafe) throw new Error(unsafe);
    return { endpoints: { [name]: { url: model.url, protocol: model.protocol, apiKey } } };
  }
  const spec = modelServerSpec(name, model, {
    so100: { command: process.execPath, args: [...process.execArgv, process.argv[1]] },
    freePort: needsFreePort(model) ? await freePort('127.0.0.1') : 0,
    workspaceFolder: workspace,
  });
  const supervisor = new ServerSupervisor(spec);
  supervisor.onLog((line) => {
    if (line.stream === 'stderr' || line.advice)
      console.error(`  server: ${line.text}${line.advice ? `\n  → ${line.advice}` : ''}`);
  });
  console.log(
    model.kind === 'builtin'
      ? `Starting the built-in ${model.profile} policy server (${model.protocol}) on ${spec.host}:${spec.port}…`
      : `Starting ${spec.name} (${name}, ${model.protocol}) on ${spec.host}:${spec.port}…`,
  );
  try {
    await supervisor.start(signal);
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  console.log(`Policy server ready (pid ${supervisor.pid}).`);
  return { endpoints: { [name]: { url: `ws://${spec.host}:${spec.port}`, protocol: model.protocol } }, supervisor };
}
