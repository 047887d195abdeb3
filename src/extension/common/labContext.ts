// The extension's one context object: what lives as long as the extension, and what lives as long as one
// inference-server run (replaced on every start, disposed on stop).
import type * as vscode from 'vscode';
import { DisposableScope } from './disposableScope';

export class LabContext implements vscode.Disposable {
  /** Commands, status bar item, output channel: disposed on deactivate. */
  readonly extension = new DisposableScope();
  private current = new DisposableScope();

  constructor(readonly vscodeContext: vscode.ExtensionContext) {}

  /** Subscriptions tied to the running server (supervisor listeners, its abort controller). */
  get server(): DisposableScope {
    return this.current;
  }

  /** Ends the current server scope and opens a fresh one for the next run. */
  async renewServerScope(): Promise<DisposableScope> {
    const old = this.current;
    this.current = new DisposableScope();
    await old.disposeAsync();
    return this.current;
  }

  /** Opens a fresh server scope and hands the old one over undisposed (a model swap keeps the old server until the switch). */
  detachServerScope(): DisposableScope {
    const old = this.current;
    this.current = new DisposableScope();
    return old;
  }

  async disposeAsync(): Promise<void> {
    await this.current.disposeAsync();
    await this.extension.disposeAsync();
  }

  dispose(): void {
    void this.disposeAsync();
  }
}
