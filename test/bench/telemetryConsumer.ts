// A dashboard-like reader of the runtime's telemetry, run as a child process by runtimeHarness.ts:
//   node --import tsx telemetryConsumer.ts SOCKET fast|slow FRAME_FPS
// It subscribes to ticks, chunks and frames, counts what arrives, and prints one JSON line when the episode ends
// (or on SIGTERM). `slow` blocks its event loop for 200 ms of every 250 ms — a webview busy rendering — with
// Atomics.wait, which sleeps the thread: the runtime's socket backs up without this process taking a CPU core
// from the runtime (the machine may have only two).
import { RuntimeClient } from '../../src/runtime/rpc/runtimeClient';

const BLOCK_MS = 200;
const EVERY_MS = 250;

async function main(): Promise<void> {
  const [socketPath, mode, fpsText] = process.argv.slice(2);
  if (!socketPath || (mode !== 'fast' && mode !== 'slow'))
    throw new Error('usage: telemetryConsumer.ts SOCKET fast|slow FRAME_FPS');
  const client = await RuntimeClient.connect(socketPath);
  let ticks = 0;
  let chunks = 0;
  let frames = 0;
  let frameBytes = 0;
  let blockedMs = 0;
  let firstMs: number | undefined;
  const seen = () => {
    firstMs ??= performance.now();
  };
  client.on('tick', () => {
    seen();
    ticks++;
  });
  client.on('chunk', () => {
    seen();
    chunks++;
  });
  client.on('frame', (f) => {
    seen();
    frames++;
    frameBytes += f.rgb.length;
  });
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    const windowMs = firstMs === undefined ? 0 : performance.now() - firstMs;
    process.stdout.write(`${JSON.stringify({ ticks, chunks, frames, frameBytes, windowMs, blockedMs })}\n`);
    void client.close().then(() => process.exit(0));
  };
  client.on('episodeEnded', finish);
  process.once('SIGTERM', finish);
  await client.call('subscribe', { ticks: true, chunks: true, frameFps: Number(fpsText) || 0 });
  if (mode === 'slow') {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    timer = setInterval(() => {
      const t0 = performance.now();
      Atomics.wait(cell, 0, 0, BLOCK_MS);
      blockedMs += performance.now() - t0;
    }, EVERY_MS);
  }
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
