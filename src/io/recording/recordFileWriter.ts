// The only part of the recorder that touches the disk, behind an interface so tests can slow it down or fail it.
import { open, type FileHandle } from 'node:fs/promises';
import { atomicWriteFile } from '../fs/atomicWriteFile';

export interface RecordFileWriter {
  /** Appends text to the file, creating it if needed. */
  append(path: string, text: string): Promise<void>;
  /** Replaces the whole file so that a reader sees the old or the new content, never a mix. */
  replace(path: string, text: string): Promise<void>;
  /** Closes every open file; later appends reopen them. */
  close(): Promise<void>;
}

/** Appends through one long-lived handle per file; replaces by temp file + fsync + rename. */
export function createFsRecordWriter(): RecordFileWriter {
  const handles = new Map<string, Promise<FileHandle>>();
  const handle = (path: string): Promise<FileHandle> => {
    let h = handles.get(path);
    if (!h) {
      h = open(path, 'a');
      handles.set(path, h);
      // A failed open must not poison later attempts (the disk may come back).
      h.catch(() => handles.delete(path));
    }
    return h;
  };
  return {
    async append(path, text) {
      await (await handle(path)).appendFile(text, 'utf8');
    },
    async replace(path, text) {
      await atomicWriteFile(path, text);
    },
    async close() {
      const open = [...handles.values()];
      handles.clear();
      await Promise.all(open.map(async (h) => (await h.catch(() => undefined))?.close()));
    },
  };
}
