// The host's side of the socket: typed calls with per-call timeouts, and the runtime's events.
import { connect as netConnect } from 'node:net';
import type { RpcMessage, RuntimeEventName, RuntimeEvents, RuntimeMethod, RuntimeMethods } from '../../core/rpc';
import { FrameChannel } from './frameChannel';

/** The runtime answered a call with an error; `remoteName` is the runtime-side error class. */
export class RuntimeCallError extends Error {
  override readonly name = 'RuntimeCallError';
  constructor(
    readonly method: string,
    readonly remoteName: string,
    message: string,
  ) {
    super(message);
  }
}

/** The runtime did not answer in time, or the connection went away. */
export class RuntimeUnavailableError extends Error {
  override readonly name = 'RuntimeUnavailableError';
}

type Listener<E extends RuntimeEventName> = (data: RuntimeEvents[E]) => void;

/** Calls that may take long (an arm's handshake, a reset glide) get more time than the others. */
const DEFAULT_TIMEOUTS: Partial<Record<RuntimeMethod, number>> = {
  connect: 60_000,
  reset: 40_000,
  stop: 20_000,
  disconnect: 20_000,
  shutdown: 20_000,
  runConverter: 30_000,
  // A replay answers when its last chunk is in; Cancel (cancelReplay) is how a user ends it sooner.
  replayEpisode: 3_600_000,
  // A campaign answers once it has ended: the episode stopped, the arm released, its policy servers stopped.
  cancelEvaluation: 60_000,
  runEvaluation: 30_000,
};

export class RuntimeClient implements AsyncDisposable {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; method: string }
  >();
  private readonly listeners = new Map<string, Set<(data: never) => void>>();
  private closedError: Error | undefined;
  private markClosed!: () => void;
  /** Resolves when the connection has closed (the runtime exited, or close() was called). */
  readonly whenClosed = new Promise<void>((r) => {
    this.markClosed = r;
  });

  private constructor(
    private readonly channel: FrameChannel,
    readonly socketPath: string,
  ) {}

  static async connect(socketPath: string, timeoutMs = 10_000): Promise<RuntimeClient> {
    const socket = netConnect(socketPath);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RuntimeUnavailableError(`no runtime answered on ${socketPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new RuntimeUnavailableError(`cannot reach the runtime at ${socketPath}: ${err.message}`));
      });
    });
    let client: RuntimeClient | undefined;
    const channel = new FrameChannel(
      socket,
      (m) => client?.receive(m),
      (err) => client?.closed(err),
    );
    client = new RuntimeClient(channel, socketPath);
    return client;
  }

  get isOpen(): boolean {
    return !this.channel.closed;
  }

  call<M extends RuntimeMethod>(
    method: M,
    params: RuntimeMethods[M]['params'],
    timeoutMs = DEFAULT_TIMEOUTS[method] ?? 10_000,
  ): Promise<RuntimeMethods[M]['result']> {
    if (this.closedError || this.channel.closed)
      return Promise.reject(this.closedError ?? new RuntimeUnavailableError('the runtime connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new RuntimeUnavailableError(
            `the runtime did not answer "${method}" within ${timeoutMs} ms; it may be stuck (see its log) — restart it`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.channel.send({ type: 'request', id, method, params });
    });
  }

  on<E extends RuntimeEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => {
      set.delete(listener as (data: never) => void);
    };
  }

  /** Resolves with the first `event` whose data satisfies `match`. */
  next<E extends RuntimeEventName>(
    event: E,
    match: (d: RuntimeEvents[E]) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<RuntimeEvents[E]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new RuntimeUnavailableError(`no "${event}" event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(event, (d) => {
        if (match(d)) {
          clearTimeout(timer);
          off();
          resolve(d);
        }
      });
    });
  }

  close(): Promise<void> {
    this.channel.close();
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private receive(m: RpcMessage): void {
    if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return; // answered after its timeout: nobody waits for it any more
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new RuntimeCallError(p.method, m.error.name, m.error.message));
    } else if (m.type === 'event') {
      for (const l of this.listeners.get(m.event) ?? []) (l as (d: unknown) => void)(m.data);
    }
  }

  private closed(err?: Error): void {
    this.closedError = new RuntimeUnavailableError(`the runtime connection closed${err ? `: ${err.message}` : ''}`);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.closedError);
    }
    this.pending.clear();
    this.markClosed();
  }
}
