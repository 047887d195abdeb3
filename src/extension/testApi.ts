// What activate() returns when VS Code runs the extension for its own tests (ExtensionMode.Test), and nothing else:
// a user's VS Code and other extensions get no handle on the server, the runtime or the panels.
import * as vscode from 'vscode';
import type { ServerState } from '../io/process/serverSpec';
import type { EpisodeSummary, RuntimePhase } from '../core/rpc';
import { CalibrationPanel } from './calibration/calibrationPanel';
import { DashboardPanel } from './dashboard/dashboardPanel';
import { InspectorPanel } from './inspector/inspectorPanel';
import { EpisodeViewerPanel } from './viewer/episodeViewerPanel';
import { EvaluationPanel } from './evaluation/evaluationPanel';

/** The extension-host tests' view of the running extension. */
export interface So100Api {
  serverState(): ServerState;
  serverPort(): number | undefined;
  serverPid(): number | undefined;
  /** Server states since the last start, oldest first. */
  stateHistory(): readonly ServerState[];
  /** The folder VS Code keeps this extension's logs in (the output channel's file lies under its parent). */
  logDirectory(): string;
  /** The runtime's phase (idle when no runtime process runs). */
  runtimePhase(): RuntimePhase;
  runtimePid(): number | undefined;
  /** The runtime's control rate and active model, as it last reported them. */
  runtimeFps(): number | undefined;
  runtimeModel(): string | undefined;
  /** The last finished episode. */
  lastEpisode(): EpisodeSummary | undefined;
  /** Re-reads so100.json now (the file watcher does it for users). */
  reloadConfig(): Promise<void>;
  /** The SO-100 side bar tree as indented "label — description" rows. */
  labTree(): Promise<string[]>;
  /**
   * The panel classes of this extension's own bundle, whose statics hold the open panels. A test drives the
   * Dashboard with its own TelemetrySource through them; a copy bundled into the tests would create panels as a
   * nameless extension, which VS Code gives JSON-encoded instead of binary typed arrays.
   */
  readonly panels: {
    readonly DashboardPanel: typeof DashboardPanel;
    readonly CalibrationPanel: typeof CalibrationPanel;
    readonly InspectorPanel: typeof InspectorPanel;
    readonly EpisodeViewerPanel: typeof EpisodeViewerPanel;
    readonly EvaluationPanel: typeof EvaluationPanel;
  };
}

/** The test API in ExtensionMode.Test (as vscode-go does), undefined in every other mode. */
export function testApiFor(context: vscode.ExtensionContext, api: Omit<So100Api, 'panels'>): So100Api | undefined {
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return { ...api, panels: { DashboardPanel, CalibrationPanel, InspectorPanel, EpisodeViewerPanel, EvaluationPanel } };
}
