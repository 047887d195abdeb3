// `so100 episode`: the quick start. On the embedded default — a simulated SO-100 (byte-level servo emulator) in
// a cube scene with synthetic front and wrist cameras, and the built-in policy server as a supervised child
// process — it runs one pick-the-cube episode and prints the result and where the time went. It drives the same
// RuntimeSession the runtime process serves to VS Code, in this process.
import { parseArgs } from 'node:util';
import { activeModelOf, remotePolicyNotice, isSimulatedArm } from '../core/config';
import { NdArray } from '../core/ndarray';
import { DEFAULT_POLICY_PROTOCOL, protocolChoices, type WireValue } from '../core/protocols';
import type { EpisodeSummary, RuntimeEventName, RuntimeEvents } from '../core/rpc';
import type { ServerSupervisor } from '../io/process/serverSupervisor';
import { RuntimeSession, type RuntimeEventSink } from '../runtime/runtimeSession';
import { checkArmDriver } from '../runtime/sessionParts';
import { episodeConfig } from './episodeConfig';
import { startModelEndpoint } from './modelServer';
import { ROUGH_SEAM_RATIO, type SeamReport } from '../core/metrics/seams';

const usage = `so100 episode — run an SO-100 episode on the embedded default

A simulated SO-100 (six emulated STS3215 servos on the real Feetech byte protocol) sits at a table with a red cube,
seen by a front and a wrist camera. The built-in policy server (openpi protocol, π₀ profile) runs as a child process;
its demo policy looks at the front image and picks the cube up. Success = the cube lifted 5 cm.

Options:
  --config FILE      an so100.json (JSONC) to start from; the flags below override it
  --steps N          control ticks at most (default 900, i.e. 30 s at 30 fps)
  --fps N            control rate (default 30)
  --model NAME       pi0 (default, chunk 50) | pi0_fast (chunk 10) | a model of --config
  --protocol P       ${protocolChoices(' | ')} (default ${DEFAULT_POLICY_PROTOCOL})
  --layout NAME      converter layout: openpi-so100 | lerobot-ws | droid | libero | aloha (default: the protocol's)
  --chunking MODE    async (default: ask for the next chunk before the queue runs dry) | sync (openpi's broker)
  --server URL       use an already-running policy server (e.g. ws://gpu-box:8000) instead of starting one
  --port PATH        drive the arm on this serial port (a real SO-100, or a \`so100 sim --pty\` path) instead of the
                     in-process simulator; needs a saved calibration (so100 calibrate)
  --robot-id ID      calibration name of the arm on --port (default so100_follower)
  --calibration-dir DIR  where that calibration is (LeRobot's calibration_dir)
  --body-mode MODE   degrees (default) | range_m100_100 (policies trained on LeRobot before v0.4.4)
  --prompt TEXT      task prompt (default "pick up the red cube")
  --seed N           where the cube starts (default 1); with --scene varied, the whole scene
  --scene KIND       plain (default: the classic scene) | varied (the seed decides cube, distractors, light, camera)
  --record DIR       where episode records go (default .so100/episodes in the current folder)
  --no-record        keep no record
  --frames MODE      camera frames in the record: mp4 (default; through ffmpeg, PNG when it is missing) | png | none
  --timeout-ms MS    per-request timeout (default 30000)
  --max-failures N   policy failures in a row that end the episode (default 3)
  --ffmpeg PATH      the ffmpeg program for cameras and mp4 frames (default: ffmpeg from PATH)`;

const OPTIONS = {
  config: { type: 'string' },
  steps: { type: 'string' },
  fps: { type: 'string' },
  model: { type: 'string' },
  protocol: { type: 'string' },
  chunking: { type: 'string' },
  server: { type: 'string' },
  port: { type: 'string' },
  'robot-id': { type: 'string' },
  'calibration-dir': { type: 'string' },
  'body-mode': { type: 'string' },
  prompt: { type: 'string' },
  seed: { type: 'string' },
  scene: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-failures': { type: 'string' },
  record: { type: 'string' },
  'no-record': { type: 'boolean' },
  frames: { type: 'string' },
  layout: { type: 'string' },
  ffmpeg: { type: 'string' },
} as const;

