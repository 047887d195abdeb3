// `so100 sim`: a simulated SO-100 on a pseudo-terminal that any serial program can open (LeRobot included).
import { parseArgs } from 'node:util';
import { FeetechBusSim } from '../core/sim';
import { SimPty, SimPtyError, SocatMissingError } from '../io/serial/simPty';
import { CliUsageError, intOption } from './cliUsageError';
import { attachSimConsole } from './simConsole';
import { applyFault, parseIds } from './simFaultSpec';

const usage = `so100 sim — a simulated SO-100 arm (six STS3215 servos) behind a pseudo-terminal

Usage:
  so100 sim --pty PATH [options]

Creates PATH (e.g. /tmp/so100) with socat; open it as the arm's serial port at 1 000 000 baud, e.g.
lerobot-teleoperate --robot.port=PATH. Runs until Ctrl+C. Needs socat (sudo apt install socat).

Options:
  --pty PATH           where the simulated port appears (required)
  --ids LIST           servo ids on the bus, e.g. 1-6 (default) or 1,2,3
  --seed N             seed of the fault injection's randomness (default 1)
  --fault SPEC         inject a fault; repeat for several:
                         drop=ID[,ID…]        those servos obey but never answer
                         corrupt=FRACTION     that fraction (0–1) of replies has a bad checksum
                         delay-us=N           every reply comes N µs later
                         error=ID:BIT[+BIT]   servo ID reports error bits (inputVoltage, angleSensor,
                                              overheat, overCurrent, overload)
                         unplugged            the servo cable is out: nothing answers
                       (errorBits= and disconnect are accepted for error= and unplugged)

While it runs, type commands on stdin (one per line; each is acknowledged):
  fault SPEC           add a fault, SPEC as for --fault, e.g. "fault drop=3" or "fault error=2:overheat"
  clear                remove every fault
  faults               show the active faults`;

/** "1–6" for a run of ids, else "1, 3, 5". */
export function describeIds(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const run = sorted.length > 1 && sorted.every((id, i) => i === 0 || id === sorted[i - 1] + 1);
  return run ? `${sorted[0]}–${sorted[sorted.length - 1]}` : sorted.join(', ');
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pty: { type: 'string' },
      ids: { type: 'string', default: '1-6' },
      seed: { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (!values.pty)
    throw new CliUsageError('--pty PATH is required (where the simulated port appears, e.g. /tmp/so100)');
  const ids = parseIds(values.ids ?? '1-6');
  const sim = new FeetechBusSim({ ids, seed: intOption('seed', values.seed, 1, 0, 2 ** 31 - 1) });
  for (const spec of values.fault ?? []) applyFault(sim, spec);
  const log = (line: string) => console.log(`[so100 sim] ${line}`);
  // Whoever started us may be gone (closed pipe): a failed log line must not kill us before cleanup.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  let pty: SimPty;
  try {
    pty = await SimPty.start({ path: values.pty, sim });
  } catch (err) {
    if (err instanceof SocatMissingError || err instanceof SimPtyError) {
      console.error(`[so100 sim] ${err.message}`);
      return 1;
    }
    throw err;
  }
  log(`simulated SO-100 on ${pty.path} (ids ${describeIds(ids)}, 1 Mbaud)`);
  if ((values.fault ?? []).length) log(`faults: ${(values.fault ?? []).join(' ')}`);
  log('faults can be switched while it runs: type "help" and Enter');
  const detachConsole = attachSimConsole(sim, process.stdin, log, (message) =>
    console.error(`[so100 sim] error: ${message}`),
  );

  const outcome = await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      resolve(0);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    pty.onExit((reason) => {
      console.error(`[so100 sim] ${reason.message}`);
      resolve(1);
    });
  });
  detachConsole();
  process.stdin.destroy(); // an open stdin pipe would keep the process alive after the port is gone
  await pty.close();
  return outcome;
}

export const runSim = { run, usage };
