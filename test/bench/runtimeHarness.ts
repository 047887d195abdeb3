// Runs one episode of the real runtime (RuntimeServer → RuntimeSession → EpisodeLoop; simulated arm, synthetic
// cameras, the built-in π₀ server over loopback) in this process, optionally with a telemetry consumer in a child
// process on the runtime's socket, and collects every tick's timing as the session emits it. Shared by benchmarks
// 5–8. Everything it starts is closed, and the child reaped, before it returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type So100Config } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile, type ModelProfileName } from '../../src/core/policy/modelProfiles';
import type { EpisodeSummary, RuntimeEventName, RuntimeEvents, TickTelemetry } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeServer } from '../../src/runtime/rpc/runtimeServer';
import { runtimeSocketPath } from '../../src/runtime/rpc/socketPath';

export type ConsumerMode = 'none' | 'fast' | 'slow';

export interface HarnessOptions {
  readonly fps: number;
  readonly maxSteps: number;
  readonly chunking?: 'async' | 'sync';
  readonly profile?: ModelProfileName;
  readonly latencyMs?: number;
  /**
   * Where the built-in policy server runs: `child` (default) is \`so100 serve\` as its own process, as the CLI and
   * VS Code run it; `in-process` shares the runtime's event loop (its decode and planning then land between ticks).
   */
  readonly server?: 'child' | 'in-process';
  /**
   * Hide the front image from the built-in server (an image key it does not know), so it runs its waypoint demo
   * instead of picking the cube: the episode then lasts exactly maxSteps ticks. Cameras are rendered and converted
   * all the same.
   */
  readonly runFullLength?: boolean;
  readonly consumer?: ConsumerMode;
  /** Frames per second the consumer subscribes to (0: ticks and chunks only). */
  readonly frameFps?: number;
  /** Keep an episode record (steps, chunks, timing; no frames) in a temporary folder. */
  readonly record?: boolean;
  /** Called on every tick as the session emits it (in the runtime's process, before the socket). */
  readonly onTick?: (t: TickTelemetry) => void;
}

/** What the consumer child received, as it reports it on exit. */
export interface ConsumerReport {
  readonly ticks: number;
  readonly chunks: number;
  readonly frames: number;
  readonly frameBytes: number;
  /** From its first event to the end of the episode (or to when it was told to stop). */
  readonly windowMs: number;
  /** Time its event loop spent blocked on purpose (slow mode). */
  readonly blockedMs: number;
}

export interface HarnessResult {
  readonly summary: EpisodeSummary;
  /** Tick start (ms since the episode started) and lateness against the schedule, by tick index; NaN where absent. */
  readonly atMs: Float64Array;
  readonly lateMs: Float64Array;
  readonly droppedTelemetry: number;
  readonly consumer?: ConsumerReport;
  readonly wallMs: number;
  /** CPU time (user + system) of this process — the runtime — per tick over the episode, ms. */
  readonly cpuMsPerTick: number;
  /**
   * CPU time the hypervisor took from this virtual machine during the episode (all cores, /proc/stat "steal"), ms;
   * NaN where unknown. Runs with seconds of steal show late ticks that no code of ours causes.
   */
  readonly stealMs: number;
}

const CONSUMER = path.join(__dirname, 'telemetryConsumer.ts');
const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

