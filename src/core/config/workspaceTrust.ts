// Workspace Trust: what a config would run from the workspace's own files. An untrusted workspace (a repository
// just cloned) runs none of it: no configured server command (so none of its args, env or cwd), no converter module.
import { modelNamed } from './resolveConfig';
import type { So100Config } from './configTypes';

/** One thing refused in an untrusted workspace: the config key that asks for it, and a phrase saying what it runs. */
export interface TrustRefusal {
  readonly key: string;
  readonly what: string;
}

/** What connecting `model` (default: the active one) would run from the workspace; empty when trusted. */
export function untrustedRefusals(config: So100Config, trusted: boolean, model: string = config.activeModel): TrustRefusal[] {
  if (trusted) return [];
  const out: TrustRefusal[] = [];
  const m = modelNamed(config.models, model);
  if (m?.kind === 'command') {
    const where = m.cwd ? ` in ${m.cwd}` : '';
    out.push({ key: `models.${model}.command`, what: `model "${model}" runs ${m.command}${where}` });
  }
  if (config.converter.module) out.push({ key: 'converter.module', what: `the converter module ${config.converter.module}` });
  return out;
}

/** The same rule for the `so100.server.*` settings (used without so100.json): a command kind is refused. */
export function untrustedServerSettingRefusal(kind: 'builtin' | 'command', trusted: boolean): TrustRefusal | undefined {
  return !trusted && kind === 'command' ? { key: 'so100.server.command', what: 'the configured server command (so100.server.command)' } : undefined;
}

/** The sentence shown when something is refused. */
export function untrustedMessage(refusals: readonly TrustRefusal[]): string {
  return `this workspace is not trusted, so ${refusals.map((r) => r.what).join(' and ')} ${refusals.length > 1 ? 'are' : 'is'} not run. ` +
    'Trust the workspace, or use the built-in server and the built-in converter.';
}
