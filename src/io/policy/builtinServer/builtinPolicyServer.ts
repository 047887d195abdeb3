// The built-in policy server: openpi's websocket protocol byte for byte (metadata first, /healthz, timing keys,
// traceback text + close 1011 on errors, no compression), or the awesome-lerobot protocol. It serves the
// deterministic demo policy, so the whole flow runs without a GPU or model files. Replies are fresh buffers, not a
// reused encoder view: the socket may still be writing one when the next is encoded. `faults` (a plain mutable object)
// makes it misbehave on purpose, for the fault-injection suite and `so100 serve --fault`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { customizeProfile, type ModelProfile } from '../../../core/policy/modelProfiles';
import { Float64Value, decodePolicyFrame, encodePolicyFrame, type WireValue } from '../../../core/ndarray';
import { decodeLeRobotMessage, type LeRobotMessage } from '../../../core/policy/leRobotMessage';
import { noPolicyFaults, type PolicyServerFaults } from '../../../core/policy/policyServerFaults';
import type { PolicyProtocol } from '../../process/serverSpec';
import { FAULT_TRACEBACK, GARBAGE_REPLY, actionsWithFaults } from './faultyReplies';
import { observationState } from './observationState';
import { ServerPolicy } from './serverPolicy';
import type { BuiltinPolicyName } from '../../../core/policy/holdPolicy';

export interface BuiltinServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly protocol: PolicyProtocol;
  readonly profile: ModelProfile;
  /** What plans the chunks: the demo (default) or `hold` (the measured state, no motion, no planning cost). */
  readonly policy?: BuiltinPolicyName;
  readonly log?: (line: string) => void;
  /** Injected faults; the server reads the object on every connection and request, so mutate it to switch them. */
  readonly faults?: PolicyServerFaults;
  /**
   * What the `crashAfterRequests` fault does. Default: drop every connection without a close frame and stop
   * listening, as a dead process would; `so100 serve` exits instead.
   */
  readonly onCrash?: () => void;
}

export interface BuiltinServerStats {
  connections: number;
  requests: number;
  errors: number;
}

const CLOSE_REASON_1011 = 'Internal server error. Traceback included in previous frame.';
// A request→reply client never has more than one request in flight; anything past this is dropped with an error.
const MAX_PENDING_PER_CONNECTION = 4;

export class BuiltinPolicyServer implements AsyncDisposable {
  readonly stats: BuiltinServerStats = { connections: 0, requests: 0, errors: 0 };
  private profile: ModelProfile;
  readonly faults: PolicyServerFaults;
  private readonly sockets = new Set<WebSocket>();
  private received = 0;
  private crashed = false;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly protocol: PolicyProtocol,
    profile: ModelProfile,
    private readonly log: (line: string) => void,
    faults: PolicyServerFaults | undefined,
    private readonly onCrash: (() => void) | undefined,
    readonly policyName: BuiltinPolicyName,
  ) {
    this.profile = profile;
    this.faults = faults ?? noPolicyFaults();
  }

  /** Starts listening; resolves once the port is bound. Rejects with RangeError for a profile it cannot serve. */
  static async start(options: BuiltinServerOptions): Promise<BuiltinPolicyServer> {
    // Checked here, not per connection: a bad profile must fail the start, not every client.
    const profile = customizeProfile(options.profile, {});
    const log = options.log ?? (() => {});
    const http = createServer((req, res) => BuiltinPolicyServer.answerHttp(req, res));
    // openpi runs websockets with compression=None; awesome-lerobot keeps websockets' default (deflate on offer).
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: options.protocol === 'lerobot-ws',
      maxPayload: 0,
    });
    const server = new BuiltinPolicyServer(
      http,
      wss,
      options.protocol,
      profile,
      log,
      options.faults,
      options.onCrash,
      options.policy ?? 'demo',
    );
    http.on('upgrade', (req, socket, head) => {
      if (server.faults.refuseConnections) {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n' +
            'policy connections are refused (so100 serve --fault refuse)\n',
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => server.accept(ws));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.http.address() as AddressInfo).address;
  }

  get url(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `ws://${h}:${this.port}`;
  }

  get currentProfile(): ModelProfile {
    return this.profile;
  }

  /** Drops every open connection without a close frame (a network cut, a restarting proxy); new ones are accepted. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private static answerHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('OK\n');
      return;
    }
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    res.end('This is a policy server: connect with a websocket client, or GET /healthz.\n');
  }

  private accept(ws: WebSocket): void {
    this.stats.connections++;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', (err) => this.log(`connection error: ${err.message}`));
    const session = this.protocol === 'openpi' ? new OpenPiSession(this, ws) : new LeRobotSession(this, ws);
    let pending = 0;
    let chain = Promise.resolve();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.crashed) return;
      const crashAt = this.faults.crashAfterRequests;
      if (crashAt !== undefined && this.received >= crashAt) {
        this.crash(crashAt);
        return;
      }
      this.received++;
      if (pending >= MAX_PENDING_PER_CONNECTION) {
        this.log('a client sent requests without waiting for replies; closing it');
        ws.close(1008, 'one request at a time');
        return;
      }
      pending++;
      const received = performance.now();
      chain = chain
        .then(() => session.handle(new Uint8Array(data), isBinary, received))
        .catch((err: unknown) => {
          this.log(`handler failed: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => {
          pending--;
        });
    });
    session.open();
  }

  private crash(after: number): void {
    this.crashed = true;
    this.log(`fault crash-after=${after}: crashing on request ${after + 1}`);
    if (this.onCrash) {
      this.onCrash();
      return;
    }
    this.dropConnections();
    this.http.close();
  }

  /** Runs the demo policy with the profile's simulated latency (never blocking the event loop). */
  async infer(
    policy: ServerPolicy,
    observation: WireValue,
    state: Float64Array,
  ): Promise<{ values: Float64Array; inferMs: number }> {
    const t0 = performance.now();
    const values = policy.plan(observation, state);
    const remaining = this.profile.latencyMs + this.faults.extraLatencyMs - (performance.now() - t0);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    return { values, inferMs: performance.now() - t0 };
  }

  noteRequest(): void {
    this.stats.requests++;
  }

  noteError(message: string): void {
    this.stats.errors++;
    this.log(message);
  }

  /** Applies run-time settings (awesome-lerobot `configure`); returns the profile now in force. */
  reconfigure(next: ModelProfile): ModelProfile {
    this.profile = next;
    return next;
  }
}

