// The soak: one long simulated session through RuntimeSession (in-process simulated arm, two built-in policy servers
// on loopback), episode after episode until the tick budget is spent, with model swaps (pi0 ↔ pi0_fast), server
// restarts on the same port, and bursts of serial faults on the simulator. Samples memory, active handles and open
// file descriptors at intervals and judges whether they stay flat. Used by `npm run soak` (soak.ts) and by a short
// integration test.
import { readdir } from 'node:fs/promises';
import { parseConfig, type So100Config } from '../../src/core/config';
import { MODEL_PROFILES, customizeProfile, type ModelProfileName } from '../../src/core/policy/modelProfiles';
import type { RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import type { PolicyProtocol } from '../../src/io/process/serverSpec';
import { RuntimeSession, type RuntimeEventSink } from '../../src/runtime/runtimeSession';

export interface SoakOptions {
  /** Ticks in total, over all episodes. */
  readonly ticks: number;
  /** Control rate asked of the loop; high so the soak runs as fast as the machine allows. */
  readonly fps?: number;
  /** Ticks per episode at most. */
  readonly episodeTicks?: number;
  /** Every this many ticks: swap the active model. */
  readonly swapEvery?: number;
  /** Every this many ticks: close a policy server and start it again on the same port. */
  readonly restartEvery?: number;
  /** Every this many ticks: a burst of serial faults, cleared after faultTicks. */
  readonly faultEvery?: number;
  readonly faultTicks?: number;
  /** Every this many ticks: one sample of memory and handles. */
  readonly sampleEvery?: number;
  readonly seed?: number;
  /** Called with each sample as it is taken (the CLI prints it). */
  readonly onSample?: (s: SoakSample) => void;
}

export interface SoakSample {
  readonly ticks: number;
  readonly elapsedS: number;
  readonly rssMB: number;
  readonly heapUsedMB: number;
  readonly externalMB: number;
  /** process.getActiveResourcesInfo().length: sockets, timers, handles the event loop holds. */
  readonly activeResources: number;
  readonly openFds: number;
  readonly episodes: number;
}

export interface SoakTrend {
  readonly first: number;
  readonly last: number;
  /** Least-squares slope over the second half, per 10 000 ticks. */
  readonly slopePer10kTicks: number;
  /** RMS of the second-half samples around that line. */
  readonly noise: number;
  /** Growth the fit predicts over the second half. */
  readonly growthOverSecondHalf: number;
  readonly flat: boolean;
}

export interface SoakReport {
  readonly options: Required<Omit<SoakOptions, 'onSample'>>;
  readonly ticks: number;
  readonly wallS: number;
  readonly gcExposed: boolean;
  readonly counts: {
    readonly episodes: number;
    readonly episodesEndedByFault: number;
    readonly swaps: number;
    readonly serverRestarts: number;
    readonly faultBursts: number;
    readonly reconnects: number;
    readonly warnings: number;
  };
  /** End reasons of the episodes, with how often each occurred. */
  readonly endReasons: Readonly<Record<string, number>>;
  readonly samples: readonly SoakSample[];
  readonly trends: {
    readonly heapUsedMB: SoakTrend;
    readonly rssMB: SoakTrend;
    readonly activeResources: SoakTrend;
    readonly openFds: SoakTrend;
  };
  /** Handles and fds before the soak started and after everything was closed. */
  readonly baseline: { readonly activeResources: number; readonly openFds: number };
  readonly afterClose: { readonly activeResources: number; readonly openFds: number };
  readonly verdict: 'flat within noise' | 'growing';
}

const MODELS: readonly { readonly name: ModelProfileName; readonly protocol: PolicyProtocol }[] = [
  { name: 'pi0', protocol: 'openpi' },
  { name: 'pi0_fast', protocol: 'lerobot-ws' },
];

/** A built-in server that can be closed and started again on the port it first got. */
class RestartableServer {
  private server: BuiltinPolicyServer | undefined;
  port = 0;

  constructor(
    private readonly profile: ModelProfileName,
    readonly protocol: PolicyProtocol,
  ) {}

  async start(): Promise<void> {
    const profile = customizeProfile(MODEL_PROFILES[this.profile], { latencyMs: 0 });
    // Right after a close the port can still be held briefly by the kernel; try again for a while.
    for (let attempt = 0; ; attempt++) {
      try {
        this.server = await BuiltinPolicyServer.start({
          host: '127.0.0.1',
          port: this.port,
          protocol: this.protocol,
          profile,
        });
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.port = this.server.port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    await this.close();
    await this.start();
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await s?.close();
  }
}

/** Counts events instead of sending them anywhere: the soak measures the runtime, not a consumer. */
class CountingSink implements RuntimeEventSink {
  ticks = 0;
  warnings = 0;
  onTick: () => void = () => {};

  emit<E extends RuntimeEventName>(event: E, _data: RuntimeEvents[E]): void {
    if (event === 'tick') {
      this.ticks++;
      this.onTick();
    } else if (event === 'warning') {
      this.warnings++;
    }
  }

  frameFps(): number {
    return 0;
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const opts: Required<Omit<SoakOptions, 'onSample'>> = {
    ticks: o.ticks,
    fps: o.fps ?? 1000,
    episodeTicks: o.episodeTicks ?? 2000,
    swapEvery: o.swapEvery ?? 700,
    restartEvery: o.restartEvery ?? 3100,
    faultEvery: o.faultEvery ?? 2300,
    faultTicks: o.faultTicks ?? 15,
    sampleEvery: o.sampleEvery ?? Math.max(500, Math.floor(o.ticks / 40)),
    seed: o.seed ?? 1,
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  // Let whatever the caller just finished (module loading, a previous test) settle before taking the baseline.
  await new Promise((r) => setTimeout(r, 300));
  const baseline = await handleCounts();
  const servers = MODELS.map((m) => new RestartableServer(m.name, m.protocol));
  const sink = new CountingSink();
  const session = new RuntimeSession(sink, process.cwd());
  const samples: SoakSample[] = [];
  const endReasons: Record<string, number> = {};
  const counts = {
    episodes: 0,
    episodesEndedByFault: 0,
    swaps: 0,
    serverRestarts: 0,
    faultBursts: 0,
    reconnects: 0,
    warnings: 0,
  };
  const started = performance.now();
  let active = 0;
  let faultUntil = -1;
  let chain: Promise<void> = Promise.resolve();
  let sampling = false;
  let nextSample = 0;

  // Side actions run one at a time, outside the tick callback (which must not block the loop).
  const later = (what: () => Promise<void>) => {
    chain = chain.then(what).catch((err: unknown) => {
      countReason(endReasons, `side action failed: ${message(err)}`);
    });
  };
  const takeSample = async (): Promise<void> => {
    gc?.();
    const m = process.memoryUsage();
    const h = await handleCounts();
    const s: SoakSample = {
      ticks: sink.ticks,
      elapsedS: round((performance.now() - started) / 1000, 1),
      rssMB: round(m.rss / 1e6, 2),
      heapUsedMB: round(m.heapUsed / 1e6, 2),
      externalMB: round(m.external / 1e6, 2),
      activeResources: h.activeResources,
      openFds: h.openFds,
      episodes: counts.episodes,
    };
    samples.push(s);
    o.onSample?.(s);
  };

  sink.onTick = () => {
    const t = sink.ticks;
    if (t % opts.swapEvery === 0) {
      later(async () => {
        const next = (active + 1) % MODELS.length;
        if (session.status().phase !== 'running') return;
        await session.swapModel(MODELS[next].name, { url: servers[next].url, protocol: servers[next].protocol });
        active = next;
        counts.swaps++;
      });
    }
    if (t % opts.restartEvery === 0) {
      // Alternate which server restarts, so the active model's server is hit too: its client must reconnect.
      const which = (t / opts.restartEvery) % servers.length;
      later(async () => {
        await servers[which].restart();
        counts.serverRestarts++;
      });
    }
    const bus = session.simulatedBus;
    if (bus && t % opts.faultEvery === 0) {
      const kind = (t / opts.faultEvery) % 2;
      if (kind === 0) bus.faults.corruptChecksumFraction = 0.3;
      else bus.faults.dropRepliesFrom = [3];
      faultUntil = t + opts.faultTicks;
      counts.faultBursts++;
    }
    if (bus && t === faultUntil) {
      bus.faults.corruptChecksumFraction = 0;
      bus.faults.dropRepliesFrom = [];
    }
    if (t >= nextSample && !sampling) {
      nextSample = t + opts.sampleEvery;
      sampling = true;
      later(async () => {
        await takeSample();
        sampling = false;
      });
    }
  };

  try {
    for (const s of servers) await s.start();
    const endpoints = () =>
      Object.fromEntries(MODELS.map((m, i) => [m.name, { url: servers[i].url, protocol: servers[i].protocol }]));
    while (sink.ticks < opts.ticks) {
      const phase = session.status().phase;
      if (phase === 'idle' || phase === 'estopped') {
        // First connect, or the last episode ended because the arm failed (the session let go of it).
        if (counts.episodes > 0) counts.reconnects++;
        await connectWithRetry(session, soakConfig(opts, MODELS[active].name), endpoints());
      }
      await session.runEpisode();
      const summary = await session.episodeEnded()!;
      await chain; // let a swap or restart that is under way finish before the next episode
      counts.episodes++;
      if (summary.reason.startsWith('the arm failed')) counts.episodesEndedByFault++;
      countReason(endReasons, summary.reason);
      const bus = session.simulatedBus;
      if (bus) {
        bus.faults.corruptChecksumFraction = 0;
        bus.faults.dropRepliesFrom = [];
      }
    }
    await chain;
    await takeSample();
  } finally {
    await chain;
    await session.disconnect().catch(() => undefined);
    for (const s of servers) await s.close();
  }
  counts.warnings = sink.warnings;
  const afterClose = await settledHandleCounts(baseline);
  const half = samples.slice(Math.floor(samples.length / 2));
  const trends = {
    heapUsedMB: trend(half, samples, (s) => s.heapUsedMB, 2),
    rssMB: trend(half, samples, (s) => s.rssMB, 8),
    // A reconnect or restart in flight holds a socket and a timer or two: growth of a few is noise, not a leak.
    activeResources: trend(half, samples, (s) => s.activeResources, 3),
    openFds: trend(half, samples, (s) => s.openFds, 3),
  };
  const flat = Object.values(trends).every((t) => t.flat);
  return {
    options: opts,
    ticks: sink.ticks,
    wallS: round((performance.now() - started) / 1000, 1),
    gcExposed: gc !== undefined,
    counts,
    endReasons,
    samples,
    trends,
    baseline,
    afterClose,
    verdict: flat ? 'flat within noise' : 'growing',
  };
}

function soakConfig(o: Required<Omit<SoakOptions, 'onSample'>>, activeModel: string): So100Config {
  const { config, problems } = parseConfig(
    JSON.stringify({
      fps: o.fps,
      maxSteps: o.episodeTicks,
      requestTimeoutMs: 2000,
      robot: { port: 'sim', seed: o.seed },
      // No cameras: the soak is about the loop, the link and the bus; rendering would only slow it down.
      cameras: {},
      models: Object.fromEntries(
        MODELS.map((m) => [m.name, { kind: 'builtin', profile: m.name, protocol: m.protocol, latencyMs: 0 }]),
      ),
      activeModel,
      record: { enabled: false },
    }),
  );
  if (!config) throw new Error(`soak config: ${JSON.stringify(problems)}`);
  return config;
}

async function connectWithRetry(
  session: RuntimeSession,
  config: So100Config,
  endpoints: Parameters<RuntimeSession['connect']>[0]['endpoints'],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.connect({ config, endpoints });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Handles and open file descriptors of this process right now. */
export async function handleCounts(): Promise<{ activeResources: number; openFds: number }> {
  const activeResources = process.getActiveResourcesInfo().length;
  let openFds = -1;
  try {
    openFds = (await readdir('/proc/self/fd')).length;
  } catch {
    // no /proc (macOS, Windows): fds are not reported
  }
  return { activeResources, openFds };
}

/** Waits (up to 10 s) for handles and fds to drop back to the baseline; returns what is left. */
async function settledHandleCounts(baseline: {
  activeResources: number;
  openFds: number;
}): Promise<{ activeResources: number; openFds: number }> {
  let now = await handleCounts();
  for (let i = 0; i < 100 && (now.activeResources > baseline.activeResources || now.openFds > baseline.openFds); i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = await handleCounts();
  }
  return now;
}

/**
 * Flat within noise: the growth the least-squares line predicts over the second half is within twice the samples'
 * scatter around it, or under `floor` (units of the figure).
 */
function trend(
  half: readonly SoakSample[],
  all: readonly SoakSample[],
  get: (s: SoakSample) => number,
  floor: number,
): SoakTrend {
  const xs = half.map((s) => s.ticks);
  const ys = half.map(get);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, n);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const k = sxx > 0 ? sxy / sxx : 0;
  const noise = n > 0 ? Math.sqrt(ys.reduce((a, y, i) => a + (y - (my + k * (xs[i] - mx))) ** 2, 0) / n) : 0;
  const span = n > 1 ? xs[n - 1] - xs[0] : 0;
  const growth = k * span;
  return {
    first: all.length ? get(all[0]) : Number.NaN,
    last: all.length ? get(all[all.length - 1]) : Number.NaN,
    slopePer10kTicks: round(k * 10_000, 3),
    noise: round(noise, 3),
    growthOverSecondHalf: round(growth, 3),
    flat: growth <= Math.max(2 * noise, floor),
  };
}

function countReason(reasons: Record<string, number>, reason: string): void {
  // Numbers vary per episode (steps, ids, ms); the kind of ending is what is counted.
  const key = reason.replace(/\d+(\.\d+)?/g, 'N').slice(0, 160);
  reasons[key] = (reasons[key] ?? 0) + 1;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
