/** An export that cannot go ahead or failed; the message names the episode or file and says what to do. */
export class DatasetExportError extends Error {
  override readonly name = 'DatasetExportError';
}
