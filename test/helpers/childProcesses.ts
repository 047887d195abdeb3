// This process's own child processes, from /proc (Linux): to check which ones a reader started and that none is left.
import { readdirSync, readFileSync } from 'node:fs';

export interface ChildProcessInfo {
  readonly pid: number;
  /** The program's name (kept by a zombie, whose command line is gone). */
  readonly comm: string;
  readonly argv: readonly string[];
  /** Exited but not yet waited for: still a child left behind. */
  readonly zombie: boolean;
}

/** The children of this process now. */
export function childProcesses(): ChildProcessInfo[] {
  const out: ChildProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let argv: string[];
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) !== process.pid) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out.push({ pid: Number(entry), comm, argv, zombie: state === 'Z' });
  }
  return out;
}
