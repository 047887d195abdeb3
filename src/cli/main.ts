// The `so100` command: one binary, a sub-command per job.
import { runServe } from './serveCommand';
import { runEpisode } from './episodeCommand';
import { runEval } from './evalCommand';
import { runCalibrate } from './calibrateCommand';
import { runSim } from './simCommand';
import { runExport } from './exportCommand';
import { runReplay } from './replayCommand';
import { CliUsageError } from './cliUsageError';

const USAGE = `so100 — SO-100 Policy Lab from the terminal

Usage:
  so100 episode [options]   run an episode on the embedded default (built-in policy server)
  so100 eval [options]      an evaluation campaign: models × seeds, success rates with intervals, a paired A/B
  so100 serve [options]     run the built-in policy server (openpi or awesome-lerobot protocol)
  so100 sim --pty PATH      a simulated SO-100 on a pseudo-terminal, for any Feetech client (LeRobot too)
  so100 calibrate [options] calibrate an arm (or the simulated one) and save LeRobot's calibration file
  so100 export DIR… --format lerobot-v3 --out DIR   episodes or an evaluation as a LeRobotDataset v3.0
  so100 replay DIR --model NAME   a recorded episode's observations through a model, offline; chunks and deviations
  so100 help [command]      this text, or a command's options
  so100 --version

Run "so100 help COMMAND" for its options.`;

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  serve: runServe,
  episode: runEpisode,
  eval: runEval,
  sim: runSim,
  calibrate: runCalibrate,
  export: runExport,
  replay: runReplay,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    console.log(topic && commands[topic] ? commands[topic].usage : USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(process.env.SO100_VERSION ?? 'so100-policy-lab (development build)');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`so100: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const parseArgsError =
      typeof (err as { code?: unknown }).code === 'string' &&
      (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
    if (err instanceof CliUsageError || parseArgsError) {
      console.error(`so100: ${(err as Error).message} (see "so100 help")`);
      process.exitCode = 2;
    } else {
      console.error(`so100: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
