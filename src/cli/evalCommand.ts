// `so100 eval`: an evaluation campaign — every model on the same seeds of the varied simulated scene, interleaved,
// with success rates, their intervals and a paired comparison at the end. The campaign itself is
// runtime/evaluationCampaign.ts (shared with the editor); this file parses flags and prints.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CampaignPlanError,
  ClockChoiceError,
  chooseClock,
  pairedLine,
  parseClockChoice,
  parseShard,
  shardSeeds,
  type CampaignShard,
  type ClockChoice,
} from '../core/evaluation';
import { mergeCampaigns } from '../runtime/campaignMerge';
import { CampaignError, readCampaignFolder, runCampaign, summaryTable } from '../runtime/evaluationCampaign';
import { OperatorLabels } from '../runtime/operatorLabels';
import { WarningLineSink } from '../runtime/runtimeEventSink';
import { RuntimeSession } from '../runtime/runtimeSession';
import { CliUsageError, intOption } from './cliUsageError';
import { episodeConfig } from './episodeConfig';
import { askOnTerminal, TerminalKeys } from './terminalLabels';
import { isSimulatedArm } from '../core/config';

const usage = `so100 eval [--config so100.json] --models pi0,pi0_fast --episodes N [--seed S] [--steps N] [--clock auto|virtual|wall] [--labels scene|operator] [--shard K/N] [--out DIR | --resume DIR] [--dataset DIR]
       so100 eval --merge DIR… --out DIR

Runs every model on the same N seeds of the varied simulated scene (seed S, S+1, …; the seed decides the cube's
place, size, yaw and colour, distractors, light and camera jitter), interleaved per seed (A then B, then B then A …),
each model's policy server up for the whole campaign; between episodes the arm glides to its start pose and the
policy is reset. Writes campaign.json, results.csv (one row per episode, appended as each ends), summary.json and
the episodes' records into DIR (default .so100/evaluations/<timestamp>/). Ctrl-C loses nothing: --resume DIR
continues at the first unfinished episode. With --dataset, each finished episode is appended to a LeRobotDataset
v3.0 (next.success / next.done from the campaign's verdict) as soon as its row is written, every file complete
after each append, so a crashed campaign's dataset holds its finished episodes; --resume continues the dataset
(it remembers the folder) and first adds any finished episode it lacks.

A campaign of many seeds splits across machines: --shard K/N runs the K-th of N contiguous slices of the seeds
(every model on each seed, so pairs stay paired); K counts from 0, like a Kubernetes Indexed Job's
JOB_COMPLETION_INDEX or a Slurm array's SLURM_ARRAY_TASK_ID with --array=0-(N-1). --merge joins the N shard folders
into one campaign folder with one summary, recomputed from the rows; it refuses folders that are not the shards of
one campaign (another config, models or seeds, a missing, repeated or unfinished shard).

Options:
  --config FILE    an so100.json whose models and settings the campaign uses
  --models A,B     models to compare (default: so100.json's evaluation.models, else pi0,pi0_fast)
  --episodes N     seeds per model, ≥ 1 (default: evaluation.episodes, else 50)
  --seed S         first seed (default: evaluation.seed, else 1)
  --steps N        ticks per episode at most (default: the config's, 900)
  --clock C        auto (default: evaluation.clock, else auto), virtual or wall. Virtual time runs the simulated
                   arm and the built-in models in this process, nothing sleeping: ticks, simulated wire time and
                   the model's simulated latency advance the clock, so a campaign runs many times faster than
                   real time with the same chunk schedule (a seed gives the same episode every run). A real
                   arm, camera or server forces wall time; auto says so, virtual is refused with the reason
  --labels L       who decides success: scene (the simulator's scene, the default there) or operator (the default
                   on a real arm, robot.port not "sim"): before each episode you reset the scene and press ENTER;
                   after it, s success / f failure (each with an optional note) / r redo / q stop the campaign
  --out DIR        where the campaign goes
  --resume DIR     continue the campaign in DIR (its campaign.json decides models, seeds and settings)
  --shard K/N      run only shard K (0 … N−1) of the campaign's seeds
  --merge DIR…     join shard folders into the new campaign folder --out DIR
  --dataset DIR    also write the episodes, as they finish, into the LeRobot dataset at DIR
  --ffmpeg PATH    the ffmpeg program for recorded frames and the dataset's videos`;

