// Client for openpi's websocket policy server (serve_policy.py), π₀ and π₀-FAST alike.
// Protocol facts: shared/reference/policy-protocols.md §1.
import { ActionChunk, ActionShapeError } from '../../core/chunking/actionChunk';
import { NdArray } from '../../core/ndarray';
import { OPENPI_PROTOCOL, decodePolicyFrame, type WireValue } from '../../core/protocols';
import { httpHealthz } from '../process/readiness';
import type { FrameSocket } from './frameSocket';
import type { InferOptions, PolicyClient, PolicyObservation, PolicyResult } from './policyClient';
import { PolicyProtocolError, PolicyServerError, PolicyTimeoutError } from './policyErrors';
import { RequestReplyClient, describeValue, isPlainMap, type RequestReplyOptions } from './requestReplyClient';

const KEY_HEADER = OPENPI_PROTOCOL.apiKeyHeader;

export interface OpenPiClientOptions extends RequestReplyOptions {
  /** Sent as `Authorization: Api-Key <key>` like openpi's client; stock servers ignore it. */
  readonly apiKey?: string;
}

export class OpenPiClient extends RequestReplyClient implements PolicyClient {
  readonly protocol = 'openpi' as const;
  private meta: { [key: string]: WireValue } | undefined;

  constructor(target: string, options: OpenPiClientOptions = {}) {
    super(target, {
      ...options,
      headers: options.apiKey
        ? { [KEY_HEADER.name]: `${KEY_HEADER.prefix}${options.apiKey}`, ...options.headers }
        : options.headers,
    });
  }

  get metadata(): { readonly [key: string]: WireValue } | undefined {
    return this.meta;
  }

  /** The server speaks first: one binary frame with the policy metadata. */
  protected async onOpen(socket: FrameSocket): Promise<void> {
    let frame;
    try {
      frame = await socket.next(this.connectTimeoutMs, 'waiting for the metadata frame');
    } catch (err) {
      // The websocket is open, so the server is there: waiting again will not bring the frame (not retried).
      if (!(err instanceof PolicyTimeoutError)) throw err;
      throw new PolicyProtocolError(
        `the server at ${this.url} accepted the connection but sent no metadata frame within ` +
          `${this.connectTimeoutMs} ms; an openpi server sends one at once. Is it an awesome-lerobot server (protocol ` +
          '"lerobot-ws"), or is the server stuck?',
        { cause: err },
      );
    }
    if (!frame.binary) throw new PolicyServerError(this.url, new TextDecoder().decode(frame.data));
    let meta: WireValue;
    try {
      meta = decodePolicyFrame(frame.data);
    } catch (err) {
      throw new PolicyProtocolError(
        `the first frame from ${this.url} is not msgpack policy metadata ` +
          `(${err instanceof Error ? err.message : String(err)}); is this an openpi server?`,
        { cause: err },
      );
    }
    if (!isPlainMap(meta)) {
      throw new PolicyProtocolError(`the metadata frame from ${this.url} should be a map, got ${describeValue(meta)}`);
    }
    this.meta = meta;
  }

  protected textFrameError(text: string): Error {
    return new PolicyServerError(this.url, text);
  }

  async infer(observation: PolicyObservation, options: InferOptions = {}): Promise<PolicyResult> {
    const rt = await this.roundTrip(observation, 'infer', options.timeoutMs, options.signal);
    const actions = readActions(rt.reply, 'actions', this.url);
    const serverTiming = readTiming(rt.reply.server_timing);
    const policyTiming = readTiming(rt.reply.policy_timing);
    return {
      actions,
      serverTiming: serverTiming && { inferMs: serverTiming.infer_ms, prevTotalMs: serverTiming.prev_total_ms },
      policyTiming: policyTiming && { inferMs: policyTiming.infer_ms },
      clientTiming: {
        encodeMs: rt.encodeMs,
        sendToFirstByteMs: rt.sendToFirstByteMs,
        decodeMs: rt.decodeMs,
        totalMs: rt.totalMs,
        networkMs: serverTiming ? Math.max(0, rt.sendToFirstByteMs - serverTiming.infer_ms) : undefined,
      },
      raw: rt.reply,
    };
  }

  /** openpi has no reset message; a fresh connection is the closest thing (and clears prev_total_ms). */
  async reset(signal?: AbortSignal): Promise<void> {
    await this.reconnect(signal);
  }

  async healthy(signal?: AbortSignal): Promise<boolean> {
    const u = new URL(this.url);
    return httpHealthz(
      u.hostname,
      Number(u.port || (u.protocol === 'wss:' ? 443 : 80)),
      signal ?? AbortSignal.timeout(this.connectTimeoutMs),
    );
  }
}

/** Reads reply[key] as an (H, D) action chunk, with errors that say what arrived instead. */
export function readActions(reply: { readonly [key: string]: WireValue }, key: string, url: string): ActionChunk {
  const value = reply[key];
  if (value === undefined) {
    throw new PolicyProtocolError(
      `the reply from ${url} has no "${key}"; it has: ${Object.keys(reply).join(', ') || 'nothing'}`,
    );
  }
  if (!(value instanceof NdArray)) {
    throw new PolicyProtocolError(`"${key}" from ${url} should be an ndarray, got ${describeValue(value)}`);
  }
  if (value.dtype === '|b1') {
    throw new PolicyProtocolError(
      `"${key}" from ${url} has dtype ${value.dtype}; actions must be numbers (<f4 or <f8)`,
    );
  }
  if (!value.dtype.includes('f')) {
    // Integers are no joint targets; an integer chunk is usually π₀-FAST's action tokens, not decoded.
    throw new PolicyProtocolError(
      `"${key}" from ${url} has integer dtype ${value.dtype}; actions must be floats (<f4 or <f8). ` +
        "Integer actions are usually undecoded π₀-FAST tokens: check the server's output transforms",
    );
  }
  try {
    return ActionChunk.fromShaped(value.shape, value.toFloat64(), key);
  } catch (err) {
    if (err instanceof ActionShapeError) throw new PolicyProtocolError(`${err.message} (from ${url})`, { cause: err });
    throw err;
  }
}

function readTiming(v: WireValue | undefined): { infer_ms: number; prev_total_ms?: number } | undefined {
  if (v === undefined || !isPlainMap(v)) return undefined;
  const infer = v.infer_ms;
  if (typeof infer !== 'number') return undefined;
  const prev = v.prev_total_ms;
  return { infer_ms: infer, prev_total_ms: typeof prev === 'number' ? prev : undefined };
}
