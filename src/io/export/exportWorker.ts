// The export in a worker thread, so that VS Code's extension host never runs it: the host posts the request,
// the worker posts progress and the result, and a `cancel` message aborts it (nothing is left behind).
import { parentPort, workerData } from 'node:worker_threads';
import type { DatasetExportOptions, DatasetExportSummary, EpisodeRef } from './lerobotExport';
import { exportLeRobotDataset } from './lerobotExport';

export interface ExportWorkerRequest {
  readonly refs: readonly EpisodeRef[];
  readonly options: Omit<DatasetExportOptions, 'signal' | 'onProgress'>;
}

export type ExportWorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly episode: string }
  | { readonly type: 'done'; readonly summary: DatasetExportSummary }
  | { readonly type: 'failed'; readonly message: string };

if (parentPort) {
  const port = parentPort;
  const abort = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'cancel') abort.abort();
  });
  const { refs, options } = workerData as ExportWorkerRequest;
  exportLeRobotDataset(refs, {
    ...options,
    signal: abort.signal,
    onProgress: (p) => port.postMessage({ type: 'progress', ...p } satisfies ExportWorkerMessage),
  }).then(
    (summary) => port.postMessage({ type: 'done', summary } satisfies ExportWorkerMessage),
    (err: unknown) =>
      port.postMessage({ type: 'failed', message: (err as Error).message } satisfies ExportWorkerMessage),
  );
}
