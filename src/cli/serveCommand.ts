// `so100 serve`: the built-in policy server as a process of its own (what the supervisor starts).
import { parseArgs } from 'node:util';
import {
  MAX_ACTION_DIM,
  MIN_ACTION_DIM,
  MODEL_PROFILES,
  actionDimTooNarrow,
  customizeProfile,
  isModelProfileName,
} from '../core/policy/modelProfiles';
import { isBuiltinPolicyName } from '../core/policy/holdPolicy';
import { DEFAULT_POLICY_PROTOCOL, isPolicyProtocol, protocolChoices } from '../core/protocols';
import {
  POLICY_FAULT_SPECS,
  PolicyFaultSpecError,
  applyPolicyFault,
  noPolicyFaults,
} from '../core/policy/policyServerFaults';
import { BuiltinPolicyServer } from '../io/policy/builtinServer/builtinPolicyServer';
import { parseParentPid, watchParent } from '../io/process/parentLifeline';
import { CliUsageError, intOption, numberOption } from './cliUsageError';

const usage = `so100 serve — the built-in policy server (deterministic demo policy, no GPU or model files)

Options:
  --host ADDR          address to bind (default 127.0.0.1; 0.0.0.0 exposes it to your network)
  --port N             port (default 8000, openpi's; 0 picks a free one)
  --protocol P         ${protocolChoices(' | ')} (default ${DEFAULT_POLICY_PROTOCOL})
  --profile NAME       pi0 (chunk 50, 32 dims, ~30 ms) | pi0_fast (chunk 10, 12 dims, ~90 ms)
  --policy NAME        demo (default: picks the simulated cube, or cycles waypoints) |
                       hold (every action is the measured state: a dry run that keeps the arm still)
  --latency-ms MS      simulated inference time, overriding the profile's
  --horizon N          steps per chunk, overriding the profile's
  --action-dim N       values per action row (6..256), overriding the profile's; the first 6 are the joints
  --dtype D            <f4 (default) | <f8 for the actions array
  --fault SPEC         misbehave on purpose, for testing clients (repeatable, or comma-separated):
                         hang             never answer an observation (awesome-lerobot: select_action)
                         latency-ms=MS    add MS to every reply
                         garbage          reply with bytes that are not msgpack
                         traceback        send a Python traceback as a text frame, then close 1011
                         shape=narrow     actions with 3 columns (fewer than the arm's 6 joints)
                         shape=batched    actions shaped (2, horizon, dims)
                         dtype=int64      integer actions; dtype=string: the array's text instead of an array
                         values=nan|inf   every action value NaN (or +Inf)
                         scale=K          every action value times K (scale=1000: far outside any joint's range)
                         no-metadata      openpi: accept connections but never send the metadata frame
                         refuse           answer websocket upgrades with HTTP 503 (/healthz still answers)
                         crash-after=N    exit (status 1) on request N+1, mid-request
  --parent-pid N       shut down (exit 0) once process N is gone; what the supervisor passes, so that a server
                       never outlives a killed so100 command, runtime or VS Code`;

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      protocol: { type: 'string', default: DEFAULT_POLICY_PROTOCOL },
      profile: { type: 'string', default: 'pi0' },
      policy: { type: 'string', default: 'demo' },
      'latency-ms': { type: 'string' },
      horizon: { type: 'string' },
      'action-dim': { type: 'string' },
      dtype: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'parent-pid': { type: 'string' },
    },
    strict: true,
  });
  const protocol = values.protocol;
  if (!isPolicyProtocol(protocol))
    throw new CliUsageError(`--protocol must be ${protocolChoices()}, got "${protocol}"`);
  const profileName = values.profile ?? 'pi0';
  if (!isModelProfileName(profileName))
    throw new CliUsageError(`--profile must be pi0 or pi0_fast, got "${profileName}"`);
  const policy = values.policy ?? 'demo';
  if (!isBuiltinPolicyName(policy)) throw new CliUsageError(`--policy must be demo or hold, got "${policy}"`);
  const dtype = values.dtype;
  if (dtype !== undefined && dtype !== '<f4' && dtype !== '<f8')
    throw new CliUsageError(`--dtype must be <f4 or <f8, got "${dtype}"`);
  const rawDim = values['action-dim'];
  if (
    rawDim !== undefined &&
    Number.isInteger(Number(rawDim)) &&
    Number(rawDim) >= 1 &&
    Number(rawDim) < MIN_ACTION_DIM
  ) {
    throw new CliUsageError(`--action-dim: ${actionDimTooNarrow(Number(rawDim))}`);
  }
  const actionDim =
    rawDim === undefined ? undefined : intOption('action-dim', rawDim, 0, MIN_ACTION_DIM, MAX_ACTION_DIM);
  let profile;
  try {
    profile = customizeProfile(MODEL_PROFILES[profileName], {
      latencyMs: numberOption('latency-ms', values['latency-ms'], 0, 600_000),
      horizon: values.horizon === undefined ? undefined : intOption('horizon', values.horizon, 1, 1, 1000),
      actionDim,
      dtype,
    });
  } catch (err) {
    throw new CliUsageError(err instanceof Error ? err.message : String(err));
  }
  const faults = noPolicyFaults();
  for (const spec of values.fault ?? []) {
    try {
      applyPolicyFault(faults, spec);
    } catch (err) {
      if (err instanceof PolicyFaultSpecError) throw new CliUsageError(err.message);
      throw err;
    }
  }
  const port = intOption('port', values.port, 8000, 0, 65535);
  let parentPid: number | undefined;
  try {
    parentPid = parseParentPid(values['parent-pid']);
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  const log = (line: string) => console.log(`[so100 serve] ${line}`);
  // A crash fault is a real crash: no cleanup, no close frames, exit status 1.
  const onCrash = () => process.exit(1);
  let server: BuiltinPolicyServer;
  try {
    server = await BuiltinPolicyServer.start({
      host: values.host,
      port,
      protocol,
      profile,
      policy,
      log,
      faults,
      onCrash,
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `[so100 serve] port ${port} on ${values.host} is already in use: stop the other server or pass --port 0`,
      );
      return 1;
    }
    throw err;
  }
  // Before the listening line, which is what scripts wait for.
  const active = values.fault ?? [];
  if (active.length > 0) log(`injecting faults: ${active.join(', ')} (known: ${POLICY_FAULT_SPECS})`);
  log(
    `${protocol} ${policy === 'hold' ? 'hold ' : ''}policy "${profile.name}" (chunk ${profile.horizon} × ${profile.actionDim}, ~${profile.latencyMs} ms) ` +
      `listening on ${server.url}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: shutting down`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Its parent (the supervisor's process) was killed without stopping it: nobody is left to stop it but itself.
    if (parentPid !== undefined) {
      watchParent(parentPid, () => {
        console.error(`[so100 serve] parent process ${parentPid} exited: shutting down`);
        resolve();
      });
    }
  });
  await server.close();
  log(
    `served ${server.stats.requests} requests on ${server.stats.connections} connections, ${server.stats.errors} errors`,
  );
  return 0;
}

export const runServe = { run, usage };
