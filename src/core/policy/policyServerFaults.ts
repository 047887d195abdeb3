// Faults the built-in policy server can inject, switchable at run time by mutating the object (the server reads
// it on every connection and request), and the `--fault SPEC` syntax of `so100 serve` that sets them.

/** A wrong shape for the actions array: too few columns for the arm's joints, or a batch of two chunks. */
export type ActionShapeFault = 'narrow' | 'batched';
/** A wrong type for the actions: int64 numbers (undecoded tokens, say) or the array's text instead of an array. */
export type ActionDtypeFault = 'int64' | 'string';
/** Values no policy should send. */
export type ActionValueFault = 'nan' | 'inf';

export interface PolicyServerFaults {
  /** Accept requests and never answer them (the connection stays open). */
  hang: boolean;
  /** Added to every reply's simulated inference time, in ms. */
  extraLatencyMs: number;
  /** Reply with bytes that are not msgpack instead of the reply. */
  garbage: boolean;
  /** Send a Python traceback as a text frame, then close with 1011 (openpi's error path), instead of replying. */
  traceback: boolean;
  actionShape: ActionShapeFault | undefined;
  actionDtype: ActionDtypeFault | undefined;
  actionValues: ActionValueFault | undefined;
  /** Every action value multiplied by this (1 = unchanged; 1000 = far outside any joint's range). */
  actionScale: number;
  /** openpi: accept the connection but never send the metadata frame. */
  skipMetadata: boolean;
  /** Answer websocket upgrades with HTTP 503 (the server is up, policy connections are refused). */
  refuseConnections: boolean;
  /** After this many requests the next one crashes the server (`so100 serve` exits); undefined = never. */
  crashAfterRequests: number | undefined;
}

/** A fault-free configuration. */
export function noPolicyFaults(): PolicyServerFaults {
  return {
    hang: false,
    extraLatencyMs: 0,
    garbage: false,
    traceback: false,
    actionShape: undefined,
    actionDtype: undefined,
    actionValues: undefined,
    actionScale: 1,
    skipMetadata: false,
    refuseConnections: false,
    crashAfterRequests: undefined,
  };
}

/** A --fault SPEC that cannot be applied; the message says what was expected. */
export class PolicyFaultSpecError extends Error {
  override readonly name = 'PolicyFaultSpecError';
}

/** What `--fault` accepts, for help texts and errors. */
export const POLICY_FAULT_SPECS =
  'hang, latency-ms=MS, garbage, traceback, shape=narrow|batched, dtype=int64|string, ' +
  'values=nan|inf, scale=K, no-metadata, refuse, crash-after=N, clear';

/** Applies one SPEC (or several, comma-separated) to `faults`. */
export function applyPolicyFault(faults: PolicyServerFaults, spec: string): void {
  for (const one of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''))
    applyOne(faults, one);
}

function applyOne(faults: PolicyServerFaults, spec: string): void {
  const eq = spec.indexOf('=');
  const kind = eq < 0 ? spec : spec.slice(0, eq);
  const value = eq < 0 ? undefined : spec.slice(eq + 1);
  const fail = (why: string): never => {
    throw new PolicyFaultSpecError(`--fault ${spec}: ${why}`);
  };
  const flag = (): true => (value === undefined ? true : fail(`${kind} takes no value`));
  const oneOf = <T extends string>(allowed: readonly T[]): T =>
    (allowed as readonly string[]).includes(value ?? '')
      ? (value as T)
      : fail(`use ${allowed.map((a) => `${kind}=${a}`).join(' or ')}`);
  const number = (min: number, max: number, integer: boolean, example: string): number => {
    const n = Number(value);
    if (
      value === undefined ||
      value.trim() === '' ||
      !Number.isFinite(n) ||
      n < min ||
      n > max ||
      (integer && !Number.isInteger(n))
    ) {
      fail(`give ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, e.g. ${example}`);
    }
    return n;
  };
  switch (kind) {
    case 'hang':
      faults.hang = flag();
      return;
    case 'latency-ms':
      faults.extraLatencyMs = number(0, 600_000, false, 'latency-ms=500');
      return;
    case 'garbage':
      faults.garbage = flag();
      return;
    case 'traceback':
      faults.traceback = flag();
      return;
    case 'shape':
      faults.actionShape = oneOf(['narrow', 'batched'] as const);
      return;
    case 'dtype':
      faults.actionDtype = oneOf(['int64', 'string'] as const);
      return;
    case 'values':
      faults.actionValues = oneOf(['nan', 'inf'] as const);
      return;
    case 'scale': {
      const k = number(-1e9, 1e9, false, 'scale=1000');
      if (k === 0) fail('0 would zero every action; give a factor such as scale=1000');
      faults.actionScale = k;
      return;
    }
    case 'no-metadata':
      faults.skipMetadata = flag();
      return;
    case 'refuse':
      faults.refuseConnections = flag();
      return;
    case 'crash-after':
      faults.crashAfterRequests = number(0, 1e9, true, 'crash-after=5');
      return;
    case 'clear':
      flag();
      Object.assign(faults, noPolicyFaults());
      return;
    default:
      fail(`unknown fault "${kind}"; use ${POLICY_FAULT_SPECS}`);
  }
}