/** The `traceback` fault's error: its text frame is a Python traceback, not this stack. */
class InjectedTraceback extends Error {
  constructor() {
    super('injected traceback (so100 serve --fault traceback)');
  }
}

/** openpi: metadata frame first, then strictly observation → result. */
class OpenPiSession {
  private readonly policy: ServerPolicy;
  private prevTotalMs: number | undefined;

  constructor(
    private readonly server: BuiltinPolicyServer,
    private readonly ws: WebSocket,
  ) {
    const p = server.currentProfile;
    this.policy = new ServerPolicy(p.horizon, p.actionDim, server.policyName);
  }

  open(): void {
    if (this.server.faults.skipMetadata) return;
    const p = this.server.currentProfile;
    // Real servers send train_config.policy_metadata or {}; ours says what it is.
    this.ws.send(
      encodePolicyFrame({
        server: 'so100-policy-lab builtin',
        model: p.name,
        action_horizon: p.horizon,
        action_dim: p.actionDim,
      }),
    );
  }

  async handle(data: Uint8Array, isBinary: boolean, received: number): Promise<void> {
    try {
      if (!isBinary)
        throw new TypeError('expected a binary msgpack frame, got a text frame (the openpi protocol is msgpack only)');
      this.server.noteRequest();
      const faults = this.server.faults;
      if (faults.hang) return;
      const obs = decodePolicyFrame(data);
      const state = observationState(obs);
      const p = this.server.currentProfile;
      const { values, inferMs } = await this.server.infer(this.policy, obs, state);
      if (this.ws.readyState !== this.ws.OPEN) return;
      if (faults.traceback) throw new InjectedTraceback();
      if (faults.garbage) {
        this.ws.send(GARBAGE_REPLY);
        return;
      }
      const actions = actionsWithFaults(values, p.horizon, p.actionDim, p.dtype, faults);
      const serverTiming: { [key: string]: WireValue } = { infer_ms: new Float64Value(performance.now() - received) };
      if (this.prevTotalMs !== undefined) serverTiming.prev_total_ms = new Float64Value(this.prevTotalMs);
      this.ws.send(
        encodePolicyFrame({
          actions,
          policy_timing: { infer_ms: new Float64Value(inferMs) },
          server_timing: serverTiming,
        }),
      );
      this.prevTotalMs = performance.now() - received;
    } catch (err) {
      // openpi's contract: the traceback as a text frame, then close 1011.
      const text = err instanceof Error ? `${err.stack ?? err.message}` : String(err);
      this.server.noteError(`request failed: ${err instanceof Error ? err.message : text}`);
      if (this.ws.readyState === this.ws.OPEN) {
        this.ws.send(
          err instanceof InjectedTraceback ? FAULT_TRACEBACK : `Traceback (so100 builtin server):\n${text}\n`,
        );
        this.ws.close(1011, CLOSE_REASON_1011);
      }
    }
  }
}

