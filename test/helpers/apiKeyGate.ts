// A policy server that checks openpi's `Authorization: Api-Key <key>` header: a websocket gate in front of a real
// server (the built-in one in the tests) that answers 401 unless the header carries the expected key, and records
// the header of every connection attempt.
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface ApiKeyGate {
  readonly url: string;
  /** The Authorization header of every connection attempt, in order (undefined: none sent). */
  readonly seen: (string | undefined)[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port) and forwards accepted connections to `upstream`, message for message. */
export async function startApiKeyGate(upstream: string, key: string): Promise<ApiKeyGate> {
  const seen: (string | undefined)[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    verifyClient: ({ req }, done) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === `Api-Key ${key}`) done(true);
      else done(false, 401, 'Unauthorized');
    },
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (client) => {
    const up = new WebSocket(upstream, { perMessageDeflate: false });
    const pending: Buffer[] = [];
    up.on('message', (d, isBinary) => client.send(d, { binary: isBinary }));
    up.on('open', () => pending.splice(0).forEach((d) => up.send(d)));
    up.on('error', () => client.terminate());
    client.on('message', (d: Buffer) => (up.readyState === WebSocket.OPEN ? up.send(d) : pending.push(d)));
    client.on('close', () => up.close());
    up.on('close', () => client.close());
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}
