// `so100 episode`: the quick start. Starts the built-in policy server as a supervised child process (or uses
// --server), then drives the policy link for a number of requests and prints a timing summary. The simulated
// arm and cameras replace the held state and test images here once the episode engine lands.
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { NdArray, type WireValue } from '../core/ndarray';
import { summarizeStages } from '../core/timing/percentiles';
import { isModelProfileName } from '../core/policy/modelProfiles';
import { OpenPiClient } from '../io/policy/openPiClient';
import { LeRobotWsClient } from '../io/policy/leRobotWsClient';
import type { PolicyClient, PolicyObservation } from '../io/policy/policyClient';
import { ServerSupervisor } from '../io/process/serverSupervisor';
import type { PolicyProtocol, ServerSpec } from '../io/process/serverSpec';
import { CliUsageError, intOption } from './cliUsageError';

const usage = `so100 episode — run an SO-100 episode on the embedded default

Starts the built-in policy server as a child process, sends observations (SO-100 joint state, a front and a wrist
image, the task prompt) and receives action chunks, then prints where the time went.

Options:
  --requests N       policy requests to make (default 20)
  --model NAME       pi0 (default) | pi0_fast
  --protocol P       openpi (default) | lerobot-ws
  --server URL       use an already-running policy server (e.g. ws://gpu-box:8000) instead of starting one
  --prompt TEXT      task prompt (default "pick up the cube")
  --timeout-ms MS    per-request timeout (default 30000)`;

const MOTORS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'] as const;

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      model: { type: 'string', default: 'pi0' },
      protocol: { type: 'string', default: 'openpi' },
      server: { type: 'string' },
      prompt: { type: 'string', default: 'pick up the cube' },
      'timeout-ms': { type: 'string' },
    },
    strict: true,
  });
  const requests = intOption('requests', values.requests, 20, 1, 1_000_000);
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 30_000, 100, 600_000);
  const model = values.model ?? 'pi0';
  if (!isModelProfileName(model)) throw new CliUsageError(`--model must be pi0 or pi0_fast, got "${model}"`);
  const protocol = values.protocol;
  if (protocol !== 'openpi' && protocol !== 'lerobot-ws') throw new CliUsageError(`--protocol must be openpi or lerobot-ws, got "${protocol}"`);

  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let supervisor: ServerSupervisor | undefined;
  let client: PolicyClient | undefined;
  try {
    let url = values.server;
    if (url === undefined) {
      const port = await freePort();
      supervisor = new ServerSupervisor(builtinServerSpec(model, protocol, port));
      supervisor.onLog((line) => {
        if (line.stream === 'stderr' || line.advice) console.error(`  server: ${line.text}${line.advice ? `\n  → ${line.advice}` : ''}`);
      });
      console.log(`Starting the built-in ${model} policy server (${protocol}) on 127.0.0.1:${port}…`);
      await supervisor.start(abort.signal);
      url = `ws://127.0.0.1:${port}`;
      console.log(`Policy server ready (pid ${supervisor.pid}).`);
    }
    client = protocol === 'openpi' ? new OpenPiClient(url, { requestTimeoutMs: timeoutMs }) : new LeRobotWsClient(url, { requestTimeoutMs: timeoutMs });
    await client.connect(abort.signal);
    console.log(`Connected to ${client.url}${client.metadata && Object.keys(client.metadata).length ? ` — metadata ${JSON.stringify(plain(client.metadata))}` : ''}`);

    const state = new Float32Array(MOTORS.length);
    state[MOTORS.length - 1] = 50; // gripper half open, LeRobot's 0–100 range
    const images = { front: testImage(224, 224, 0), wrist: testImage(224, 224, 1) };
    const stages = new Map<string, number[]>([['encode', []], ['network', []], ['server infer', []], ['decode', []], ['total', []]]);
    let lastShape = '';
    for (let i = 0; i < requests; i++) {
      const obs = protocol === 'openpi' ? openPiObservation(state, images, values.prompt ?? '') : leRobotObservation(state, images, values.prompt ?? '');
      const result = await client.infer(obs, { signal: abort.signal });
      const t = result.clientTiming;
      stages.get('encode')?.push(t.encodeMs);
      if (t.networkMs !== undefined) stages.get('network')?.push(t.networkMs);
      if (result.serverTiming) stages.get('server infer')?.push(result.serverTiming.inferMs);
      stages.get('decode')?.push(t.decodeMs);
      stages.get('total')?.push(t.totalMs);
      const chunk = result.actions;
      if (chunk.countNonFinite() > 0) throw new Error(`request ${i + 1}: the policy returned ${chunk.countNonFinite()} non-finite action values`);
      lastShape = `${chunk.horizon} × ${chunk.dims}`;
      // Until the simulated arm is wired in, the arm is taken to reach the end of each chunk.
      const last = chunk.row(chunk.horizon - 1);
      for (let j = 0; j < state.length && j < last.length; j++) state[j] = last[j];
      if (process.stdout.isTTY) process.stdout.write(`\r  request ${i + 1}/${requests}`);
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    console.log(`\n${requests} requests, last chunk ${lastShape}; joints now ${MOTORS.map((m, j) => `${m} ${state[j].toFixed(1)}`).join(', ')}`);
    printTimingTable(stages);
    console.log('\nResult: success');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client?.close();
    await supervisor?.stop();
  }
}

export function builtinServerSpec(model: string, protocol: PolicyProtocol, port: number): ServerSpec {
  // Re-run this very program (bundled CLI or TypeScript under tsx) with the `serve` command.
  const entry = process.argv[1];
  return {
    name: `builtin ${model}`,
    command: process.execPath,
    args: [...process.execArgv, entry, 'serve', '--host', '127.0.0.1', '--port', String(port), '--profile', model, '--protocol', protocol],
    host: '127.0.0.1',
    port,
    protocol,
    startTimeoutMs: 20_000,
  };
}

function openPiObservation(state: Float32Array, images: { front: NdArray; wrist: NdArray }, prompt: string): PolicyObservation {
  return {
    'observation/state': NdArray.fromTyped(state, [state.length]),
    'observation/images.main': images.front,
    'observation/images.wrist': images.wrist,
    prompt,
  };
}

function leRobotObservation(state: Float32Array, images: { front: NdArray; wrist: NdArray }, prompt: string): PolicyObservation {
  return {
    'observation.state': NdArray.fromTyped(state, [state.length]),
    'observation.images.front': images.front,
    'observation.images.wrist': images.wrist,
    task: [prompt],
  };
}

/** A recognisable H×W×3 test pattern (gradients), so a policy input viewer shows orientation and channels. */
function testImage(h: number, w: number, variant: number): NdArray {
  const data = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 255) / (w - 1);
      data[o + 1] = (y * 255) / (h - 1);
      data[o + 2] = variant ? 200 : 40;
    }
  }
  return new NdArray('|u1', [h, w, 3], data);
}

function printTimingTable(stages: Map<string, number[]>): void {
  const rows = summarizeStages(stages).filter((s) => s.count > 0);
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  console.log(`\n${'stage'.padEnd(14)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`);
  for (const s of rows) console.log(`${s.stage.padEnd(14)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.p99)}${fmt(s.max)}`);
}

function plain(v: { readonly [key: string]: WireValue }): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof NdArray ? `<${x.dtype} ${x.shape.join('×')}>` : x)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const runEpisode = { run, usage };
