// `so100 episode`: the quick start. On the embedded default — a simulated SO-100 (byte-level servo emulator) in
// a cube scene with synthetic front and wrist cameras, and the built-in policy server as a supervised child
// process — it runs one pick-the-cube episode and prints the result and where the time went. It drives the same
// RuntimeSession the runtime process serves to VS Code, in this process.
import { parseArgs } from 'node:util';
import type { ChunkSchedulerOptions } from '../core/chunking';
import { NdArray, type WireValue } from '../core/ndarray';
import { isModelProfileName } from '../core/policy/modelProfiles';
import type { EpisodeSummary, RuntimeEventName, RuntimeEvents, RuntimeRobotSetup, RuntimeSetup } from '../core/rpc';
import { ServerSupervisor } from '../io/process/serverSupervisor';
import type { PolicyProtocol, ServerSpec } from '../io/process/serverSpec';
import { episodesRoot } from '../io/recording';
import { freePort } from '../io/net/freePort';
import { RuntimeSession, type RuntimeEventSink } from '../runtime/runtimeSession';
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
  --port PATH        drive the arm on this serial port (a real SO-100, or a \`so100 sim --pty\` path) instead of the
                     in-process simulator; needs a saved calibration (so100 calibrate)
  --robot-id ID      calibration name of the arm on --port (default so100_follower)
  --calibration-dir DIR  where that calibration is (LeRobot's calibration_dir)
  --body-mode MODE   degrees (default) | range_m100_100 (policies trained on LeRobot before v0.4.4)
  --prompt TEXT      task prompt (default "pick up the red cube")
  --seed N           where the cube starts (default 1)
  --record DIR       where episode records go (default .so100/episodes in the current folder)
  --no-record        keep no record
  --timeout-ms MS    per-request timeout (default 30000)`;

const OPTIONS = {
  steps: { type: 'string' },
  fps: { type: 'string' },
  model: { type: 'string', default: 'pi0' },
  protocol: { type: 'string', default: 'openpi' },
  chunking: { type: 'string', default: 'async' },
  server: { type: 'string' },
  port: { type: 'string' },
  'robot-id': { type: 'string' },
  'calibration-dir': { type: 'string' },
  'body-mode': { type: 'string', default: 'degrees' },
  prompt: { type: 'string', default: 'pick up the red cube' },
  seed: { type: 'string' },
  'timeout-ms': { type: 'string' },
  record: { type: 'string' },
  'no-record': { type: 'boolean', default: false },
} as const;

interface EpisodePlan {
  readonly setup: RuntimeSetup;
  readonly model: string;
  readonly protocol: PolicyProtocol;
  /** An already-running server; otherwise the built-in one is started. */
  readonly serverUrl?: string;
}

function plan(argv: string[]): EpisodePlan {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.record !== undefined && values['no-record']) throw new CliUsageError('--record and --no-record exclude each other');
  const maxSteps = intOption('steps', values.steps, 900, 1, 10_000_000);
  const fps = intOption('fps', values.fps, 30, 1, 1000);
  const seed = intOption('seed', values.seed, 1, 0, 2 ** 31 - 1);
  const requestTimeoutMs = intOption('timeout-ms', values['timeout-ms'], 30_000, 100, 600_000);
  const model = values.model;
  if (!isModelProfileName(model)) throw new CliUsageError(`--model must be pi0 or pi0_fast, got "${model}"`);
  const protocol = values.protocol;
  if (protocol !== 'openpi' && protocol !== 'lerobot-ws') throw new CliUsageError(`--protocol must be openpi or lerobot-ws, got "${protocol}"`);
  const chunkingMode = values.chunking;
  if (chunkingMode !== 'async' && chunkingMode !== 'sync') throw new CliUsageError(`--chunking must be async or sync, got "${chunkingMode}"`);
  const bodyMode = values['body-mode'] === 'degrees' ? 'DEGREES' : values['body-mode'] === 'range_m100_100' ? 'RANGE_M100_100' : undefined;
  if (!bodyMode) throw new CliUsageError(`--body-mode must be degrees or range_m100_100, got "${values['body-mode']}"`);
  if (values.port === undefined && (values['robot-id'] !== undefined || values['calibration-dir'] !== undefined)) {
    throw new CliUsageError('--robot-id and --calibration-dir describe the arm on --port; add --port PATH');
  }
  const robot: RuntimeRobotSetup = values.port === undefined ? { kind: 'sim', seed }
    : { kind: 'serial', port: values.port, robotId: values['robot-id'] ?? 'so100_follower', calibrationDir: values['calibration-dir'] };
  const chunking: ChunkSchedulerOptions = { mode: chunkingMode };
  return {
    model, protocol, serverUrl: values.server,
    setup: {
      robot, bodyMode, models: {}, activeModel: model,
      converter: { layout: protocol === 'openpi' ? 'openpi-so100' : 'lerobot-ws' }, chunking, fps, maxSteps,
      task: values.prompt, requestTimeoutMs, recordDir: values['no-record'] ? undefined : values.record ?? episodesRoot(process.cwd()),
    },
  };
}

