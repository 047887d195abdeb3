// Test stand-in for the lead's RuntimeController: a TelemetrySource straight over a RuntimeClient, recording the
// frame requests and commands panels make so tests can assert on them.
import * as vscode from 'vscode';
import type { RuntimeEventName, RuntimeEvents, RuntimeStatus } from '../../../src/core/rpc';
import type { RuntimeClient } from '../../../src/runtime/rpc/runtimeClient';
import type { EpisodeCommand, TelemetrySource } from '../../../src/extension/runtime/telemetrySource';

export class RuntimeTelemetrySource implements TelemetrySource, vscode.Disposable {
  /** Every requestFrames call, in order. */
  readonly frameRequests: { readonly owner: object; readonly fps: number }[] = [];
  readonly commands: EpisodeCommand[] = [];
  readonly commandErrors: string[] = [];
  /** Event listeners currently attached by panels. */
  listeners = 0;
  frameEvents = 0;
  private latest: RuntimeStatus | undefined;
  private readonly owners = new Map<object, number>();
  private readonly offState: () => void;

  constructor(
    private readonly client: RuntimeClient,
    initial: RuntimeStatus,
  ) {
    this.latest = initial;
    const offs = [
      client.on('state', (s) => {
        this.latest = s;
      }),
      client.on('frame', () => {
        this.frameEvents++;
      }),
    ];
    this.offState = () => offs.forEach((off) => off());
  }

  onEvent<E extends RuntimeEventName>(event: E, listener: (data: RuntimeEvents[E]) => void): vscode.Disposable {
    const off = this.client.on(event, listener);
    this.listeners++;
    return new vscode.Disposable(() => {
      off();
      this.listeners--;
    });
  }

  status(): RuntimeStatus | undefined {
    return this.latest;
  }

  requestFrames(owner: object, fps: number): void {
    this.frameRequests.push({ owner, fps });
    if (fps > 0) this.owners.set(owner, fps);
    else this.owners.delete(owner);
    const frameFps = Math.max(0, ...this.owners.values());
    void this.client.call('subscribe', { frameFps }).catch(() => undefined);
  }

  /** The fps most recently asked for by `owner` (0 if never). */
  framesAskedBy(owner: object): number {
    return this.frameRequests.filter((r) => r.owner === owner).at(-1)?.fps ?? 0;
  }

  async command(name: EpisodeCommand): Promise<void> {
    this.commands.push(name);
    try {
      await this.client.call(name, {} as never);
    } catch (err) {
      this.commandErrors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    this.offState();
  }
}
