// Compile errors of the user's converter module, from the runtime's `converterCompiled` events: a diagnostic on the
// file at the line the compiler named, and one error notification per failure (the one place it is announced: the
// episode commands leave converter errors to it). A successful compile (or the runtime going away) clears them.
import * as vscode from 'vscode';
import type { ConverterCompiled } from '../../core/rpc';
import type { TelemetrySource } from '../runtime/telemetrySource';

export const SHOW_PROBLEM_ACTION = 'Show Problem';

export class ConverterDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('so100-converter');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** Modules that compiled in this runtime session: a failure of one of them leaves its previous version running. */
  private readonly loaded = new Set<string>();

  constructor(runtime: Pick<TelemetrySource, 'onEvent'>) {
    this.disposables.push(
      runtime.onEvent('converterCompiled', (e) => this.compiled(e)),
      runtime.onEvent('state', (s) => {
        if (s.phase === 'idle') {
          this.collection.clear();
          this.loaded.clear();
        }
      }),
    );
  }

  compiled(e: ConverterCompiled): void {
    this.collection.clear();
    if (e.ok) this.loaded.add(e.module);
    if (e.ok || !e.error) return;
    const consequence = this.loaded.has(e.module)
      ? 'the previous version of the converter keeps running'
      : 'no episode starts until it loads: fix it, save, and run again';
    const line = Math.max(0, (e.error.line ?? 1) - 1);
    const column = Math.max(0, (e.error.column ?? 1) - 1);
    const range = new vscode.Range(line, column, line, column + 1);
    const d = new vscode.Diagnostic(range, `${e.error.message} (${consequence})`, vscode.DiagnosticSeverity.Error);
    d.source = 'so100 converter';
    const uri = vscode.Uri.file(e.error.file);
    this.collection.set(uri, [d]);
    void vscode.window
      .showErrorMessage(`SO-100: ${e.error.message} — ${consequence}.`, SHOW_PROBLEM_ACTION)
      .then((pick) => {
        if (pick === SHOW_PROBLEM_ACTION) void vscode.window.showTextDocument(uri, { selection: range });
      });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
