// Client for the awesome-lerobot websocket inference protocol (msgpack maps with a "type" field).
// Protocol facts: shared/reference/policy-protocols.md §2. Stock servers return one step per select_action;
// our built-in server also answers get_stats / configure and says so in its pong.
import { PolicyFrameError, encodePolicyFrame, type WireValue } from '../../core/protocols';
import {
  LeRobotMessageError,
  decodeLeRobotMessage,
  parseLeRobotMessage,
  type LeRobotMessage,
} from '../../core/protocols/leRobotMessage';
import type { FrameSocket } from './frameSocket';
import { readActions } from './openPiClient';
import type { InferOptions, PolicyClient, PolicyObservation, PolicyResult } from './policyClient';
import { PolicyProtocolError, PolicyServerError, PolicyUnsupportedError } from './policyErrors';
import { RequestReplyClient, type RoundTrip } from './requestReplyClient';

type MessageOf<T extends LeRobotMessage['type']> = Extract<LeRobotMessage, { readonly type: T }>;

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
    const reply = this.expect(this.decodeMessage(frame.data, frame.binary, 'ping'), 'pong');
    this.capabilities = new Set(reply.capabilities);
  }

  protected textFrameError(text: string): Error {
    return new PolicyProtocolError(
      `the server at ${this.url} sent a text frame; the awesome-lerobot protocol is ` +
        `binary msgpack only: ${text.slice(0, 500)}`,
    );
  }

  supports(capability: LeRobotCapability): boolean {
    return this.capabilities.has(capability);
  }

  /** One `select_action` round trip; the reply's single step (or chunk) becomes an ActionChunk. */
  async infer(observation: PolicyObservation, options: InferOptions = {}): Promise<PolicyResult> {
    const { rt, msg } = await this.request(
      { type: 'select_action', observation },
      'action_response',
      'select_action',
      options.timeoutMs,
      options.signal,
    );
    const actions = readActions(rt.reply, 'action', this.url);
    const inferMs = msg.inferMs;
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
    const { msg } = await this.request({ type: 'reset' }, 'reset_response', 'reset', undefined, signal);
    if (msg.status !== undefined && msg.status !== 'success') {
      throw new PolicyServerError(this.url, `reset answered status ${msg.status}`);
    }
  }

  async ping(signal?: AbortSignal): Promise<number> {
    const { rt } = await this.request({ type: 'ping' }, 'pong', 'ping', undefined, signal);
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
    const { msg } = await this.request({ type: 'get_stats' }, 'stats_response', 'get_stats', undefined, signal);
    return msg.stats;
  }

  /** Changes server-side settings (our built-in server: latency, horizon); returns the settings now in force. */
  async configure(
    config: { [key: string]: WireValue },
    signal?: AbortSignal,
  ): Promise<{ readonly [key: string]: WireValue }> {
    await this.connect(signal);
    this.requireCapability('configure');
    const { msg } = await this.request(
      { type: 'configure', config },
      'configure_response',
      'configure',
      undefined,
      signal,
    );
    return msg.config;
  }

  private requireCapability(c: LeRobotCapability): void {
    if (!this.capabilities.has(c)) {
      throw new PolicyUnsupportedError(
        `the server at ${this.url} does not offer "${c}" (its pong lists: ` +
          `${[...this.capabilities].join(', ') || 'nothing'}); stock awesome-lerobot servers only know select_action, reset and ping`,
      );
    }
  }

  private async request<T extends LeRobotMessage['type']>(
    message: { [key: string]: WireValue },
    replyType: T,
    operation: string,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<{ rt: RoundTrip; msg: MessageOf<T> }> {
    // Close 1011 (the stock server's handler died) arrives as PolicyServerError from roundTrip.
    const rt: RoundTrip = await this.roundTrip(message, operation, timeoutMs, signal);
    let msg: LeRobotMessage;
    try {
      msg = parseLeRobotMessage(rt.reply);
    } catch (err) {
      throw this.protocolError(err, operation);
    }
    return { rt, msg: this.expect(msg, replyType) };
  }

  private expect<T extends LeRobotMessage['type']>(msg: LeRobotMessage, type: T): MessageOf<T> {
    if (msg.type === 'error') throw new PolicyServerError(this.url, msg.message);
    if (msg.type !== type)
      throw new PolicyProtocolError(
        `expected a "${type}" message from ${this.url}, got type ${JSON.stringify(msg.type)}`,
      );
    return msg as MessageOf<T>;
  }

  private decodeMessage(data: Uint8Array, binary: boolean, operation: string): LeRobotMessage {
    if (!binary) throw this.textFrameError(new TextDecoder().decode(data));
    try {
      return decodeLeRobotMessage(data);
    } catch (err) {
      throw this.protocolError(err, operation);
    }
  }

  private protocolError(err: unknown, operation: string): unknown {
    if (!(err instanceof LeRobotMessageError || err instanceof PolicyFrameError)) return err;
    return new PolicyProtocolError(
      `${operation}: the reply from ${this.url} is not a valid awesome-lerobot message: ${err.message}`,
      { cause: err },
    );
  }
}
