// `--parent-pid N`: a child process that must not outlive the process that started it (the runtime, `so100 serve`)
// polls that N is still there and shuts itself down once it is gone. Polled because no portable event tells a
// process that another one has died, and the child may sit in a process group of its own, where nothing else
// reaches it when its parent is SIGKILLed.
import { isProcessAlive } from './processGroup';

/** How often the parent is checked. */
export const PARENT_POLL_MS = 1000;

/** The value of `--parent-pid` (undefined when not given); throws a RangeError that says what was wrong. */
export function parseParentPid(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const pid = Number(raw);
  if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(pid)) {
    throw new RangeError(`--parent-pid must be a process id (a whole number above 0), got "${raw}"`);
  }
  return pid;
}

/**
 * Calls `onGone` once, when process `pid` no longer exists (a zombie counts as gone: it runs nothing). The timer
 * does not keep the event loop alive. Returns a function that stops watching.
 */
export function watchParent(pid: number, onGone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => void check(), intervalMs);
    timer.unref();
  };
  const check = async (): Promise<void> => {
    const alive = await isProcessAlive(pid);
    if (stopped) return;
    if (alive) return schedule();
    stopped = true;
    onGone();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
