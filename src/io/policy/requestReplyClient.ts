// Connection handling shared by both policy clients: connect with backoff, one request at a time, a timeout
// that discards the connection, and client-side timing of every round trip.
import { setTimeout as sleep } from 'node:timers/promises';
import { BackoffPolicy, DEFAULT_BACKOFF, backoffDelayMs } from '../../core/retry/backoff';
import { PolicyFrameEncoder, decodePolicyFrame, type WireValue } from '../../core/protocols';
import { FrameSocket, type Frame } from './frameSocket';
import {
  PolicyConnectionError,
  PolicyError,
  PolicyProtocolError,
  PolicyTimeoutError,
  serverFailureFromClose,
} from './policyErrors';

export interface RequestReplyOptions {
  /** Per connection attempt, including the openpi metadata frame. */
  readonly connectTimeoutMs?: number;
  /** Per request unless the call gives its own. First π₀ inferences compile for seconds: be generous. */
  readonly requestTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Injected for tests; Math.random otherwise. */
  readonly random?: () => number;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Told when a connection that was lost by itself (the server closed it between requests) or that took more than
   * one attempt had to be re-opened: the request succeeded, but the arm waited and the user should know why.
   */
  readonly onReconnected?: (message: string) => void;
}

export interface RoundTrip {
  readonly reply: { readonly [key: string]: WireValue };
  readonly encodeMs: number;
  readonly sendToFirstByteMs: number;
  readonly decodeMs: number;
  readonly totalMs: number;
}

