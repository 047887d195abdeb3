// A bag of cleanups that runs them once, newest first, and keeps going when one of them throws.
import type * as vscode from 'vscode';

export type Cleanup = vscode.Disposable | (() => unknown);

export class DisposableScope implements vscode.Disposable {
  private cleanups: Cleanup[] = [];
  private disposed = false;

  /** Registers `c`; when the scope is already disposed, runs it at once (a late subscription must not leak). */
  add<T extends Cleanup>(c: T): T {
    if (this.disposed) void runCleanup(c);
    else this.cleanups.push(c);
    return c;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Runs every cleanup (awaiting async ones) in reverse order of registration. */
  async disposeAsync(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const list = this.cleanups.reverse();
    this.cleanups = [];
    for (const c of list) await runCleanup(c);
  }

  dispose(): void {
    void this.disposeAsync();
  }
}

async function runCleanup(c: Cleanup): Promise<void> {
  try {
    if (typeof c === 'function') await c();
    else await (c.dispose() as unknown);
  } catch (err) {
    // One failing cleanup must not keep the others (e.g. stopping a child process) from running.
    console.error('[so100] cleanup failed:', err);
  }
}
