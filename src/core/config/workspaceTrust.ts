// Workspace Trust: what a config would run from the workspace's own files. An untrusted workspace (a repository
// just cloned) runs none of it: no configured server command (so none of its args, env or cwd), no converter module.
// Nor may it send the files the extension writes outside the workspace: an episode record, or a calibration file
// (robot.calibrationDir + robot.id would otherwise let a cloned so100.json overwrite any <name>.json the user can).
import { modelNamed } from './resolveConfig';
import type { So100Config } from './configTypes';

/** One thing refused in an untrusted workspace: the config key that asks for it, and a phrase saying what it runs. */
export interface TrustRefusal {
  readonly key: string;
  readonly what: string;
}

/** What connecting `model` (default: the active one) would run from the workspace; empty when trusted. */
export function untrustedRefusals(
  config: So100Config,
  trusted: boolean,
  model: string = config.activeModel,
): TrustRefusal[] {
  if (trusted) return [];
  const out: TrustRefusal[] = [];
  const m = modelNamed(config.models, model);
  if (m?.kind === 'command') {
    const where = m.cwd ? ` in ${m.cwd}` : '';
    out.push({ key: `models.${model}.command`, what: `model "${model}" runs ${m.command}${where}` });
  }
  if (config.converter.module)
    out.push({ key: 'converter.module', what: `the converter module ${config.converter.module}` });
  return out;
}

/** The same rule for the `so100.server.*` settings (used without so100.json): a command kind is refused. */
export function untrustedServerSettingRefusal(kind: 'builtin' | 'command', trusted: boolean): TrustRefusal | undefined {
  return !trusted && kind === 'command'
    ? { key: 'so100.server.command', what: 'the configured server command (so100.server.command)' }
    : undefined;
}

/**
 * Folders of the config outside the workspace, in an untrusted workspace: `record.dir` (written every episode) and
 * `robot.calibrationDir` (read, and written by Calibrate Arm). `outside` says whether a configured folder resolves
 * outside the workspace (path rules live with the caller). Left out, calibrationDir is LeRobot's own folder, allowed.
 */
export function untrustedFolderRefusals(
  config: So100Config,
  trusted: boolean,
  outside: (dir: string) => boolean,
  only?: 'calibration',
): TrustRefusal[] {
  if (trusted) return [];
  const out: TrustRefusal[] = [];
  if (only === undefined && config.record.enabled && outside(config.record.dir)) {
    out.push({ key: 'record.dir', what: `episode records in ${config.record.dir}` });
  }
  const dir = config.robot.calibrationDir;
  if (dir !== undefined && outside(dir)) out.push({ key: 'robot.calibrationDir', what: `calibration files in ${dir}` });
  return out;
}

/** The sentence shown when folders are refused. */
export function untrustedFolderMessage(refusals: readonly TrustRefusal[]): string {
  return (
    `this workspace is not trusted, so its ${refusals.map((r) => r.key).join(' and ')} may not point outside it ` +
    `(${refusals.map((r) => r.what).join('; ')}). Trust the workspace, or use folders inside it.`
  );
}

/** The sentence shown when something is refused. */
export function untrustedMessage(refusals: readonly TrustRefusal[]): string {
  return (
    `this workspace is not trusted, so ${refusals.map((r) => r.what).join(' and ')} ${refusals.length > 1 ? 'are' : 'is'} not run. ` +
    'Trust the workspace, or use the built-in server and the built-in converter.'
  );
}
