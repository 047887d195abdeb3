// Signalling a server's whole process group and telling whether any of it still runs.
import { readFile, readdir } from 'node:fs/promises';

const hasProcFs = process.platform === 'linux';

/**
 * Sends `signal` to every process in the group led by `pgid` (the server was spawned detached, so its pid
 * is its group id). Falls back to the single process where groups do not exist (Windows).
 * Returns false when nothing was there to signal.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
    // EPERM: the group holds a process we may not signal; fall back to the leader alone.
    try {
      process.kill(pgid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * True while the process exists and is not a zombie. Zombies count as gone: an orphan re-parented to an
 * init that never reaps (containers) stays a zombie forever, yet it holds no port and runs no code.
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
  if (!hasProcFs) return true;
  const stat = await readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** True while any non-zombie process remains in the group `pgid`. */
export async function isGroupAlive(pgid: number): Promise<boolean> {
  if (process.platform === 'win32') return isProcessAlive(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
  if (!hasProcFs) return true;
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return true;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readProcStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

/** Polls `check` while it stays true; resolves true once it turns false, false when `timeoutMs` passes first. */
export async function waitWhile(check: () => Promise<boolean>, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await check())) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Sends SIGINT, then SIGTERM after `grace.sigint` ms, then SIGKILL after `grace.sigterm` ms through `send`,
 * until `gone()` says it is over. Returns the last signal sent (undefined when it was already gone).
 */
export async function escalateStop(
  send: (signal: NodeJS.Signals) => void,
  grace: { readonly sigint: number; readonly sigterm: number },
  gone: () => Promise<boolean>,
): Promise<NodeJS.Signals | undefined> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', grace.sigint],
    ['SIGTERM', grace.sigterm],
    // SIGKILL cannot be ignored; the wait only covers the kernel tearing the processes down.
    ['SIGKILL', 5000],
  ];
  let last: NodeJS.Signals | undefined;
  for (const [signal, waitMs] of steps) {
    if (await gone()) return last;
    send(signal);
    last = signal;
    if (await waitWhile(async () => !(await gone()), waitMs)) return last;
  }
  return last;
}

/** The process group of `pid` (Linux only; undefined elsewhere or when the process is gone). */
export async function processGroupOf(pid: number): Promise<number | undefined> {
  if (!hasProcFs) return undefined;
  return (await readProcStat(pid))?.pgrp;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
}

async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** The `code` of a Node system error (ENOENT, ESRCH, …), if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
