// A websocket server whose every reply a test scripts by hand: for misbehaving-server cases the built-in server
// must never produce (garbage frames, wrong shapes, silence).
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface RawServer {
  readonly url: string;
  readonly port: number;
  readonly connections: () => number;
  close(): Promise<void>;
}

export async function startRawServer(onConnection: (ws: WebSocket, index: number) => void): Promise<RawServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let count = 0;
  wss.on('connection', (ws) => onConnection(ws, count++));
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
