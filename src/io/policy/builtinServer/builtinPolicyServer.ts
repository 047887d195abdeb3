// The built-in policy server: HTTP (/healthz), websocket upgrades, fault injection and the simulated inference;
// each connection is handed to the session of the server's protocol (openPiSession.ts: openpi byte for byte,
// leRobotSession.ts: awesome-lerobot), looked up in the protocol registry (io/policy/protocolAdapters.ts). It serves the
// deterministic demo policy, so the whole flow runs without a GPU or model files. Replies are fresh buffers, not a
// reused encoder view: the socket may still be writing one when the next is encoded. `faults` (a plain mutable object)
// makes it misbehave on purpose, for the fault-injection suite and `so100 serve --fault`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { customizeProfile, type ModelProfile } from '../../../core/policy/modelProfiles';
import type { WireValue } from '../../../core/protocols';
import { noPolicyFaults, type PolicyServerFaults } from '../../../core/policy/policyServerFaults';
import type { PolicyProtocol } from '../../process/serverSpec';
import { PROTOCOL_ADAPTERS } from '../protocolAdapters';
import type { ServerPolicy } from './serverPolicy';
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
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: PROTOCOL_ADAPTERS[options.protocol].perMessageDeflate,
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
    const session = PROTOCOL_ADAPTERS[this.protocol].serverSession(this, ws);
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
