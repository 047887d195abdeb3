// The --fault SPEC and --ids syntax of `so100 sim`, shared by its command line and its stdin console.
import { SERVO_ERROR_BIT_VALUES, type ServoErrorBit } from '../core/feetech';
import type { FeetechBusSim } from '../core/sim';
import { CliUsageError } from './cliUsageError';

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
    if (from > to || to > 253)
      throw new CliUsageError(`--ids must hold ids from 0 to 253 in increasing ranges, got "${text}"`);
    for (let id = from; id <= to; id++) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Applies one --fault SPEC to the simulator, or explains what was expected. */
export function applyFault(sim: FeetechBusSim, spec: string): void {
  const [kind, value = ''] = spec.split('=', 2) as [string, string?];
  const fail = (why: string): never => {
    throw new CliUsageError(`--fault ${spec}: ${why}`);
  };
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
      if (value === '' || !Number.isInteger(us) || us < 0 || us > 10_000_000)
        fail('give whole microseconds, e.g. delay-us=60000');
      sim.faults.extraDelayUs = us;
      return;
    }
    case 'error':
    case 'errorBits': {
      const m = /^(\d+):([A-Za-z+]+)$/.exec(value);
      if (!m) fail(`use ${kind}=ID:BIT, e.g. ${kind}=2:overload or ${kind}=2:overheat+overload`);
      const bits = m![2].split('+');
      const bad = bits.filter((b) => !isServoErrorBit(b));
      if (bad.length)
        fail(`unknown error bit "${bad[0]}"; use inputVoltage, angleSensor, overheat, overCurrent or overload`);
      sim.faults.errorBits[Number(m![1])] = bits.filter(isServoErrorBit);
      return;
    }
    case 'unplugged':
    case 'disconnect':
      if (value !== '') fail(`${kind} takes no value`);
      sim.faults.disconnected = true;
      return;
    default:
      fail('unknown fault; use drop=, corrupt=, delay-us=, error= or unplugged');
  }
}
