// Client frames to a loopback policy server carry an all-zero masking key (no XOR of ~300 KB per request), as the
// bytes on the wire show; remote URLs keep ws's random keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { FrameSocket, maskGeneratorFor } from '../../src/io/policy/frameSocket';

/** A websocket server by hand: answers the upgrade, then hands over the raw bytes of the first client frame. */
async function rawFrameServer(): Promise<{ port: number; firstFrame: Promise<Buffer>; close(): void }> {
  let resolveFrame!: (b: Buffer) => void;
  const firstFrame = new Promise<Buffer>((r) => {
    resolveFrame = r;
  });
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(buffered.subarray(0, end).toString())![1];
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        upgraded = true;
        buffered = buffered.subarray(end + 4);
      }
      if (buffered.length >= 2 + 8 + 4) resolveFrame(buffered);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    firstFrame,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

test('a frame to a loopback server is masked with an all-zero key, so its payload is sent as is', async () => {
  const server = await rawFrameServer();
  try {
    const socket = await FrameSocket.open(`ws://127.0.0.1:${server.port}`, { timeoutMs: 5000 });
    const payload = Buffer.alloc(70_000, 0xab); // long enough for the 8-byte length form
    socket.send(payload);
    const frame = await server.firstFrame;
    assert.equal(frame[1] & 0x80, 0x80, 'a client frame is marked masked, as RFC 6455 requires');
    assert.equal(frame[1] & 0x7f, 127, 'the 8-byte length form');
    assert.deepEqual([...frame.subarray(10, 14)], [0, 0, 0, 0], 'the masking key is zero');
    assert.equal(frame[14], 0xab, 'the payload is not XOR-ed');
    socket.close();
  } finally {
    server.close();
  }
});

test('only loopback hosts get zero keys', () => {
  for (const url of ['ws://127.0.0.1:8000', 'ws://localhost:8000', 'ws://[::1]:8000', 'ws://127.3.2.1:9']) {
    const mask = Buffer.from([1, 2, 3, 4]);
    const gen = maskGeneratorFor(url);
    assert.ok(gen, url);
    gen(mask);
    assert.deepEqual([...mask], [0, 0, 0, 0], url);
  }
  for (const url of ['ws://10.0.0.5:8000', 'wss://gpu.example.com/policy', 'ws://192.168.1.20:8000', 'not a url']) {
    assert.equal(maskGeneratorFor(url), undefined, url);
  }
});
