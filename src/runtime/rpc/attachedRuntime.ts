// A runtime this host did not spawn — one VS Code's debugger launched — reached through its socket. It counts as
// exited when the connection closes; it keeps itself alive only while its --parent-pid process lives.
import { RuntimeClient, RuntimeUnavailableError } from './runtimeClient';

export class AttachedRuntime implements AsyncDisposable {
  /** Resolves (with no exit code: the debugger owns the process) when the connection closes. */
  readonly exited: Promise<number | null>;
  readonly pid: number | undefined = undefined;

  private constructor(readonly client: RuntimeClient) {
    this.exited = client.whenClosed.then(() => null);
  }

  /** Connects once the runtime listens on `socketPath` (retrying until `timeoutMs`, or until `signal` aborts). */
  static async attach(
    socketPath: string,
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<AttachedRuntime> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last: unknown;
    while (Date.now() < deadline) {
      if (options.signal?.aborted)
        throw new RuntimeUnavailableError(`stopped waiting for the runtime at ${socketPath}: the debug session ended`);
      try {
        return new AttachedRuntime(await RuntimeClient.connect(socketPath, 2000));
      } catch (err) {
        last = err; // not listening yet: the debugger is still starting it
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new RuntimeUnavailableError(
      `no runtime listened on ${socketPath} within ${(options.timeoutMs ?? 60_000) / 1000} s${last instanceof Error ? ` (${last.message})` : ''}`,
    );
  }

  /** Asks the runtime to leave the arm safe and exit, then waits for the connection to close. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.client.isOpen) await this.client.call('shutdown', {}).catch(() => undefined);
    await Promise.race([this.client.whenClosed, new Promise((r) => setTimeout(r, timeoutMs))]);
    await this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
