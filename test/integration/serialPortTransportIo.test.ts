// SerialPortTransport's own fd I/O on a bare socat pty pair: a write the kernel cannot take at once (EAGAIN, a short
// write) falls back to serialport's path, and every byte still arrives once and in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;
const skip = socatMissing ? 'socat is not installed (sudo apt install socat)' : false;
const T = { timeout: 120_000, skip };

let dir: string;
let socat: ChildProcess | undefined;

before(async () => {
  if (socatMissing) return;
  dir = await mkdtemp(join(tmpdir(), 'so100-io-test-'));
  socat = spawn('socat', [`pty,raw,echo=0,link=${join(dir, 'a')}`, `pty,raw,echo=0,link=${join(dir, 'b')}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200 && !(existsSync(join(dir, 'a')) && existsSync(join(dir, 'b'))); i++)
    await new Promise((r) => setTimeout(r, 25));
});

after(async () => {
  socat?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('writes past what the pty holds fall back to serialport and keep their order', T, async () => {
  const a = await SerialPortTransport.open(join(dir, 'a'));
  const b = await SerialPortTransport.open(join(dir, 'b'));
  try {
    const CHUNK = 1000;
    const CHUNKS = 400; // 400 KB: far more than the pty buffers and socat hold while nobody reads
    const received: number[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) =>
      b.onData((bytes) => {
        for (const x of bytes) received.push(x); // copied: the view is reused
        total += bytes.length;
        if (total >= CHUNK * CHUNKS) resolve();
      }),
    );
    const writes: Promise<void>[] = [];
    for (let c = 0; c < CHUNKS; c++) {
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) chunk[i] = (c * 7 + i) & 0xff;
      writes.push(a.write(chunk));
    }
    await Promise.all(writes);
    await done;
    assert.equal(total, CHUNK * CHUNKS);
    for (let c = 0; c < CHUNKS; c++)
      for (let i = 0; i < CHUNK; i++)
        if (received[c * CHUNK + i] !== ((c * 7 + i) & 0xff)) assert.fail(`byte ${i} of chunk ${c} out of order`);
  } finally {
    await a.close();
    await b.close();
  }
});
