// Compile errors of the user's converter module, from the runtime's `converterCompiled` events, as diagnostics on
// the file at the line esbuild named. The running converter is the previous one meanwhile; a successful compile
// (or the runtime going away) clears them.
import * as vscode from 'vscode';
import type { ConverterCompiled } from '../../core/rpc';
import type { TelemetrySource } from '../runtime/telemetrySource';

export class ConverterDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('so100-converter');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(runtime: Pick<TelemetrySource, 'onEvent'>) {
    this.disposables.push(
      runtime.onEvent('converterCompiled', (e) => this.compiled(e)),
      runtime.onEvent('state', (s) => {
        if (s.phase === 'idle') this.collection.clear();
      }),
    );
  }

  compiled(e: ConverterCompiled): void {
    this.collection.clear();
    if (e.ok || !e.error) return;
    const line = Math.max(0, (e.error.line ?? 1) - 1);
    const column = Math.max(0, (e.error.column ?? 1) - 1);
    const range = new vscode.Range(line, column, line, column + 1);
    const d = new vscode.Diagnostic(
      range,
      `${e.error.message} (the previous version of the converter keeps running)`,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'so100 converter';
    this.collection.set(vscode.Uri.file(e.error.file), [d]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