/** Prints what the session reports: warnings as they come, a progress line on a terminal. */
class TerminalSink implements RuntimeEventSink {
  constructor(private readonly maxSteps: number) {}

  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'warning') console.error(`  warning: ${(data as RuntimeEvents['warning']).message}`);
    if (event === 'tick' && process.stdout.isTTY) {
      const t = data as RuntimeEvents['tick'];
      if (t.index % 10 === 0) {
        const width = 30;
        const done = Math.min(width, Math.round((width * t.index) / this.maxSteps));
        process.stdout.write(`\r  [${'#'.repeat(done)}${'-'.repeat(width - done)}] tick ${t.index}/${this.maxSteps}`);
      }
    }
  }

  frameFps(): number {
    return 0;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const { config, workspace, recordDir, ffmpegPath } = await episodeConfig(values);
  const session = new RuntimeSession(new TerminalSink(config.maxSteps), workspace);
  const onSignal = () => {
    void session.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const abort = new AbortController();
  const abortStart = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', abortStart);
  let supervisor: ServerSupervisor | undefined;
  try {
    const model = activeModelOf(config);
    // A real arm whose serial driver cannot load here: said before a server starts.
    await checkArmDriver(config.robot);
    // Remote hosts are allowed, never silent: the observations leave this machine.
    const notice = remotePolicyNotice(config.activeModel, model);
    if (notice) console.log(`Note: ${notice}`);
    const started = await startModelEndpoint(config, workspace, abort.signal);
    supervisor = started.supervisor;
    const endpoints = started.endpoints;
    process.off('SIGINT', abortStart);
    const status = await session.connect({ config, endpoints, recordDir, ffmpegPath });
    const client = session.activeClient();
    console.log(
      `Connected to ${client?.url}${client?.metadata && Object.keys(client.metadata).length ? ` — metadata ${JSON.stringify(plain(client.metadata))}` : ''}`,
    );
    const cameras = Object.entries(config.cameras)
      .map(([n, c]) => (c.kind === 'synthetic' ? `${n} 224×224` : `${n} ${c.width}×${c.height} (${c.device})`))
      .join(', ');
    console.log(
      isSimulatedArm(config.robot)
        ? `Simulated SO-100 connected (six STS3215, firmware ${session.firmware}); cameras: ${cameras}.`
        : `SO-100 connected on ${status.robot} (six STS3215, firmware ${session.firmware}); cameras: ${cameras}.`,
    );
    await session.runEpisode();
    const summary = await session.episodeEnded()!;
    if (process.stdout.isTTY) process.stdout.write('\n');
    printSummary(summary, config.fps);
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
  console.log(
    `\n${s.steps} ticks at ${fps} fps, ${s.chunks} chunks, ${s.starvedTicks} starved ticks (${s.warmupTicks} before the first chunk), ` +
      `${s.clampedTicks} ticks clamped by safety, ${s.lateTicks} late ticks`,
  );
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  console.log(
    `\n${'stage'.padEnd(14)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`,
  );
  for (const r of s.timing) console.log(`${r.stage.padEnd(14)}${fmt(r.p50)}${fmt(r.p95)}${fmt(r.p99)}${fmt(r.max)}`);
  if (s.seams) printSeams(s.seams);
  if (s.recordDir) console.log(`\nRecord: ${s.recordDir}`);
  console.log(`\nResult: ${s.success ? 'success' : 'failure'} — ${s.reason}`);
}

function printSeams(r: SeamReport): void {
  const n = (v: number | null, d = 2) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));
  console.log(
    `\nChunk seams: ratio ${n(r.seamRatio)}× sent, ${n(r.raw.seamRatio)}× asked by the policy (largest boundary step ` +
      `${n(r.maxBoundaryStep)}° sent at tick ${n(r.worstBoundaryTick, 0)}, ${n(r.raw.maxBoundaryStep)}° raw; in-chunk p99 ` +
      `${n(r.inChunkP99Step)}° sent, ${n(r.raw.inChunkP99Step)}° raw), ${r.roughSeams} of ${r.boundaries} seams ≥ ${ROUGH_SEAM_RATIO}×; ` +
      `tracking: lag ${n(r.lagTicks)} ticks, mean |sent − raw| ${n(r.trackingError)}°`,
  );
  console.log(
    `${'joint'.padEnd(14)}${'ratio'.padStart(8)}${'raw'.padStart(8)}${'seam °'.padStart(9)}${'raw °'.padStart(9)}${'p99 °'.padStart(9)}${'lag'.padStart(8)}${'|s−r| °'.padStart(9)}`,
  );
  for (const j of r.perJoint)
    console.log(
      `${j.joint.padEnd(14)}${n(j.seamRatio).padStart(8)}${n(j.raw.seamRatio).padStart(8)}${n(j.maxBoundaryStep).padStart(9)}${n(j.raw.maxBoundaryStep).padStart(9)}${n(j.inChunkP99Step).padStart(9)}${n(j.lagTicks).padStart(8)}${n(j.trackingError).padStart(9)}`,
    );
}

function plain(v: { readonly [key: string]: WireValue }): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint' ? String(x) : x instanceof NdArray ? `<${x.dtype} ${x.shape.join('×')}>` : x,
    ),
  );
}

export const runEpisode = { run, usage };
