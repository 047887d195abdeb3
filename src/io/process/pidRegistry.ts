// Remembers the servers we spawned in a JSON file, so that servers left behind by a crashed VS Code (or a
// killed CLI) are found and stopped next time.
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { escalateStop, isGroupAlive, isProcessAlive, processGroupOf, signalGroup } from './processGroup';

export interface PidRecord {
  readonly pid: number;
  readonly command: string;
  readonly args: readonly string[];
  /** Epoch ms. */
  readonly startedAt: number;
  /** The process that spawned it (VS Code's extension host, the CLI); its servers are orphans once it is gone. */
  readonly ownerPid?: number;
}

export interface OrphanProcess extends PidRecord {
  /**
   * Whether /proc/<pid>/cmdline still shows the recorded command. false = the pid now belongs to something
   * else and must not be touched; undefined = cannot tell on this platform (no /proc).
   */
  readonly cmdlineMatches: boolean | undefined;
  readonly actualCmdline?: readonly string[];
}

interface RegistryFile {
  readonly version: 1;
  readonly servers: PidRecord[];
}

export class PidRegistry {
  /** Serialises this object's read-modify-write cycles; a lost update would forget a live server. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Remembers a spawned server. `ownerPid` defaults to this process. */
  record(entry: PidRecord): Promise<void> {
    const withOwner: PidRecord = { ...entry, args: [...entry.args], ownerPid: entry.ownerPid ?? process.pid };
    return this.update((list) => [...list.filter((r) => r.pid !== entry.pid), withOwner]);
  }

  /** Drops the record of `pid` (its server was reaped). */
  forget(pid: number): Promise<void> {
    return this.update((list) => list.filter((r) => r.pid !== pid));
  }

  /** Every record, live or not. */
  list(): Promise<PidRecord[]> {
    return this.serialised(() => this.read());
  }

  /**
   * Recorded servers that still run although their owner is gone. Records of processes that no longer
   * exist are pruned from the file.
   */
  async findOrphans(): Promise<OrphanProcess[]> {
    return this.serialised(async () => {
      const records = await this.read();
      const orphans: OrphanProcess[] = [];
      const stillRunning: PidRecord[] = [];
      for (const r of records) {
        if (!(await isProcessAlive(r.pid))) continue;
        stillRunning.push(r);
        const ownerAlive = r.ownerPid !== undefined && r.ownerPid !== process.pid && (await isProcessAlive(r.ownerPid));
        // Our own servers and those of another live VS Code window are not orphans.
        if (r.ownerPid === process.pid || ownerAlive) continue;
        const actual = await readCmdline(r.pid);
        orphans.push({
          ...r,
          cmdlineMatches: actual === undefined ? undefined : cmdlineMatches(actual, r.command, r.args),
          ...(actual ? { actualCmdline: actual } : {}),
        });
      }
      if (stillRunning.length !== records.length) await this.write(stillRunning);
      return orphans;
    });
  }

  /**
   * Stops every orphan whose command line still matches its record (SIGINT → SIGTERM → SIGKILL to its
   * group) and returns their pids. A record whose pid was reused by another program is dropped, never
   * killed. Where there is no /proc (macOS, Windows) the match cannot be checked, so orphans are only
   * reported by findOrphans(), not killed: killing a stranger is worse than leaving a server running.
   */
  async stopOrphans(grace = { sigint: 2000, sigterm: 2000 }): Promise<number[]> {
    const stopped: number[] = [];
    for (const orphan of await this.findOrphans()) {
      if (orphan.cmdlineMatches === undefined) continue;
      if (orphan.cmdlineMatches) {
        const pgid = await processGroupOf(orphan.pid);
        // Signal the whole group only when the server leads it (it was spawned detached); else just the pid.
        const target = pgid === orphan.pid ? orphan.pid : undefined;
        if (target !== undefined) {
          await escalateStop(
            (s) => signalGroup(target, s),
            grace,
            async () => !(await isGroupAlive(target)),
          );
        } else {
          await escalateStop(
            (s) => signalProcess(orphan.pid, s),
            grace,
            async () => !(await isProcessAlive(orphan.pid)),
          );
        }
        stopped.push(orphan.pid);
      }
      await this.forget(orphan.pid);
    }
    return stopped;
  }

  private update(change: (list: PidRecord[]) => PidRecord[]): Promise<void> {
    return this.serialised(async () => this.write(change(await this.read())));
  }

  private serialised<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<PidRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as Partial<RegistryFile>;
      return Array.isArray(parsed.servers) ? parsed.servers.filter(isPidRecord) : [];
    } catch {
      // A torn or hand-edited file: start afresh rather than refuse to run servers.
      return [];
    }
  }

  /** Atomic: write a temp file next to the target, then rename over it. */
  private async write(servers: PidRecord[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: RegistryFile = { version: 1, servers };
    try {
      await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', 'utf8');
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Whether a process's argv is still the command we recorded. Exact argv, or — for scripts started through
 * a shebang — an interpreter in front and the script's full path in place of its bare name.
 */
export function cmdlineMatches(actual: readonly string[], command: string, args: readonly string[]): boolean {
  const n = args.length + 1;
  if (actual.length < n) return false;
  const tail = actual.slice(actual.length - n);
  return args.every((a, i) => tail[i + 1] === a) && basename(tail[0]) === basename(command);
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function readCmdline(pid: number): Promise<string[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

function isPidRecord(v: unknown): v is PidRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    Number.isInteger(r.pid) &&
    (r.pid as number) > 0 &&
    typeof r.command === 'string' &&
    Array.isArray(r.args) &&
    r.args.every((a) => typeof a === 'string') &&
    typeof r.startedAt === 'number'
  );
}