/** Prints what the session reports: warnings as they come, a progress line on a terminal. */
class TerminalSink implements RuntimeEventSink {
  constructor(private readonly maxSteps: number) {}

  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'warning') console.error(`  warning: ${(data as RuntimeEvents['warning']).message}`);
    if (event === 'tick' && process.stdout.isTTY) {
      const t = data as RuntimeEvents['tick'];
      if (t.index % 10 === 0) process.stdout.write(`\r  tick ${t.index}/${this.maxSteps}`);
    }
  }

  frameFps(): number {
    return 0;
  }
}

async function run(argv: string[]): Promise<number> {
  const p = plan(argv);
  const session = new RuntimeSession(new TerminalSink(p.setup.maxSteps));
  const onSignal = () => { void session.stop(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const abort = new AbortController();
  const abortStart = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', abortStart);
  let supervisor: ServerSupervisor | undefined;
  try {
    let url = p.serverUrl;
    if (url === undefined) {
      const port = await freePort('127.0.0.1');
      supervisor = new ServerSupervisor(builtinServerSpec(p.model, p.protocol, port));
      supervisor.onLog((line) => {
        if (line.stream === 'stderr' || line.advice) console.error(`  server: ${line.text}${line.advice ? `\n  → ${line.advice}` : ''}`);
      });
      console.log(`Starting the built-in ${p.model} policy server (${p.protocol}) on 127.0.0.1:${port}…`);
      await supervisor.start(abort.signal);
      url = `ws://127.0.0.1:${port}`;
      console.log(`Policy server ready (pid ${supervisor.pid}).`);
    }
    process.off('SIGINT', abortStart);
    const setup: RuntimeSetup = { ...p.setup, models: { [p.model]: { url, protocol: p.protocol } } };
    const status = await session.connect(setup);
    const client = session.activeClient();
    console.log(`Connected to ${url}${client?.metadata && Object.keys(client.metadata).length ? ` — metadata ${JSON.stringify(plain(client.metadata))}` : ''}`);
    console.log(setup.robot.kind === 'sim'
      ? `Simulated SO-100 connected (six STS3215, firmware ${session.firmware}); cameras: front, wrist 224×224.`
      : `SO-100 connected on ${status.robot} (six STS3215, firmware ${session.firmware}); cameras: synthetic front, wrist 224×224.`);
    await session.runEpisode();
    const summary = await session.episodeEnded()!;
    if (process.stdout.isTTY) process.stdout.write('\n');
    printSummary(summary, setup.fps);
    return summary.success ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', abortStart);
    await session.disconnect();
    await supervisor?.stop();
  }
}

function printSummary(s: EpisodeSummary, fps: number): void {
  console.log(`\n${s.steps} ticks at ${fps} fps, ${s.chunks} chunks, ${s.starvedTicks} starved ticks, ` +
    `${s.clampedTicks} ticks clamped by safety, ${s.lateTicks} late ticks`);
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  console.log(`\n${'stage'.padEnd(14)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`);
  for (const r of s.timing) console.log(`${r.stage.padEnd(14)}${fmt(r.p50)}${fmt(r.p95)}${fmt(r.p99)}${fmt(r.max)}`);
  if (s.recordDir) console.log(`\nRecord: ${s.recordDir}`);
  console.log(`\nResult: ${s.success ? 'success' : 'failure'} — ${s.reason}`);
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

function plain(v: { readonly [key: string]: WireValue }): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof NdArray ? `<${x.dtype} ${x.shape.join('×')}>` : x)));
}

export const runEpisode = { run, usage };
