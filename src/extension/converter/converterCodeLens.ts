// CodeLens over `toPolicy` / `fromPolicy` in the workspace's converter module (so100.json `converter.module`):
// "Run on last observation" (the result in the Converter Inspector) and "Debug episode". None in an untrusted
// workspace, where user converter modules never run.
import * as vscode from 'vscode';
import path from 'node:path';
import { converterFunctionLines } from '../../core/convert/converterSource';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';

export class ConverterCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly config: WorkspaceConfig) {
    this.disposables.push(
      config.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.languages.registerCodeLensProvider([{ scheme: 'file', pattern: '**/*.{ts,mts,cts,js,mjs,cjs}' }], this),
    );
  }

  /** The configured converter module, absolute; undefined without one. */
  moduleFile(): string | undefined {
    const module = this.config.current.converter.module;
    const folder = this.config.folder;
    return module && folder ? path.resolve(folder, module) : undefined;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    const file = this.moduleFile();
    if (!file || path.resolve(document.uri.fsPath) !== file) return [];
    return converterFunctionLines(document.getText()).flatMap(({ line }) => {
      const range = new vscode.Range(line, 0, line, 0);
      return [
        new vscode.CodeLens(range, {
          title: '$(play) Run on last observation',
          command: 'so100.runConverterOnLastObservation',
          arguments: [file],
          tooltip:
            "Run this converter on the runtime's last observation and show the result in the Converter Inspector",
        }),
        new vscode.CodeLens(range, {
          title: '$(debug-alt) Debug episode',
          command: 'so100.debugEpisode',
          tooltip: 'Start the runtime under the debugger (breakpoints here hit) and run an episode',
        }),
      ];
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
