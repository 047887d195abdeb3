// A TelemetrySource for when no runtime is wired in: no status, no events, and every command answers with advice.
// The dashboard opens and explains itself instead of failing.
import * as vscode from 'vscode';
import type { TelemetrySource } from './telemetrySource';

export function offlineTelemetrySource(): TelemetrySource {
  return {
    onEvent: () => new vscode.Disposable(() => undefined),
    status: () => undefined,
    requestFrames: () => undefined,
    command: async () => {
      void vscode.window.showInformationMessage('SO-100: Run an episode first — no runtime is running.');
    },
  };
}
