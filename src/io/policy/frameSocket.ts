// One websocket connection used strictly request→reply: frames are queued in arrival order and read with
// a timeout. Both policy clients sit on it.
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { isLoopbackHost, urlHost } from '../../core/config/policyHostNotice';
import {
  PolicyClosedError,
  PolicyConnectionError,
  PolicyProtocolError,
  PolicyTimeoutError,
  describeConnectError,
} from './policyErrors';

/**
 * The masking-key generator for a client connection to `url`: all-zero keys on loopback, ws's random ones elsewhere.
 * Masking guards against intermediaries (proxy cache poisoning, RFC 6455 §10.3), which a loopback connection does not
 * have, and XOR-ing every ~300 KB observation in JavaScript was half the CPU of a local round trip; with a zero key ws
 * skips the XOR on both ends. Remote hosts keep random keys.
 */
export function maskGeneratorFor(url: string): ((mask: Buffer) => void) | undefined {
  const host = urlHost(url);
  return host !== undefined && isLoopbackHost(host)
    ? (mask) => {
        mask.fill(0);
      }
    : undefined;
}

export interface Frame {
  readonly data: Uint8Array;
  readonly binary: boolean;
}

export interface FrameSocketOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Offer permessage-deflate (default false: images do not compress and it costs CPU on every tick). */
  readonly perMessageDeflate?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

// A request→reply protocol never has more than a couple of unread frames; more means a misbehaving peer.
const MAX_QUEUED_FRAMES = 8;

export class FrameSocket {
  private readonly queue: Frame[] = [];
  private waiter: { operation: string; resolve: (f: Frame) => void; reject: (e: Error) => void } | undefined;
  private closeInfo: { code: number; reason: string } | undefined;
  private failure: Error | undefined;
  private firstByteAt = 0;
  private awaitingFirstByte = false;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
    socket: Socket | undefined,
  ) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : data;
      this.deliver({ data: bytes, binary: isBinary });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
      const w = this.waiter;
      this.waiter = undefined;
      w?.reject(new PolicyClosedError(this.url, code, this.closeInfo.reason, w.operation));
    });
    ws.on('error', (err: Error) => {
      this.failure = new PolicyConnectionError(this.url, describeConnectError(err, this.url), { cause: err });
      this.failWaiter(this.failure);
    });
    socket?.on('data', () => {
      if (this.awaitingFirstByte) {
        this.awaitingFirstByte = false;
        this.firstByteAt = performance.now();
      }
    });
  }

  /** Opens a connection; rejects with PolicyConnectionError (with advice) or PolicyTimeoutError. */
  static open(url: string, options: FrameSocketOptions): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason ?? new Error('aborted'));
        return;
      }
      let socket: Socket | undefined;
      const ws = new WebSocket(url, {
        perMessageDeflate: options.perMessageDeflate ?? false,
        handshakeTimeout: options.timeoutMs,
        maxPayload: 0, // unlimited, as openpi's max_size=None
        headers: options.headers ? { ...options.headers } : undefined,
        generateMask: maskGeneratorFor(url),
      });
      const onAbort = () => {
        ws.terminate();
        reject(options.signal?.reason ?? new Error('aborted'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        options.signal?.removeEventListener('abort', onAbort);
        ws.removeAllListeners('open');
        ws.removeAllListeners('unexpected-response');
      };
      ws.once('upgrade', (res) => {
        socket = res.socket as Socket;
      });
      ws.once('open', () => {
        settle();
        ws.removeAllListeners('error');
        resolve(new FrameSocket(ws, url, socket));
      });
      ws.once('unexpected-response', (_req, res) => {
        settle();
        ws.terminate();
        const status = res.statusCode ?? 0;
        const why =
          status >= 500
            ? 'the server is up but refuses policy connections (starting, overloaded or shutting down; its log says which)'
            : "is this the policy server's port?";
        reject(
          new PolicyConnectionError(
            url,
            `the server answered HTTP ${status} instead of upgrading to a websocket` +
              `${res.statusMessage ? ` (${res.statusMessage})` : ''}; ${why}`,
          ),
        );
      });
      ws.once('error', (err: Error) => {
        settle();
        if (/timeout/i.test(err.message))
          reject(new PolicyTimeoutError(url, 'opening the websocket', options.timeoutMs));
        else reject(new PolicyConnectionError(url, describeConnectError(err, url), { cause: err }));
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** How the connection ended, for messages ("closed with 1006", a socket error); undefined while it is open. */
  get ending(): string | undefined {
    if (this.failure) return this.failure.message;
    if (this.closeInfo)
      return `it closed the connection (${this.closeInfo.code}${this.closeInfo.reason ? `: ${this.closeInfo.reason}` : ''})`;
    return undefined;
  }

  /** Sends one binary frame and starts the send→first-byte clock. */
  send(bytes: Uint8Array): void {
    if (!this.isOpen)
      throw this.failure ?? new PolicyClosedError(this.url, this.closeInfo?.code ?? 1006, this.closeInfo?.reason ?? '');
    this.awaitingFirstByte = true;
    this.firstByteAt = 0;
    this.ws.send(bytes, { binary: true });
  }

  /** Sends one text frame (only the error path of the protocol uses these). */
  sendText(text: string): void {
    this.ws.send(text, { binary: false });
  }

  /** performance.now() when the first byte after the last send() arrived, or 0. */
  get lastFirstByteAt(): number {
    return this.firstByteAt;
  }

  /** The next frame in arrival order; rejects on close, socket error or timeout. */
  next(timeoutMs: number, operation: string, signal?: AbortSignal): Promise<Frame> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (this.closeInfo)
      return Promise.reject(new PolicyClosedError(this.url, this.closeInfo.code, this.closeInfo.reason, operation));
    if (this.waiter)
      return Promise.reject(new PolicyProtocolError('only one request may wait on a policy connection at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        signal?.removeEventListener('abort', onAbort);
        reject(new PolicyTimeoutError(this.url, operation, timeoutMs));
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        operation,
        resolve: (f) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
    });
  }

  /** Closes politely, then forcibly after `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, graceMs);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
      else if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    });
  }

  /** Drops the connection at once (used after a timeout so a late reply is never read). */
  destroy(): void {
    this.queue.length = 0;
    this.ws.terminate();
  }

  private deliver(frame: Frame): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
      return;
    }
    if (this.queue.length >= MAX_QUEUED_FRAMES) {
      this.failure = new PolicyProtocolError(
        `the policy server at ${this.url} sent ${MAX_QUEUED_FRAMES}+ frames ` +
          'nobody asked for; this does not look like a request→reply policy server',
      );
      this.ws.terminate();
      return;
    }
    this.queue.push(frame);
  }

  private failWaiter(err: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }
}
