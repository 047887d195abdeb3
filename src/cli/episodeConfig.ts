// The config of one `so100 episode`: so100.json (from --config, else the embedded default) with the command line's
// flags laid over it, then validated and resolved exactly like the file itself, so a flag can never produce a
// config the file could not.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BUILTIN_MODELS,
  parseConfig,
  parseJsonc,
  toJsonValue,
  ConfigSyntaxError,
  type ConfigProblem,
  type JsonValue,
  type So100Config,
} from '../core/config';
import { DEFAULT_POLICY_PROTOCOL, isPolicyProtocol, protocolChoices } from '../core/protocols';
import { CliUsageError, intOption } from './cliUsageError';

export interface EpisodeFlags {
  readonly config?: string;
  readonly steps?: string;
  readonly fps?: string;
  readonly model?: string;
  readonly protocol?: string;
  readonly chunking?: string;
  readonly server?: string;
  readonly port?: string;
  readonly 'robot-id'?: string;
  readonly 'calibration-dir'?: string;
  readonly 'body-mode'?: string;
  readonly prompt?: string;
  readonly seed?: string;
  readonly scene?: string;
  readonly 'timeout-ms'?: string;
  readonly 'max-failures'?: string;
  readonly record?: string;
  readonly 'no-record'?: boolean;
  readonly frames?: string;
  readonly layout?: string;
  readonly ffmpeg?: string;
}

/** The config file (or the flags over it) is invalid; the message lists every problem at file:line:column. */
export class EpisodeConfigError extends Error {
  override readonly name = 'EpisodeConfigError';
}

export interface EpisodeConfig {
  readonly config: So100Config;
  /** The folder relative paths in the config start from (the config file's, else the current one). */
  readonly workspace: string;
  /** --record DIR, absolute. */
  readonly recordDir?: string;
  /** --ffmpeg PATH: this machine's ffmpeg. */
  readonly ffmpegPath?: string;
}

type JsonObject = { [key: string]: JsonValue };
const obj = (v: JsonValue | undefined): JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as JsonObject) } : {};

