// Run-time fault switching for `so100 sim`: one command per stdin line, acknowledged on stdout.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { noFaults, type BusFaults, type FeetechBusSim } from '../core/sim';
import { CliUsageError } from './cliUsageError';
import { applyFault } from './simFaultSpec';

export const SIM_CONSOLE_HELP = `commands (one per line on stdin):
  fault SPEC   add a fault, SPEC as for --fault (drop=3, corrupt=0.01, delay-us=60000, error=2:overheat, unplugged)
  clear        remove every fault
  faults       show the active faults
  help         this text`;

/** The active faults in --fault syntax, e.g. "drop=3 error=2:overheat", or "none". */
export function describeFaults(f: BusFaults): string {
  const parts: string[] = [];
  if (f.dropRepliesFrom.length) parts.push(`drop=${[...new Set(f.dropRepliesFrom)].join(',')}`);
  if (f.corruptChecksumFraction > 0) parts.push(`corrupt=${f.corruptChecksumFraction}`);
  if (f.extraDelayUs > 0) parts.push(`delay-us=${f.extraDelayUs}`);
  for (const [id, bits] of Object.entries(f.errorBits)) if (bits.length) parts.push(`error=${id}:${bits.join('+')}`);
  if (f.disconnected) parts.push('unplugged');
  return parts.length ? parts.join(' ') : 'none';
}

/** Executes one console line against the simulator; returns the acknowledgement or throws CliUsageError. */
export function runSimConsoleLine(sim: FeetechBusSim, line: string): string {
  const [command = '', ...rest] = line.trim().split(/\s+/);
  switch (command) {
    case 'fault': {
      if (rest.length !== 1) throw new CliUsageError('"fault" takes one SPEC, e.g. "fault drop=3"; see "help"');
      try {
        applyFault(sim, rest[0]);
      } catch (err) {
        // The start-up parser words its errors for the command line ("--fault X: …").
        if (err instanceof CliUsageError) throw new CliUsageError(err.message.replace(/^--fault /, 'fault '));
        throw err;
      }
      return `fault ${rest[0]} on; active faults: ${describeFaults(sim.faults)}`;
    }
    case 'clear':
      if (rest.length) throw new CliUsageError('"clear" takes no arguments');
      Object.assign(sim.faults, noFaults());
      return 'faults cleared; active faults: none';
    case 'faults':
      return `active faults: ${describeFaults(sim.faults)}`;
    case 'help':
      return SIM_CONSOLE_HELP;
    default:
      throw new CliUsageError(`unknown command "${command}"; use fault SPEC, clear, faults or help`);
  }
}

/**
 * Reads commands from `input` line by line (blank lines ignored) and answers each through `ok` or `bad`.
 * Returns a function that stops reading.
 */
export function attachSimConsole(
  sim: FeetechBusSim,
  input: Readable,
  ok: (line: string) => void,
  bad: (line: string) => void,
): () => void {
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      ok(runSimConsoleLine(sim, line));
    } catch (err) {
      if (!(err instanceof CliUsageError)) throw err;
      bad(err.message);
    }
  });
  return () => lines.close();
}
