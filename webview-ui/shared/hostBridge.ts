// The webview side of the host ⇄ panel channel: posts `ready` once the page can receive state (the host sends
// nothing before that), then typed messages both ways.

/** What every panel's protocol has in common; each panel adds its own messages to these unions. */
export type WebviewToHost<M> = { readonly type: 'ready' } | M;

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

/** One per page: acquireVsCodeApi may be called only once. */
export class HostBridge<
  ToHost extends { readonly type: string },
  FromHost extends { readonly type: string },
  S = unknown,
> {
  private readonly api: VsCodeApi<S>;

  constructor(private readonly isFromHost: (m: unknown) => m is FromHost) {
    this.api = acquireVsCodeApi<S>();
  }

  /** Listens for host messages (anything that fails the guard is dropped), then announces `ready`. */
  start(onMessage: (m: FromHost) => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (this.isFromHost(event.data)) onMessage(event.data);
    });
    this.api.postMessage({ type: 'ready' } satisfies WebviewToHost<ToHost>);
  }

  post(message: ToHost): void {
    this.api.postMessage(message);
  }

  /** Panel state that survives the panel being hidden or VS Code reloading (with a serializer on the host). */
  get state(): S | undefined {
    return this.api.getState();
  }

  set state(s: S) {
    this.api.setState(s);
  }
}
