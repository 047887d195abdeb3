// Client for the awesome-lerobot websocket inference protocol (msgpack maps with a "type" field).
// Protocol facts: shared/reference/policy-protocols.md §2. Stock servers return one step per select_action;
// our built-in server also answers get_stats / configure and says so in its pong.
import { decodePolicyFrame, encodePolicyFrame, type WireValue } from '../../core/ndarray';
import type { FrameSocket } from './frameSocket';
import { readActions } from './openPiClient';
import type { InferOptions, PolicyClient, PolicyObservation, PolicyResult } from './policyClient';
import { PolicyProtocolError, PolicyServerError, PolicyUnsupportedError } from './policyErrors';
import { RequestReplyClient, describeValue, isPlainMap, type RoundTrip } from './requestReplyClient';

/** Operations a server may offer beyond select_action / reset / ping. */
export type LeRobotCapability = 'get_stats' | 'configure';

export class LeRobotWsClient extends RequestReplyClient implements PolicyClient {
  readonly protocol = 'lerobot-ws' as const;
  private capabilities: ReadonlySet<string> = new Set();

  get metadata(): { readonly [key: string]: WireValue } | undefined {
    return { capabilities: [...this.capabilities] };
  }

  /** A fresh connection learns the server's optional operations from a ping. */
  protected async onOpen(socket: FrameSocket): Promise<void> {
    socket.send(encodePolicyFrame({ type: 'ping' }));
    const frame = await socket.next(this.connectTimeoutMs, 'ping after connect');
    const reply = this.decodeMessage(frame.data, frame.binary, 'ping');
    expectType(reply, 'pong', this.url);
    const caps = reply.capabilities;
    this.capabilities = new Set(Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : []);
  }

  protected textFrameError(text: string): Error {
    return new PolicyProtocolError(`the server at ${this.url} sent a text frame; the awesome-lerobot protocol is ` +
      `binary msgpack only: ${text.slice(0, 500)}`);
  }

  supports(capability: LeRobotCapability): boolean {
    return this.capabilities.has(capability);
  }

  /** One `select_action` round trip; the reply's single step (or chunk) becomes an ActionChunk. */
  async infer(observation: PolicyObservation, options: InferOptions = {}): Promise<PolicyResult> {
    const rt = await this.request({ type: 'select_action', observation }, 'action_response', 'select_action', options.timeoutMs, options.signal);
    const actions = readActions(rt.reply, 'action', this.url);
    const st = rt.reply.server_timing;
    const inferMs = isPlainMap(st ?? null) && typeof (st as { infer_ms?: unknown }).infer_ms === 'number'
      ? (st as { infer_ms: number }).infer_ms : undefined;
    return {
      actions,
      serverTiming: inferMs === undefined ? undefined : { inferMs },
      clientTiming: {
        encodeMs: rt.encodeMs,
        sendToFirstByteMs: rt.sendToFirstByteMs,
        decodeMs: rt.decodeMs,
        totalMs: rt.totalMs,
        networkMs: inferMs === undefined ? undefined : Math.max(0, rt.sendToFirstByteMs - inferMs),
      },
      raw: rt.reply,
    };
  }

  async reset(signal?: AbortSignal): Promise<void> {
    const rt = await this.request({ type: 'reset' }, 'reset_response', 'reset', undefined, signal);
    if (rt.reply.status !== undefined && rt.reply.status !== 'success') {
      throw new PolicyServerError(this.url, `reset answered status ${String(rt.reply.status)}`);
    }
  }

  async ping(signal?: AbortSignal): Promise<number> {
    const rt = await this.request({ type: 'ping' }, 'pong', 'ping', undefined, signal);
    return rt.totalMs;
  }

  async healthy(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.ping(signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Server-side statistics (our built-in server; stock awesome-lerobot servers have none). */
  async getStats(signal?: AbortSignal): Promise<{ readonly [key: string]: WireValue }> {
    await this.connect(signal);
    this.requireCapability('get_stats');
    const rt = await this.request({ type: 'get_stats' }, 'stats_response', 'get_stats', undefined, signal);
    const stats = rt.reply.stats;
    return isPlainMap(stats ?? null) ? (stats as { [key: string]: WireValue }) : {};
  }

  /** Changes server-side settings (our built-in server: latency, horizon); returns the settings now in force. */
  async configure(config: { [key: string]: WireValue }, signal?: AbortSignal): Promise<{ readonly [key: string]: WireValue }> {
    await this.connect(signal);
    this.requireCapability('configure');
    const rt = await this.request({ type: 'configure', config }, 'configure_response', 'configure', undefined, signal);
    const applied = rt.reply.config;
    return isPlainMap(applied ?? null) ? (applied as { [key: string]: WireValue }) : {};
  }

  private requireCapability(c: LeRobotCapability): void {
    if (!this.capabilities.has(c)) {
      throw new PolicyUnsupportedError(`the server at ${this.url} does not offer "${c}" (its pong lists: ` +
        `${[...this.capabilities].join(', ') || 'nothing'}); stock awesome-lerobot servers only know select_action, reset and ping`);
    }
  }

  private async request(message: { [key: string]: WireValue }, replyType: string, operation: string,
    timeoutMs?: number, signal?: AbortSignal): Promise<RoundTrip> {
    // Close 1011 (the stock server's handler died) arrives as PolicyServerError from roundTrip.
    const rt: RoundTrip = await this.roundTrip(message, operation, timeoutMs, signal);
    if (rt.reply.type === 'error') {
      throw new PolicyServerError(this.url, typeof rt.reply.message === 'string' ? rt.reply.message : 'unspecified error');
    }
    expectType(rt.reply, replyType, this.url);
    return rt;
  }

  private decodeMessage(data: Uint8Array, binary: boolean, operation: string): { [key: string]: WireValue } {
    if (!binary) throw this.textFrameError(new TextDecoder().decode(data));
    const value = decodePolicyFrame(data);
    if (!isPlainMap(value)) throw new PolicyProtocolError(`${operation}: expected a map from ${this.url}, got ${describeValue(value)}`);
    return value;
  }
}

function expectType(reply: { readonly [key: string]: WireValue }, type: string, url: string): void {
  if (reply.type !== type) {
    throw new PolicyProtocolError(`expected a "${type}" message from ${url}, got type ${JSON.stringify(reply.type ?? null)}`);
  }
}

