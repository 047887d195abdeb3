// The Converter Inspector's messages between the extension host (src/extension/inspector/inspectorPanel.ts) and its webview
// (main.ts). Both sides import this file; the host checks every webview message with isInspectorMessage.
import type {
  ConverterFailure,
  ConverterWarning,
  InspectionReport,
  ValueSummary,
} from '../core/convert/inspectionReport';

export type { ConverterFailure, ConverterWarning };

/** A thumbnail as it crosses postMessage: RGB bytes in base64. */
export interface ThumbnailView {
  readonly width: number;
  readonly height: number;
  readonly rgbBase64: string;
}

export type SummaryView = Omit<ValueSummary, 'image'> & {
  readonly image?: { readonly order: 'HWC' | 'CHW'; readonly thumbnail: ThumbnailView };
};

type Observation = NonNullable<InspectionReport['observation']>;

/** An InspectionReport with its thumbnails in base64. */
export type ReportView = Omit<InspectionReport, 'observation' | 'input' | 'output'> & {
  readonly observation?: Omit<Observation, 'cameras'> & { readonly cameras: readonly SummaryView[] };
  readonly input?: readonly SummaryView[];
  readonly output?: readonly SummaryView[];
};

/** What the panel shows: explicit loading / empty / error states, as the webview conventions ask. */
export type InspectorState =
  | { readonly status: 'loading'; readonly autoRefresh: boolean }
  | { readonly status: 'empty'; readonly autoRefresh: boolean; readonly message: string }
  | { readonly status: 'error'; readonly autoRefresh: boolean; readonly message: string }
  | {
      readonly status: 'ready';
      readonly autoRefresh: boolean;
      readonly report: ReportView;
      readonly phase: string;
      readonly refreshedAt: string;
    };

/** Host → webview. */
export type HostToInspector = { readonly type: 'state'; readonly state: InspectorState };

/** Webview → host. */
export type InspectorToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' }
  | { readonly type: 'setAutoRefresh'; readonly on: boolean }
  /** Opens the file of the report's error at its line (only a location the host sent is honoured). */
  | { readonly type: 'openLocation'; readonly file: string; readonly line: number; readonly column: number };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** True for a well-formed webview → host message (anything else is dropped by the host). */
export function isInspectorMessage(m: unknown): m is InspectorToHost {
  if (!isRecord(m)) return false;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'setAutoRefresh':
      return typeof m.on === 'boolean';
    case 'openLocation':
      return typeof m.file === 'string' && m.file.length > 0 && isPositiveInt(m.line) && isPositiveInt(m.column);
    default:
      return false;
  }
}

/** True for a well-formed host → webview message. */
export function isHostMessage(m: unknown): m is HostToInspector {
  return isRecord(m) && m.type === 'state' && isRecord(m.state) && typeof m.state.status === 'string';
}