export async function episodeConfig(flags: EpisodeFlags, cwd = process.cwd()): Promise<EpisodeConfig> {
  if (flags.record !== undefined && flags['no-record'])
    throw new CliUsageError('--record and --no-record exclude each other');
  if (flags.port === undefined && (flags['robot-id'] !== undefined || flags['calibration-dir'] !== undefined)) {
    throw new CliUsageError('--robot-id and --calibration-dir describe the arm on --port; add --port PATH');
  }
  let raw: JsonObject = {};
  let workspace = cwd;
  if (flags.config !== undefined) {
    const file = path.resolve(cwd, flags.config);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new EpisodeConfigError(
        `cannot read the config ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
    // The file's own problems first, at its own lines and columns.
    const own = parseConfig(text);
    if (!own.config) throw new EpisodeConfigError(describeProblems(file, own.problems));
    try {
      raw = obj(toJsonValue(parseJsonc(text)));
    } catch (err) {
      if (err instanceof ConfigSyntaxError)
        throw new EpisodeConfigError(`${file}:${err.line}:${err.column}: ${err.reason}`);
      throw err;
    }
    workspace = path.dirname(file);
  }
  delete raw.$schema;

  const set = (key: string, v: JsonValue | undefined) => {
    if (v !== undefined) raw[key] = v;
  };
  set('maxSteps', flags.steps === undefined ? undefined : intOption('steps', flags.steps, 0, 1, 10_000_000));
  set('fps', flags.fps === undefined ? undefined : intOption('fps', flags.fps, 0, 1, 1000));
  set(
    'requestTimeoutMs',
    flags['timeout-ms'] === undefined ? undefined : intOption('timeout-ms', flags['timeout-ms'], 0, 100, 600_000),
  );
  set(
    'maxPolicyFailures',
    flags['max-failures'] === undefined ? undefined : intOption('max-failures', flags['max-failures'], 0, 1, 1000),
  );
  set('task', flags.prompt);
  set('activeModel', flags.model);

  const active = typeof raw.activeModel === 'string' ? raw.activeModel : 'pi0';
  if (flags.protocol !== undefined && !isPolicyProtocol(flags.protocol)) {
    throw new CliUsageError(`--protocol must be ${protocolChoices()}, got "${flags.protocol}"`);
  }
  if (flags.protocol !== undefined || flags.server !== undefined) {
    const models = obj(raw.models);
    const current = obj(models[active] ?? (BUILTIN_MODELS[active] as unknown as JsonValue | undefined));
    if (Object.keys(current).length === 0)
      throw new CliUsageError(
        `--model "${active}" is not a configured model (built in: ${Object.keys(BUILTIN_MODELS).join(', ')})`,
      );
    const protocol =
      flags.protocol ?? (typeof current.protocol === 'string' ? current.protocol : DEFAULT_POLICY_PROTOCOL);
    models[active] =
      flags.server !== undefined ? { kind: 'remote', url: flags.server, protocol } : { ...current, protocol };
    raw.models = models;
  }
  if (flags.chunking !== undefined) {
    if (flags.chunking !== 'async' && flags.chunking !== 'sync')
      throw new CliUsageError(`--chunking must be async or sync, got "${flags.chunking}"`);
    const c = obj(raw.chunking);
    raw.chunking = c.mode === flags.chunking ? c : { mode: flags.chunking };
  }
  if (flags.layout !== undefined) raw.converter = { ...obj(raw.converter), layout: flags.layout };
  const robot = obj(raw.robot);
  if (flags.port !== undefined) robot.port = flags.port;
  if (flags['robot-id'] !== undefined) robot.id = flags['robot-id'];
  if (flags['calibration-dir'] !== undefined) robot.calibrationDir = path.resolve(cwd, flags['calibration-dir']);
  if (flags['body-mode'] !== undefined) {
    if (flags['body-mode'] !== 'degrees' && flags['body-mode'] !== 'range_m100_100')
      throw new CliUsageError(`--body-mode must be degrees or range_m100_100, got "${flags['body-mode']}"`);
    robot.normMode = flags['body-mode'];
  }
  if (flags.seed !== undefined) robot.seed = intOption('seed', flags.seed, 1, 0, 2 ** 31 - 1);
  if (flags.scene !== undefined) {
    if (flags.scene !== 'plain' && flags.scene !== 'varied')
      throw new CliUsageError(`--scene must be plain or varied, got "${flags.scene}"`);
    robot.scene = flags.scene;
  }
  if (Object.keys(robot).length > 0) raw.robot = robot;
  const record = obj(raw.record);
  if (flags['no-record']) record.enabled = false;
  if (flags.record !== undefined) record.enabled = true;
  if (flags.frames !== undefined) {
    if (!['mp4', 'png', 'none'].includes(flags.frames))
      throw new CliUsageError(`--frames must be mp4, png or none, got "${flags.frames}"`);
    record.frames = flags.frames;
  }
  if (Object.keys(record).length > 0) raw.record = record;

  const merged = parseConfig(JSON.stringify(raw));
  if (!merged.config) {
    const problems = merged.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `  ${p.path || '(top level)'}: ${p.message}`);
    throw new EpisodeConfigError(
      `the command line does not fit ${flags.config ?? 'the embedded default'}:\n${problems.join('\n')}`,
    );
  }
  return {
    config: merged.config,
    workspace,
    recordDir: flags.record === undefined ? undefined : path.resolve(cwd, flags.record),
    ffmpegPath: flags.ffmpeg === undefined ? undefined : path.resolve(cwd, flags.ffmpeg),
  };
}

function describeProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`);
  return `${file} is not a valid so100.json:\n${lines.join('\n')}`;
}