export async function runRuntimeEpisode(o: HarnessOptions): Promise<HarnessResult> {
  const profileName = o.profile ?? 'pi0';
  const server =
    o.server === 'in-process'
      ? await BuiltinPolicyServer.start({
          protocol: 'openpi',
          profile: customizeProfile(MODEL_PROFILES[profileName], { latencyMs: o.latencyMs }),
        })
      : await ServerChild.start(profileName, o.latencyMs);
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-bench-rt-'));
  const runtime = await RuntimeServer.listen(runtimeSocketPath(), dir);
  // Preallocated, so that collecting them does not show as growth in the memory benchmark.
  const atMs = new Float64Array(o.maxSteps).fill(Number.NaN);
  const lateMs = new Float64Array(o.maxSteps).fill(Number.NaN);
  const emit = runtime.emit.bind(runtime);
  runtime.emit = <E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void => {
    if (event === 'tick') {
      const t = data as TickTelemetry;
      if (t.index < o.maxSteps) {
        atMs[t.index] = t.atMs ?? Number.NaN;
        lateMs[t.index] = t.lateMs ?? Number.NaN;
      }
      o.onTick?.(t);
    }
    emit(event, data);
  };
  let child: ConsumerChild | undefined;
  try {
    if ((o.consumer ?? 'none') !== 'none')
      child = await ConsumerChild.start(runtime.socketPath, o.consumer as 'fast' | 'slow', o.frameFps ?? 0);
    const config = benchConfig(o, profileName, dir);
    await runtime.session.connect({ config, endpoints: { pi0: { url: server.url, protocol: 'openpi' } } });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const steal0 = await stealMs();
    await runtime.session.runEpisode();
    const summary = await runtime.session.episodeEnded()!;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerTick = (cpu.user + cpu.system) / 1000 / Math.max(1, summary.steps);
    const steal = (await stealMs()) - steal0;
    const droppedTelemetry = runtime.session.droppedTelemetry;
    const consumer = child ? await child.finish() : undefined;
    return { summary, atMs, lateMs, droppedTelemetry, consumer, wallMs, cpuMsPerTick, stealMs: steal };
  } finally {
    await child?.kill();
    await runtime.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Total steal time of the machine so far, ms (Linux /proc/stat, in USER_HZ = 100 ticks a second); NaN elsewhere. */
export async function stealMs(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const cpu = /^cpu\s+(.*)$/m.exec(stat)?.[1].trim().split(/\s+/).map(Number);
  return cpu && cpu.length >= 8 ? cpu[7] * 10 : Number.NaN;
}

function benchConfig(o: HarnessOptions, profile: ModelProfileName, dir: string): So100Config {
  const { config, problems } = parseConfig(
    JSON.stringify({
      fps: o.fps,
      maxSteps: o.maxSteps,
      models: { pi0: { kind: 'builtin', profile, protocol: 'openpi' } },
      activeModel: 'pi0',
      chunking: { mode: o.chunking ?? 'async' },
      converter: o.runFullLength ? { imageKeys: { primary: 'observation/images.bench_hidden' } } : {},
      record: o.record ? { enabled: true, dir: path.join(dir, 'episodes'), frames: 'none' } : { enabled: false },
    }),
  );
  if (!config) throw new Error(`bench config: ${JSON.stringify(problems)}`);
  return config;
}

/** The telemetry consumer (telemetryConsumer.ts) as a child process: a dashboard on the other end of the socket. */
class ConsumerChild {
  private out = '';
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`  [consumer] ${d}`));
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  static async start(socketPath: string, mode: 'fast' | 'slow', frameFps: number): Promise<ConsumerChild> {
    const child = spawn(process.execPath, ['--import', 'tsx', CONSUMER, socketPath, mode, String(frameFps)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const c = new ConsumerChild(child);
    const deadline = performance.now() + 30_000;
    while (!c.out.includes('ready\n')) {
      if (child.exitCode !== null || performance.now() > deadline) {
        await c.kill();
        throw new Error(`the telemetry consumer did not start: ${c.out.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return c;
  }

  /** Waits for the consumer to report (it does on episodeEnded); tells it to stop after a grace period. */
  async finish(graceMs = 15_000): Promise<ConsumerReport> {
    const timer = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
    await this.exited;
    clearTimeout(timer);
    const line = this.out.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`the telemetry consumer gave no report: ${this.out.trim()}`);
    return JSON.parse(line) as ConsumerReport;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** \`so100 serve\` on a free loopback port, as a child process. */
class ServerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly exited: Promise<void>,
  ) {}

  static async start(profile: ModelProfileName, latencyMs: number | undefined): Promise<ServerChild> {
    const args = ['--import', 'tsx', CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--profile', profile];
    if (latencyMs !== undefined) args.push('--latency-ms', String(latencyMs));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`  [server] ${d}`));
    const deadline = performance.now() + 30_000;
    for (;;) {
      const m = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) return new ServerChild(child, m[1], exited);
      if (child.exitCode !== null || performance.now() > deadline) {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
        throw new Error(`so100 serve did not start: ${out.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