/** Turns "host:port", "ws://host:port" or "wss://…" into a ws URL. */
export function normalizePolicyUrl(target: string): string {
  if (/^wss?:\/\//.test(target)) return target;
  if (/^https?:\/\//.test(target)) return target.replace(/^http/, 'ws');
  return `ws://${target}`;
}

export abstract class RequestReplyClient implements AsyncDisposable {
  readonly url: string;
  protected readonly connectTimeoutMs: number;
  protected readonly requestTimeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly headers: Readonly<Record<string, string>> | undefined;
  private readonly onReconnected: ((message: string) => void) | undefined;
  /** A connection was open before: the next open is a reconnect. */
  private everConnected = false;
  private readonly encoder = new PolicyFrameEncoder();
  private socket: FrameSocket | undefined;
  private connecting: Promise<OpenedSocket> | undefined;
  private busy = false;
  private closed = false;

  constructor(target: string, options: RequestReplyOptions = {}) {
    this.url = normalizePolicyUrl(target);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.headers = options.headers;
    this.onReconnected = options.onReconnected;
  }

  get connected(): boolean {
    return this.socket?.isOpen ?? false;
  }

  /** Called on every fresh connection before it is used (openpi reads its metadata frame here). */
  protected abstract onOpen(socket: FrameSocket): Promise<void>;

  async connect(signal?: AbortSignal): Promise<void> {
    await this.ensureSocket(signal);
  }

  /** Sends one request and returns the decoded reply map. Never retries a request: a stale observation is worse. */
  protected async roundTrip(
    request: WireValue,
    operation: string,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<RoundTrip> {
    if (this.busy)
      throw new PolicyError(
        `${operation}: another request to ${this.url} is still running; the protocol allows one at a time`,
      );
    this.busy = true;
    try {
      const socket = await this.ensureSocket(signal);
      const t0 = performance.now();
      const bytes = this.encoder.encode(request);
      const t1 = performance.now();
      socket.send(bytes);
      let frame: Frame;
      try {
        frame = await socket.next(timeoutMs ?? this.requestTimeoutMs, operation, signal);
      } catch (err) {
        this.dropSocket(socket);
        throw serverFailureFromClose(err, this.url);
      }
      const t2 = performance.now();
      if (!frame.binary) {
        this.dropSocket(socket);
        throw this.textFrameError(new TextDecoder().decode(frame.data));
      }
      let reply: WireValue;
      try {
        reply = decodePolicyFrame(frame.data);
      } catch (err) {
        this.dropSocket(socket);
        throw new PolicyProtocolError(
          `${operation}: the reply from ${this.url} is not a valid msgpack-numpy frame: ` +
            `${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      const t3 = performance.now();
      if (!isPlainMap(reply)) {
        this.dropSocket(socket);
        throw new PolicyProtocolError(`${operation}: expected a map from ${this.url}, got ${describeValue(reply)}`);
      }
      const firstByte = socket.lastFirstByteAt || t2;
      return { reply, encodeMs: t1 - t0, sendToFirstByteMs: firstByte - t1, decodeMs: t3 - t2, totalMs: t3 - t0 };
    } finally {
      this.busy = false;
    }
  }

  /** Maps a text frame (the openpi error path) to the right error. */
  protected abstract textFrameError(text: string): Error;

  /** Closes the current connection; the next request opens a new one. */
  protected async reconnect(signal?: AbortSignal): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    await s?.close();
    await this.ensureSocket(signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    this.socket = undefined;
    await s?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  protected dropSocket(socket: FrameSocket): void {
    socket.destroy();
    if (this.socket === socket) this.socket = undefined;
  }

  private async ensureSocket(signal?: AbortSignal): Promise<FrameSocket> {
    if (this.closed) throw new PolicyError(`the client for ${this.url} is closed`);
    if (this.socket?.isOpen) return this.socket;
    // Still set: the server ended it between requests (ours are cleared when dropped or closed on purpose).
    const lostBy = this.socket?.ending;
    this.socket = undefined;
    const reconnect = this.everConnected;
    // Only the caller that starts the attempt reports it.
    const mine = this.connecting === undefined;
    this.connecting ??= this.openWithBackoff(signal).finally(() => {
      this.connecting = undefined;
    });
    const opened = await this.connecting;
    this.socket = opened.socket;
    this.everConnected = true;
    if (mine && reconnect && (lostBy !== undefined || opened.attempts > 1)) {
      const why = lostBy !== undefined ? `the server ended the last connection between requests (${lostBy}); ` : '';
      const tries =
        opened.attempts > 1
          ? ` on attempt ${opened.attempts}, after ${Math.round(opened.ms)} ms (${opened.firstError})`
          : '';
      this.onReconnected?.(
        `policy server at ${this.url}: ${why}reconnected${tries}; the request waited meanwhile (was the server restarted?)`,
      );
    }
    return this.socket;
  }

  private async openWithBackoff(signal?: AbortSignal): Promise<OpenedSocket> {
    let lastError: unknown;
    let firstError: string | undefined;
    const t0 = performance.now();
    for (let attempt = 1; attempt <= this.backoff.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffDelayMs(attempt - 1, this.backoff, this.random), undefined, { signal });
      let socket: FrameSocket | undefined;
      try {
        socket = await FrameSocket.open(this.url, { timeoutMs: this.connectTimeoutMs, signal, headers: this.headers });
        await this.onOpen(socket);
        return { socket, attempts: attempt, ms: performance.now() - t0, firstError };
      } catch (err) {
        socket?.destroy();
        if (signal?.aborted) throw err;
        // Only "not there yet" is worth retrying; a server that answers wrongly will not improve.
        if (!(err instanceof PolicyConnectionError || err instanceof PolicyTimeoutError)) throw err;
        lastError = err;
        firstError ??= err instanceof PolicyConnectionError ? err.detail : err.message;
      }
    }
    const detail =
      lastError instanceof PolicyConnectionError
        ? lastError.detail
        : lastError instanceof Error
          ? lastError.message
          : String(lastError);
    throw new PolicyConnectionError(this.url, `${detail} (gave up after ${this.backoff.maxAttempts} attempts)`, {
      cause: lastError,
    });
  }
}

interface OpenedSocket {
  readonly socket: FrameSocket;
  readonly attempts: number;
  readonly ms: number;
  /** Why the first attempt failed, when it did. */
  readonly firstError?: string;
}

export function isPlainMap(v: WireValue): v is { [key: string]: WireValue } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

export function describeValue(v: WireValue): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} raw bytes`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `a ${typeof v}`;
}
