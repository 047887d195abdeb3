// The command line that runs a configured model's policy server: the built-in `so100 serve`, or the user's own
// command (openpi's serve_policy.py, an awesome-lerobot server) with ${port}, ${host} and ${workspaceFolder} filled in.
// The built-in server gets `--parent-pid` of this process (the one whose ServerSupervisor starts it), so that it stops
// on its own when this process is killed (its own process group keeps it out of reach of the kill). A user's command
// cannot be given a flag it does not know: such a server outlives a SIGKILLed parent (the extension's PID registry
// stops it at the next activation; the CLI has no such record).
import { isAbsolute, join } from 'node:path';
import type { BuiltinModelConfig, CommandModelConfig } from '../../core/config';
import type { ServerSpec } from './serverSpec';

/** The port openpi's scripts/serve_policy.py listens on unless told otherwise. */
export const OPENPI_DEFAULT_PORT = 8000;

export interface ModelSpecContext {
  /** How to run the `so100` CLI: the bundled dist/cli.js (or the TypeScript entry under tsx) on this Node. */
  readonly so100: {
    readonly command: string;
    readonly args: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
  };
  /** The port to use when the model's port is 0 and one is needed (already picked free by the caller). */
  readonly freePort: number;
  readonly workspaceFolder?: string;
}

/** Whether port 0 needs a free port picked: the built-in server, or a command whose line mentions `${port}`. */
export function needsFreePort(model: BuiltinModelConfig | CommandModelConfig): boolean {
  if (model.port !== 0) return false;
  return model.kind === 'builtin' || [model.command, ...model.args].some((a) => a.includes('${port}'));
}

export function modelServerSpec(
  name: string,
  model: BuiltinModelConfig | CommandModelConfig,
  ctx: ModelSpecContext,
): ServerSpec {
  if (model.kind === 'builtin') {
    const host = '127.0.0.1';
    const port = model.port || ctx.freePort;
    return {
      name: `built-in ${name}`,
      command: ctx.so100.command,
      args: [
        ...ctx.so100.args,
        'serve',
        '--host',
        host,
        '--port',
        String(port),
        '--profile',
        model.profile,
        '--protocol',
        model.protocol,
        ...(model.latencyMs === undefined ? [] : ['--latency-ms', String(model.latencyMs)]),
        ...(model.policy === undefined ? [] : ['--policy', model.policy]),
        '--parent-pid',
        String(process.pid),
      ],
      ...(ctx.so100.env ? { env: ctx.so100.env } : {}),
      host,
      port,
      protocol: model.protocol,
      startTimeoutMs: 20_000,
    };
  }
  const port = model.port || (needsFreePort(model) ? ctx.freePort : OPENPI_DEFAULT_PORT);
  const expand = (v: string): string =>
    v
      .replaceAll('${port}', String(port))
      .replaceAll('${host}', model.host)
      .replaceAll('${workspaceFolder}', ctx.workspaceFolder ?? '');
  let cwd = model.cwd ? expand(model.cwd) : ctx.workspaceFolder;
  if (cwd && !isAbsolute(cwd) && ctx.workspaceFolder) cwd = join(ctx.workspaceFolder, cwd);
  return {
    name: model.command.split(/[\\/]/).pop() ?? model.command,
    command: expand(model.command),
    args: model.args.map(expand),
    ...(cwd ? { cwd } : {}),
    env: Object.fromEntries(Object.entries(model.env).map(([k, v]) => [k, expand(v)])),
    host: model.host,
    port,
    protocol: model.protocol,
    startTimeoutMs: model.startTimeoutMs,
  };
}
