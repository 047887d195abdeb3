// `so100 replay EPISODE_DIR --model NAME`: a recorded episode's observations through another (or the same) model,
// offline; the predicted chunks land beside the episode as replay-<model>.jsonl with their deviation from what the
// arm was sent.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { activeModelOf, jointUnits, remotePolicyNotice } from '../core/config';
import { SO100_MOTORS } from '../core/so100';
import type { ServerSupervisor } from '../io/process/serverSupervisor';
import { endpointOf } from '../runtime/sessionParts';
import { planReplay, replayEpisode } from '../runtime/episodeReplay';
import { CliUsageError, intOption } from './cliUsageError';
import { episodeConfig } from './episodeConfig';
import { startModelEndpoint } from './modelServer';

const usage = `so100 replay — replay a recorded episode through a policy, offline (no arm)

Usage: so100 replay EPISODE_DIR [--model NAME] [--every K] [--config so100.json] [--server URL] [--protocol P]

The recorded observations (joint positions from steps.csv, camera frames from the record, the task from episode.json)
go through the converter to the model at the ticks where the episode asked for chunks (or every K ticks). The
predicted chunks are saved as EPISODE_DIR/replay-<model>.jsonl, each with its per-joint deviation (mean and max
absolute, in the joint's units) from the commands the arm actually received over the chunk's horizon.

Options:
  --model NAME     the model to ask (default: the config's active model; pi0 and pi0_fast are built in)
  --every K        ask every K recorded ticks instead of at the episode's own requests
  --config FILE    an so100.json: its models, converter and request timeout (default: the embedded default)
  --server URL     an already-running policy server for --model (e.g. ws://gpu-box:8000) instead of starting one
  --protocol P     the protocol of --server (default: the model's)
  --layout NAME    converter layout (default: the config's, else the protocol's)
  --ffmpeg PATH    the ffmpeg that takes frames out of mp4 records (default: ffmpeg from PATH)`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      every: { type: 'string' },
      config: { type: 'string' },
      server: { type: 'string' },
      protocol: { type: 'string' },
      layout: { type: 'string' },
      ffmpeg: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new CliUsageError(`give one episode folder\n\n${usage}`);
  const dir = path.resolve(positionals[0]);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new CliUsageError(`${dir} is not a folder; give an episode folder (the one holding episode.json)`);
  const every = values.every === undefined ? undefined : intOption('every', values.every, 0, 1, 1_000_000);
  const { config, workspace, ffmpegPath } = await episodeConfig({
    config: values.config,
    model: values.model,
    server: values.server,
    protocol: values.protocol,
    layout: values.layout,
    ffmpeg: values.ffmpeg,
    'no-record': true,
  });
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let supervisor: ServerSupervisor | undefined;
  try {
    // The record is read and checked first: a folder that cannot be replayed starts no server.
    const plan = await planReplay({
      dir,
      config,
      every,
      ffmpegPath,
      onNote: (m) => console.error(`  note: ${m}`),
    });
    const notice = remotePolicyNotice(config.activeModel, activeModelOf(config));
    if (notice) console.log(`Note: ${notice}`);
    const started = await startModelEndpoint(config, workspace, abort.signal);
    supervisor = started.supervisor;
    const endpoint = endpointOf(config, config.activeModel, started.endpoints);
    console.log(`Replaying ${dir} (${plan.ticks.length} requests) through ${config.activeModel} (${endpoint.url})…`);
    const outcome = await replayEpisode(plan, {
      workspace,
      model: config.activeModel,
      endpoint,
      signal: abort.signal,
      onNote: (m) => console.error(`  note: ${m}`),
      onProgress: (done, total) => {
        if (process.stdout.isTTY) process.stdout.write(`\r  chunk ${done}/${total}`);
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    const f = (v: number) => v.toFixed(2).padStart(9);
    const units = jointUnits(config.robot.normMode);
    console.log(`\n${outcome.chunks} chunks predicted; deviation from what the arm was sent, in each joint's units:`);
    console.log(`${'joint'.padEnd(14)}${'unit'.padStart(6)}${'mean'.padStart(9)}${'max'.padStart(9)}`);
    SO100_MOTORS.forEach((m, j) => {
      const d = outcome.perJoint[m];
      console.log(`${m.padEnd(14)}${units[j].padStart(6)}${d ? f(d.mean) : '        —'}${d ? f(d.max) : '        —'}`);
    });
    console.log(`\nReplay: ${outcome.file}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await supervisor?.stop();
  }
}

export const runReplay = { run, usage };
