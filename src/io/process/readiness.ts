// Readiness probes: does the inference server answer yet? Each call is one short attempt; the supervisor
// polls. A probe resolves false for "not yet" (refused, reset, slow) and true only on a real answer.
import { request } from 'node:http';
import WebSocket from 'ws';
import { decode, encode } from '@msgpack/msgpack';

/** Per-attempt limits. openpi answers /healthz late while it infers (policy-protocols §1.7): slow ≠ dead. */
export const HEALTHZ_ATTEMPT_MS = 2000;
export const WS_ATTEMPT_MS = 3000;

/** What one GET /healthz told: 200, answered HTTP without a health route, nothing listening, or no answer in time. */
export type HealthzResult = 'ok' | 'absent' | 'refused' | 'busy';

/** One GET http://host:port/healthz attempt, classified. */
export function probeHealthz(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs = HEALTHZ_ATTEMPT_MS,
): Promise<HealthzResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('refused');
    let settled = false;
    const finish = (r: HealthzResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const req = request({ host: connectHost(host), port, path: '/healthz', method: 'GET', agent: false });
    const timer = setTimeout(() => finish('busy'), timeoutMs);
    const onAbort = (): void => finish('refused');
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode === 200 ? 'ok' : 'absent');
    });
    // Refused, reset, or a non-HTTP peer: not ready yet, keep polling.
    req.on('error', () => finish('refused'));
    req.end();
  });
}

/** True when GET /healthz answers 200 (openpi servers since 2025-05-30). */
export async function httpHealthz(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs = HEALTHZ_ATTEMPT_MS,
): Promise<boolean> {
  return (await probeHealthz(host, port, signal, timeoutMs)) === 'ok';
}

/** True when an openpi websocket sends its first frame, the binary metadata (for servers without /healthz). */
export function openPiMetadataReady(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs = WS_ATTEMPT_MS,
): Promise<boolean> {
  return wsAttempt(host, port, signal, timeoutMs, (_ws, _data, isBinary) => isBinary);
}

/** True when an awesome-lerobot server answers msgpack {"type":"ping"} with {"type":"pong"}. */
export function leRobotPingReady(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs = WS_ATTEMPT_MS,
): Promise<boolean> {
  return wsAttempt(
    host,
    port,
    signal,
    timeoutMs,
    (_ws, data, isBinary) => {
      if (!isBinary) return false;
      try {
        const reply = decode(data);
        return typeof reply === 'object' && reply !== null && (reply as { type?: unknown }).type === 'pong';
      } catch {
        return false;
      }
    },
    (ws) => ws.send(encode({ type: 'ping' }), { binary: true }),
  );
}

/** openpi: /healthz, or the metadata frame when the server answers HTTP without that route. */
export async function openPiReady(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  const health = await probeHealthz(host, port, signal);
  if (health === 'ok') return true;
  if (health === 'absent') return openPiMetadataReady(host, port, signal);
  return false;
}

/** A wildcard listen address is not something to connect to; probe loopback instead. */
export function connectHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

function wsUrl(host: string, port: number): string {
  const h = connectHost(host);
  return `ws://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}/`;
}

type Decide = (ws: WebSocket, data: Uint8Array, isBinary: boolean) => boolean;

/** One websocket connection: resolves with `decide`'s verdict on the first message, false on anything else. */
function wsAttempt(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
  decide: Decide,
  onOpen?: (ws: WebSocket) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    let settled = false;
    const ws = new WebSocket(wsUrl(host, port), { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const finish = (ready: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      closeQuietly(ws);
      resolve(ready);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('open', () => {
      try {
        onOpen?.(ws);
      } catch {
        finish(false);
      }
    });
    ws.on('message', (data, isBinary) => finish(decide(ws, toBytes(data), isBinary)));
    ws.on('unexpected-response', () => finish(false));
    ws.on('error', () => finish(false));
    ws.on('close', () => finish(false));
  });
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Polite close when open; otherwise drop the socket. Never leaves a timer that keeps Node alive. */
function closeQuietly(ws: WebSocket): void {
  ws.removeAllListeners();
  ws.on('error', () => {});
  if (ws.readyState === WebSocket.OPEN) {
    ws.close(1000);
    // ws waits up to 30 s for the peer's close frame; do not let a dying server hold us that long.
    const t = setTimeout(() => ws.terminate(), 1000);
    t.unref();
    ws.once('close', () => clearTimeout(t));
  } else {
    ws.terminate();
  }
}
