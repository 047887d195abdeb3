// The machine's processes, from /proc (Linux): to find what a test started (a reader's ffmpeg, a campaign's policy
// servers) and to check that none is left behind.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The program's name (kept by a zombie, whose command line is gone). */
  readonly comm: string;
  readonly argv: readonly string[];
  /** Exited but not yet waited for: still a child left behind. */
  readonly zombie: boolean;
}

/** Every process now (those that end while being read are skipped). */
export function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
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
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out.push({ pid: Number(entry), ppid: Number(ppid), comm, argv, zombie: state === 'Z' });
  }
  return out;
}

/** The children of this process now. */
export function childProcesses(): ProcessInfo[] {
  return processes().filter((p) => p.ppid === process.pid);
}

/** `so100 serve … --port P` processes started from the checkout at `root`, for the given ports (left by a kill). */
export function servePids(root: string, ports: readonly (number | string)[]): number[] {
  const wanted = ports.map(String);
  return processes()
    .filter(({ argv }) => {
      const at = argv.indexOf('--port');
      return argv.some((a) => a.startsWith(root)) && argv.includes('serve') && at >= 0 && wanted.includes(argv[at + 1]);
    })
    .map((p) => p.pid);
}
