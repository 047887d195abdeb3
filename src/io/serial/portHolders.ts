// Who holds a serial port open, for the "port is busy" message: on Linux every process's open files are under
// /proc/<pid>/fd; elsewhere (or without permission to look) the answer is simply unknown.
import { readFile, readdir, readlink, realpath } from 'node:fs/promises';

export interface PortHolder {
  readonly pid: number;
  /** The program's name (/proc/<pid>/comm), e.g. "python3". */
  readonly command: string;
}

/**
 * Processes with `path` open (Linux); [] when none are visible or the platform has no /proc. On a pseudo-terminal,
 * socat is left out: it holds both ends of every pair it makes (`so100 sim --pty`, a serial bridge), so naming it
 * would only hide the process that really competes for the port.
 */
export async function findPortHolders(path: string): Promise<PortHolder[]> {
  if (process.platform !== 'linux') return [];
  let device: string;
  try {
    device = await realpath(path);
  } catch {
    return [];
  }
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  const holders: PortHolder[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        if (target !== device) continue;
        const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
        holders.push({ pid: Number(pid), command });
        return;
      }
    }),
  );
  const pty = device.startsWith('/dev/pts/');
  return holders.filter((h) => !(pty && h.command === 'socat')).sort((a, b) => a.pid - b.pid);
}
