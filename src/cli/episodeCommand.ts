// `so100 episode`: the quick start. On the embedded default — a simulated SO-100 (byte-level servo emulator) in
// a cube scene with synthetic front and wrist cameras, and the built-in policy server as a supervised child
// process — it runs one pick-the-cube episode and prints the result and where the time went.
import { parseArgs } from 'node:util';
import { ChunkScheduler } from '../core/chunking';
import { builtinConverter } from '../core/convert';
import { NdArray, type WireValue } from '../core/ndarray';
import { isModelProfileName } from '../core/policy/modelProfiles';
import { CubeTask } from '../core/scene';
import { FeetechBusSim } from '../core/sim';
import { simulatedArmCalibration } from '../core/so100';
import { summarizeStages } from '../core/timing/percentiles';
import { SyntheticCameras } from '../io/camera/syntheticCameras';
import { LeRobotWsClient } from '../io/policy/leRobotWsClient';
import { OpenPiClient } from '../io/policy/openPiClient';
import type { PolicyClient } from '../io/policy/policyClient';
import { ServerSupervisor } from '../io/process/serverSupervisor';
import type { PolicyProtocol, ServerSpec } from '../io/process/serverSpec';
import { EpisodeRecorder, episodesRoot } from '../io/recording';
import { freePort } from '../io/net/freePort';
import { So100Robot } from '../io/robot/so100Robot';
import { FeetechBus } from '../io/serial/feetechBus';
import { SimTransport } from '../io/serial/simTransport';
import { runEpisode as runEpisodeTicks } from '../runtime/episodeLoop';
import { CliUsageError, intOption } from './cliUsageError';

const usage = `so100 episode — run an SO-100 episode on the embedded default

A simulated SO-100 (six emulated STS3215 servos on the real Feetech byte protocol) sits at a table with a red cube,
seen by a front and a wrist camera. The built-in policy server (openpi protocol, π₀ profile) runs as a child process;
its demo policy looks at the front image and picks the cube up. Success = the cube lifted 5 cm.

Options:
  --steps N          control ticks at most (default 900, i.e. 30 s at 30 fps)
  --fps N            control rate (default 30)
  --model NAME       pi0 (default, chunk 50) | pi0_fast (chunk 10)
  --protocol P       openpi (default) | lerobot-ws
  --chunking MODE    async (default: ask for the next chunk before the queue runs dry) | sync (openpi's broker)
  --server URL       use an already-running policy server (e.g. ws://gpu-box:8000) instead of starting one
  --prompt TEXT      task prompt (default "pick up the red cube")
  --seed N           where the cube starts (default 1)
  --record DIR       where episode records go (default .so100/episodes in the current folder)
  --no-record        keep no record
  --timeout-ms MS    per-request timeout (default 30000)`;

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: 'string' },
      fps: { type: 'string' },
      model: { type: 'string', default: 'pi0' },
      protocol: { type: 'string', default: 'openpi' },
      chunking: { type: 'string', default: 'async' },
      server: { type: 'string' },
      prompt: { type: 'string', default: 'pick up the red cube' },
      seed: { type: 'string' },
      'timeout-ms': { type: 'string' },
      record: { type: 'string' },
      'no-record': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.record !== undefined && values['no-record']) throw new CliUsageError('--record and --no-record exclude each other');
  const maxSteps = intOption('steps', values.steps, 900, 1, 10_000_000);
  const fps = intOption('fps', values.fps, 30, 1, 1000);
  const seed = intOption('seed', values.seed, 1, 0, 2 ** 31 - 1);
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 30_000, 100, 600_000);
  const model = values.model ?? 'pi0';
  if (!isModelProfileName(model)) throw new CliUsageError(`--model must be pi0 or pi0_fast, got "${model}"`);
  const protocol = values.protocol;
  if (protocol !== 'openpi' && protocol !== 'lerobot-ws') throw new CliUsageError(`--protocol must be openpi or lerobot-ws, got "${protocol}"`);
  const chunking = values.chunking;
  if (chunking !== 'async' && chunking !== 'sync') throw new CliUsageError(`--chunking must be async or sync, got "${chunking}"`);

  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let supervisor: ServerSupervisor | undefined;
  let client: PolicyClient | undefined;
  let robot: So100Robot | undefined;
  let recorder: EpisodeRecorder | undefined;
  try {
    let url = values.server;
    if (url === undefined) {
      const port = await freePort('127.0.0.1');
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

    const sim = new FeetechBusSim();
    robot = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), { calibration: simulatedArmCalibration(), bodyMode: 'DEGREES' });
    console.log(`Simulated SO-100 connected (six STS3215, firmware ${robot.firmware}); cameras: front, wrist 224×224.`);
    const task = new CubeTask({ seed });
    if (!values['no-record']) {
      recorder = await EpisodeRecorder.create(values.record ?? episodesRoot(process.cwd()), {
        config: { fps, maxSteps, seed, chunking, protocol, server: values.server ?? 'builtin', prompt: values.prompt ?? '' },
        model,
      }, { originMs: performance.now(), onWriteError: (e) => console.error(`  warning: ${e.message}`) });
    }
    const result = await runEpisodeTicks({
      robot,
      cameras: new SyntheticCameras(task),
      client,
      converter: builtinConverter(protocol === 'openpi' ? 'openpi-so100' : 'lerobot-ws'),
      scheduler: new ChunkScheduler(chunking === 'async' ? { mode: 'async' } : { mode: 'sync' }),
      world: task,
    }, {
      fps, maxSteps, task: values.prompt ?? '', requestTimeoutMs: timeoutMs, signal: abort.signal, recorder,
      onWarning: (m) => console.error(`  warning: ${m}`),
      onTick: (t) => {
        if (process.stdout.isTTY && t.index % 10 === 0) process.stdout.write(`\r  tick ${t.index}/${maxSteps}  ${task.reason.padEnd(60)}`);
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    console.log(`\n${result.steps} ticks at ${fps} fps, ${result.chunks} chunks, ${result.starvedTicks} starved ticks, ` +
      `${result.clampedTicks} ticks clamped by safety, ${result.lateTicks} late ticks`);
    printTimingTable(new Map([...result.timing].map(([k, v]) => [k, [...v]])));
    if (recorder) {
      await recorder.finish(result);
      console.log(`\nRecord: ${recorder.dir}`);
    }
    console.log(`\nResult: ${result.success ? 'success' : 'failure'} — ${result.reason}`);
    return result.success ? 0 : 1;
  } catch (err) {
    await recorder?.abort(err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await robot?.disconnect();
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

function printTimingTable(stages: Map<string, number[]>): void {
  const rows = summarizeStages(stages).filter((s) => s.count > 0);
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  console.log(`\n${'stage'.padEnd(14)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`);
  for (const s of rows) console.log(`${s.stage.padEnd(14)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.p99)}${fmt(s.max)}`);
}

function plain(v: { readonly [key: string]: WireValue }): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof NdArray ? `<${x.dtype} ${x.shape.join('×')}>` : x)));
}

export const runEpisode = { run, usage };
