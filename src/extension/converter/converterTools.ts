// Converter debugging next to code (issue #5): the Converter Inspector, CodeLens on the converter module, the
// `so100` debug type with Debug Episode, and compile errors as diagnostics. One registration for extension.ts.
import * as vscode from 'vscode';
import type { InspectionReport } from '../../core/convert/inspectionReport';
import type { InspectorState } from '../../contracts/inspectorMessages';
import { ConverterCodeLens } from './converterCodeLens';
import { ConverterDiagnostics } from './converterDiagnostics';
import { INSPECTOR_VIEW_TYPE, InspectorPanel } from '../inspector/inspectorPanel';
import type { RuntimeController } from '../runtime/runtimeController';
import { RuntimeDebug } from './runtimeDebug';
import type { WorkspaceConfig } from '../workspace/workspaceConfig';

const NOT_CONNECTED: readonly string[] = ['idle', 'connecting', 'estopped'];

/** Registers the inspector, the CodeLens, the debug type and the converter diagnostics; dispose to remove them. */
export function registerConverterTools(
  context: vscode.ExtensionContext,
  runtime: RuntimeController,
  config: WorkspaceConfig,
): vscode.Disposable {
  const uri = context.extensionUri;
  const lens = new ConverterCodeLens(config);
  const guard =
    <A extends unknown[], R>(id: string, fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R | undefined> => {
      try {
        return await fn(...a);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        runtime.log.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`SO-100: ${message}`);
        return undefined;
      }
    };

  const openInspector = async (): Promise<InspectorState> => {
    const panel = InspectorPanel.show(uri, runtime);
    await panel.refresh();
    return panel.currentState;
  };

  const runOnLastObservation = async (arg?: unknown): Promise<InspectionReport | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'SO-100: this workspace is not trusted, so converter modules are not run. Trust the workspace first.',
      );
      return undefined;
    }
    const file = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : lens.moduleFile();
    if (!file) {
      void vscode.window.showInformationMessage(
        'SO-100: no converter module is configured; set converter.module in so100.json.',
      );
      return undefined;
    }
    const phase = runtime.status()?.phase ?? 'idle';
    if (!runtime.running || NOT_CONNECTED.includes(phase)) {
      const pick = await vscode.window.showInformationMessage(
        'SO-100: the converter runs on the last observation of a connected arm; run an episode (or Step) first.',
        'Step',
      );
      if (pick === 'Step') await vscode.commands.executeCommand('so100.step');
      return undefined;
    }
    const report = await runtime.call('runConverter', { module: file });
    InspectorPanel.show(uri, runtime, report);
    return report;
  };

  const disposables: vscode.Disposable[] = [
    lens,
    new ConverterDiagnostics(runtime),
    new RuntimeDebug(context.extensionPath, runtime),
    vscode.commands.registerCommand(
      'so100.openConverterInspector',
      guard('so100.openConverterInspector', openInspector),
    ),
    vscode.commands.registerCommand(
      'so100.runConverterOnLastObservation',
      guard('so100.runConverterOnLastObservation', runOnLastObservation),
    ),
    vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        InspectorPanel.revive(panel, uri, runtime);
      },
    }),
    { dispose: () => InspectorPanel.open?.dispose() },
  ];
  return vscode.Disposable.from(...disposables);
}