const OPTIONS = {
  config: { type: 'string' },
  models: { type: 'string' },
  episodes: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  clock: { type: 'string' },
  labels: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  shard: { type: 'string' },
  merge: { type: 'boolean' },
  dataset: { type: 'string' },
  ffmpeg: { type: 'string' },
} as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (values.merge) return merge(positionals, values);
  if (positionals.length > 0)
    throw new CliUsageError(`unexpected argument '${positionals[0]}' (folders are named only with --merge)`);
  if (values.shard !== undefined && values.resume !== undefined)
    throw new CliUsageError(
      '--shard and --resume exclude each other: a resumed shard keeps the shard in its campaign.json',
    );
  let shard: CampaignShard | undefined;
  try {
    shard = values.shard === undefined ? undefined : parseShard(values.shard);
  } catch (err) {
    if (err instanceof CampaignPlanError) throw new CliUsageError(err.message);
    throw err;
  }
  if (values.resume !== undefined && values.out !== undefined)
    throw new CliUsageError('--out and --resume exclude each other: a resumed campaign stays in its folder');
  if (values.clock !== undefined && values.resume !== undefined)
    throw new CliUsageError('--clock and --resume exclude each other: a resumed campaign keeps the clock it ran on');
  let clock: ClockChoice | undefined;
  try {
    clock = values.clock === undefined ? undefined : parseClockChoice(values.clock);
  } catch (err) {
    if (err instanceof ClockChoiceError) throw new CliUsageError(`--clock: ${err.message}`);
    throw err;
  }
  if (values.labels !== undefined && values.labels !== 'scene' && values.labels !== 'operator')
    throw new CliUsageError(`--labels must be scene or operator, got "${values.labels}"`);
  if (values.labels !== undefined && values.resume !== undefined)
    throw new CliUsageError('--labels and --resume exclude each other: a resumed campaign keeps who labels it');
  const resume = values.resume !== undefined;
  const { config, workspace, ffmpegPath } = await episodeConfig({
    config: values.config,
    steps: values.steps,
    ffmpeg: values.ffmpeg,
    scene: 'varied',
  });
  // so100.json's `evaluation` section gives the defaults; flags override it.
  const ev = config.evaluation;
  const episodes = resume ? 0 : intOption('episodes', values.episodes, ev.episodes, 1, 1_000_000);
  const startSeed = intOption('seed', values.seed, ev.seed, 0, 2 ** 31 - 1);
  const models =
    values.models === undefined
      ? ev.models
      : values.models
          .split(',')
          .map((m) => m.trim())
          .filter((m) => m !== '');
  if (!resume) {
    const unknown = models.find((m) => !config.models[m]);
    if (unknown !== undefined)
      throw new CliUsageError(`unknown model '${unknown}'; the config has ${Object.keys(config.models).join(', ')}`);
    try {
      chooseClock(clock ?? ev.clock, config, models); // refused here, before any folder is made
    } catch (err) {
      const asked = clock !== undefined ? '--clock virtual' : 'evaluation.clock "virtual" (so100.json)';
      if (err instanceof ClockChoiceError) throw new CliUsageError(`${asked}: ${err.message}`);
      throw err;
    }
  }
  if (shard) {
    try {
      const { first, last } = shardSeeds(episodes, startSeed, shard);
      console.log(
        `Shard ${shard.index}/${shard.count}: seeds ${first}..${last} of ${startSeed}..${startSeed + episodes - 1}`,
      );
    } catch (err) {
      if (err instanceof CampaignPlanError) throw new CliUsageError(err.message);
      throw err;
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = path.resolve(values.resume ?? values.out ?? path.join(workspace, '.so100', 'evaluations', stamp));
  // A scheduler's retry of the same command must not start the campaign over on top of its finished episodes.
  if (!resume && existsSync(path.join(outDir, 'campaign.json')))
    throw new CliUsageError(
      `${outDir} already holds a campaign; continue it with --resume ${outDir}, or name a new folder with --out`,
    );
  let session: RuntimeSession | undefined;
  const abort = new AbortController();
  // A real arm's scene cannot tell success: the operator labels it (a resumed campaign keeps what it had).
  const operator = resume
    ? (await readCampaignFolder(outDir).catch(() => undefined))?.manifest.labels === 'operator'
    : (values.labels ?? (isSimulatedArm(config.robot) ? 'scene' : 'operator')) === 'operator';
  let labels: OperatorLabels | undefined;
  const onSignal = () => {
    abort.abort();
    labels?.release();
    void session?.stop();
  };
  const keys = operator ? new TerminalKeys(process.stdin, process.stdout, onSignal) : undefined;
  if (operator)
    labels = new OperatorLabels(
      (q) =>
        void askOnTerminal(q, keys!).then(({ answer, note }) => {
          try {
            labels!.answer(answer, note);
          } catch {
            // The question was withdrawn meanwhile (the campaign was stopped).
          }
        }),
      () => abort.abort(),
    );
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`Evaluation campaign in ${outDir}`);
    const result = await runCampaign(
      (c) => {
        session = new RuntimeSession(new WarningLineSink((line) => console.error(line)), workspace, c);
        return labels ? labels.wrap(session) : session;
      },
      {
        clock,
        config,
        models,
        episodes,
        startSeed,
        outDir,
        resume,
        shard,
        workspace,
        ffmpegPath,
        dataset: values.dataset,
        ...(operator && !resume ? { labels: 'operator' as const } : {}),
        serverContext: {
          so100: { command: process.execPath, args: [...process.execArgv, process.argv[1]] },
          workspaceFolder: workspace,
        },
      },
      { log: (l) => console.log(l), signal: abort.signal },
    );
    console.log('');
    for (const line of summaryTable(result.summary)) console.log(line);
    for (const p of result.summary.pairs) console.log(pairedLine(p));
    if (!result.completed) console.log(`\nStopped before the end; continue with: so100 eval --resume ${outDir}`);
    return result.completed ? 0 : 1;
  } catch (err) {
    if (err instanceof CampaignError) {
      console.error(`so100: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    keys?.[Symbol.dispose]();
  }
}

/** `so100 eval --merge DIR… --out DIR`: the shards' folders joined into one campaign folder. */
async function merge(dirs: readonly string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const other = Object.keys(values).find((k) => k !== 'merge' && k !== 'out' && values[k] !== undefined);
  if (other !== undefined)
    throw new CliUsageError(`--${other} does not go with --merge: the shards' campaign.json decides the campaign`);
  if (dirs.length === 0) throw new CliUsageError('--merge needs the shard folders: so100 eval --merge DIR… --out DIR');
  if (typeof values.out !== 'string') throw new CliUsageError('--merge needs --out DIR, a new folder for the campaign');
  try {
    const merged = await mergeCampaigns(
      dirs.map((d) => path.resolve(d)),
      path.resolve(values.out),
      (l) => console.log(l),
    );
    console.log('');
    for (const line of summaryTable(merged.summary)) console.log(line);
    for (const p of merged.summary.pairs) console.log(pairedLine(p));
    return 0;
  } catch (err) {
    if (err instanceof CampaignError) {
      console.error(`so100: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export const runEval = { run, usage };
