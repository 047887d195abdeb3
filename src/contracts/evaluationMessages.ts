// The Evaluation Report panel's messages between the extension host (src/extension/evaluation/evaluationPanel.ts) and
// its webview (webview-ui/evaluation/main.ts). The report is core's plain data (core/evaluation/evaluationReport.ts),
// imported here as a type only, so the page bundles no core code.
import type { EvaluationReport, GridCell, ModelRate, StageLatency } from '../core/evaluation/evaluationReport';

export type { EvaluationReport, GridCell, ModelRate, StageLatency };

/** What the panel shows: one campaign folder, running (live, Cancel offered) or not. */
export interface EvaluationPanelState {
  readonly outDir: string;
  readonly running: boolean;
  readonly report?: EvaluationReport;
  /** How the last run ended, or why the folder could not be read. */
  readonly message?: string;
  readonly messageKind?: 'ok' | 'warning' | 'error';
}

/** Host → webview. */
export type HostToEvaluation = { readonly type: 'state'; readonly state: EvaluationPanelState };

/** Webview → host. */
export type EvaluationToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'cancel' }
  | { readonly type: 'exportCsv' }
  /** The campaign's episodes as a LeRobot dataset (SO-100: Export as LeRobot Dataset… on its folder). */
  | { readonly type: 'exportDataset' }
  /** A cell of the seed × model grid: open that episode's record. */
  | { readonly type: 'openEpisode'; readonly model: string; readonly seed: number };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for a well-formed webview → host message (anything else is dropped by the host). */
export function isEvaluationToHost(m: unknown): m is EvaluationToHost {
  if (!isRecord(m)) return false;
  switch (m.type) {
    case 'ready':
    case 'cancel':
    case 'exportCsv':
    case 'exportDataset':
      return true;
    case 'openEpisode':
      return typeof m.model === 'string' && Number.isSafeInteger(m.seed);
    default:
      return false;
  }
}

/** True for a well-formed host → webview message. */
export function isHostToEvaluation(m: unknown): m is HostToEvaluation {
  return (
    isRecord(m) &&
    m.type === 'state' &&
    isRecord(m.state) &&
    typeof m.state.outDir === 'string' &&
    typeof m.state.running === 'boolean'
  );
}
