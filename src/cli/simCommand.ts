// `so100 sim`: a simulated SO-100 on a pseudo-terminal that any serial program can open (LeRobot included).
import { parseArgs } from 'node:util';
import { SERVO_ERROR_BIT_VALUES, type ServoErrorBit } from '../core/feetech';
import { FeetechBusSim } from '../core/sim';
import { SimPty, SimPtyError, SocatMissingError } from '../io/serial/simPty';
import { CliUsageError, intOption } from './cliUsageError';

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
                         unplugged            the servo cable is out: nothing answers`;

function isServoErrorBit(name: string): name is ServoErrorBit {
  return Object.hasOwn(SERVO_ERROR_BIT_VALUES, name);
}

/** Parses "1-6" or "1,2,5" into ids 0–253. */
export function parseIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new CliUsageError(`--ids must look like 1-6 or 1,2,3, got "${text}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to || to > 253) throw new CliUsageError(`--ids must hold ids from 0 to 253 in increasing ranges, got "${text}"`);
    for (let id = from; id <= to; id++) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Applies one --fault SPEC to the simulator, or explains what was expected. */
export function applyFault(sim: FeetechBusSim, spec: string): void {
  const [kind, value = ''] = spec.split('=', 2) as [string, string?];
  const fail = (why: string): never => { throw new CliUsageError(`--fault ${spec}: ${why}`); };
  switch (kind) {
    case 'drop':
      sim.faults.dropRepliesFrom.push(...parseIds(value === '' ? fail('give the ids, e.g. drop=3') : value));
      return;
    case 'corrupt': {
      const f = Number(value);
      if (value === '' || !Number.isFinite(f) || f < 0 || f > 1) fail('give a fraction from 0 to 1, e.g. corrupt=0.05');
      sim.faults.corruptChecksumFraction = f;
      return;
    }
    case 'delay-us': {
      const us = Number(value);
      if (value === '' || !Number.isInteger(us) || us < 0 || us > 10_000_000) fail('give whole microseconds, e.g. delay-us=60000');
      sim.faults.extraDelayUs = us;
      return;
    }
    case 'error': {
      const m = /^(\d+):([A-Za-z+]+)$/.exec(value);
      if (!m) fail('use error=ID:BIT, e.g. error=2:overload or error=2:overheat+overload');
      const bits = m![2].split('+');
      const bad = bits.filter((b) => !isServoErrorBit(b));
      if (bad.length) fail(`unknown error bit "${bad[0]}"; use inputVoltage, angleSensor, overheat, overCurrent or overload`);
      sim.faults.errorBits[Number(m![1])] = bits.filter(isServoErrorBit);
      return;
    }
    case 'unplugged':
      if (value !== '') fail('unplugged takes no value');
      sim.faults.disconnected = true;
      return;
    default:
      fail('unknown fault; use drop=, corrupt=, delay-us=, error= or unplugged');
  }
}

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
  if (!values.pty) throw new CliUsageError('--pty PATH is required (where the simulated port appears, e.g. /tmp/so100)');
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

  const outcome = await new Promise<number>((resolve) => {
    const stop = (signal: string) => { log(`${signal}: shutting down`); resolve(0); };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    pty.onExit((reason) => { console.error(`[so100 sim] ${reason.message}`); resolve(1); });
  });
  await pty.close();
  return outcome;
}

export const runSim = { run, usage };