/** awesome-lerobot: typed messages; one step per select_action from a server-side chunk queue, like LeRobot. */
class LeRobotSession {
  private readonly policy: ServerPolicy;
  private queue: Float64Array[] = [];

  constructor(
    private readonly server: BuiltinPolicyServer,
    private readonly ws: WebSocket,
  ) {
    const p = server.currentProfile;
    this.policy = new ServerPolicy(p.horizon, p.actionDim, server.policyName);
  }

  open(): void {}

  async handle(data: Uint8Array, isBinary: boolean, received: number): Promise<void> {
    let reply: { [key: string]: WireValue };
    try {
      if (!isBinary) throw new TypeError('expected a binary msgpack message, got a text frame');
      this.server.noteRequest();
      const msg = decodeLeRobotMessage(data);
      const faults = this.server.faults;
      // The model is what misbehaves: ping, reset and the other messages are still answered.
      if (msg.type === 'select_action' && faults.hang) return;
      reply = await this.dispatch(msg, received);
      if (msg.type === 'select_action' && this.ws.readyState === this.ws.OPEN) {
        if (faults.traceback) {
          // The stock server's handler dies on an exception: the close is 1011, here with the traceback first.
          this.server.noteError('request failed: injected traceback');
          this.ws.send(FAULT_TRACEBACK);
          this.ws.close(1011, CLOSE_REASON_1011);
          return;
        }
        if (faults.garbage) {
          this.ws.send(GARBAGE_REPLY);
          return;
        }
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.server.noteError(`request failed: ${message}`);
      reply = { type: 'error', message };
    }
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodePolicyFrame(reply));
  }

  private async dispatch(msg: LeRobotMessage, received: number): Promise<{ [key: string]: WireValue }> {
    switch (msg.type) {
      case 'ping':
        return { type: 'pong', capabilities: ['get_stats', 'configure'] };
      case 'reset':
        this.queue = [];
        this.policy.reset();
        return { type: 'reset_response', status: 'success' };
      case 'get_stats': {
        const s = this.server.stats;
        const p = this.server.currentProfile;
        return {
          type: 'stats_response',
          stats: {
            connections: s.connections,
            requests: s.requests,
            errors: s.errors,
            model: p.name,
            action_horizon: p.horizon,
            latency_ms: new Float64Value(p.latencyMs),
            queued_actions: this.queue.length,
          },
        };
      }
      case 'configure':
        return { type: 'configure_response', status: 'success', config: this.configure(msg.config) };
      case 'select_action': {
        const state = observationState(msg.observation);
        if (this.queue.length === 0) {
          const p = this.server.currentProfile;
          const { values } = await this.server.infer(this.policy, msg.observation, state);
          // LeRobot policies emit the robot's own action width, not the model's padded one.
          const dims = Math.min(state.length, p.actionDim);
          for (let t = 0; t < p.horizon; t++) this.queue.push(values.slice(t * p.actionDim, t * p.actionDim + dims));
        }
        const step = this.queue.shift() as Float64Array;
        return {
          type: 'action_response',
          action: actionsWithFaults(step, 1, step.length, '<f4', this.server.faults),
          server_timing: { infer_ms: new Float64Value(performance.now() - received) },
        };
      }
      default:
        return {
          type: 'error',
          message:
            `a client does not send "${msg.type}"; this server answers ` +
            'select_action, reset, ping, get_stats and configure',
        };
    }
  }

  private configure(c: { readonly [key: string]: WireValue }): { [key: string]: WireValue } {
    const p = this.server.currentProfile;
    const latency = typeof c.latency_ms === 'number' ? c.latency_ms : p.latencyMs;
    if (!Number.isFinite(latency) || latency < 0 || latency > 600_000)
      throw new RangeError(`latency_ms must be 0..600000, got ${latency}`);
    const next = this.server.reconfigure({ ...p, latencyMs: latency });
    return { model: next.name, action_horizon: next.horizon, latency_ms: new Float64Value(next.latencyMs) };
  }
}
