// The `so100.server.*` settings, checked, and turned into the command line the supervisor runs.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { BuiltinModelConfig, CommandModelConfig } from '../../core/config';
import { DEFAULT_POLICY_PROTOCOL, isPolicyProtocol, POLICY_PROTOCOL_NAMES } from '../../core/protocols';
import { modelServerSpec, needsFreePort as needsModelPort } from '../../io/process/modelServerSpec';
import type { PolicyProtocol, ServerSpec } from '../../io/process/serverSpec';

export type ServerKind = 'builtin' | 'command';
export type BuiltinProfile = 'pi0' | 'pi0_fast';

export interface ServerSettings {
  readonly kind: ServerKind;
  readonly builtinProfile: BuiltinProfile;
  /** 0 = pick a free port at start. */
  readonly port: number;
  readonly host: string;
  readonly protocol: PolicyProtocol;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** A setting holds a value the extension cannot use; the message names the key and what it accepts. */
export class ServerSettingsError extends Error {
  override readonly name = 'ServerSettingsError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads and checks `so100.server.*` (for `scope`, or the first workspace folder). */
export function readServerSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const c = vscode.workspace.getConfiguration('so100.server', scope);
  const kind = c.get<string>('kind', 'builtin');
  if (kind !== 'builtin' && kind !== 'command') {
    throw new ServerSettingsError('so100.server.kind', `so100.server.kind is "${kind}"; use "builtin" or "command".`);
  }
  const builtinProfile = c.get<string>('builtinProfile', 'pi0');
  if (builtinProfile !== 'pi0' && builtinProfile !== 'pi0_fast') {
    throw new ServerSettingsError(
      'so100.server.builtinProfile',
      `so100.server.builtinProfile is "${builtinProfile}"; use "pi0" or "pi0_fast".`,
    );
  }
  const port = c.get<number>('port', 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerSettingsError(
      'so100.server.port',
      `so100.server.port is ${port}; use 1–65535, or 0 to pick a free port.`,
    );
  }
  const protocol = c.get<string>('protocol', DEFAULT_POLICY_PROTOCOL);
  if (!isPolicyProtocol(protocol)) {
    throw new ServerSettingsError(
      'so100.server.protocol',
      `so100.server.protocol is "${protocol}"; use ${POLICY_PROTOCOL_NAMES.map((p) => `"${p}"`).join(' or ')}.`,
    );
  }
  const args = c.get<unknown>('args', []);
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new ServerSettingsError(
      'so100.server.args',
      'so100.server.args must be a list of strings, one per argument.',
    );
  }
  const env = c.get<unknown>('env', {});
  if (typeof env !== 'object' || env === null || !Object.values(env).every((v) => typeof v === 'string')) {
    throw new ServerSettingsError('so100.server.env', 'so100.server.env must map variable names to string values.');
  }
  return {
    kind,
    builtinProfile,
    port,
    host: c.get<string>('host', '127.0.0.1') || '127.0.0.1',
    protocol,
    command: c.get<string>('command', '').trim(),
    args: args as string[],
    cwd: c.get<string>('cwd', '').trim(),
    env: env as Record<string, string>,
  };
}

export interface SpecContext {
  /** Where the extension is installed (holds dist/cli.js). */
  readonly extensionPath: string;
  /** The port to use when the setting is 0 (already picked free by the caller). */
  readonly freePort: number;
  readonly workspaceFolder?: string;
}

/** The settings as a model of so100.json, so both run through one spec builder. */
function asModel(s: ServerSettings): BuiltinModelConfig | CommandModelConfig {
  return s.kind === 'builtin'
    ? { kind: 'builtin', profile: s.builtinProfile, protocol: s.protocol, port: s.port }
    : {
        kind: 'command',
        command: s.command,
        args: s.args,
        cwd: s.cwd || undefined,
        env: s.env,
        host: s.host,
        port: s.port,
        protocol: s.protocol,
        startTimeoutMs: 120_000,
      };
}

/** Whether `port: 0` needs a free port picked (the built-in server, or a command that takes `${port}`). */
export function needsFreePort(s: ServerSettings): boolean {
  return needsModelPort(asModel(s));
}

/** The command line for these settings; the built-in server runs on this very Node (the extension host's). */
export function serverSpecFor(s: ServerSettings, ctx: SpecContext): ServerSpec {
  if (s.kind === 'command' && s.command === '') {
    throw new ServerSettingsError(
      'so100.server.command',
      'so100.server.kind is "command" but so100.server.command is empty: set it to the server program ' +
        '(e.g. "uv" with so100.server.args ["run", "scripts/serve_policy.py", "--env=DROID"]), or use the built-in server.',
    );
  }
  const spec = modelServerSpec(s.kind === 'builtin' ? s.builtinProfile : s.command, asModel(s), {
    so100: {
      command: process.execPath,
      args: [join(ctx.extensionPath, 'dist', 'cli.js')],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    },
    freePort: ctx.freePort,
    workspaceFolder: ctx.workspaceFolder,
  });
  // The built-in server binds where the setting says (127.0.0.1 by default); commands get ${host} themselves.
  if (s.kind !== 'builtin') return { ...spec, startTimeoutMs: undefined };
  const args = [...spec.args];
  args[args.indexOf('--host') + 1] = s.host;
  return { ...spec, name: `built-in ${s.builtinProfile}`, args, host: s.host, startTimeoutMs: undefined };
}
