// A simulated SO-100 behind a pseudo-terminal: socat makes a linked pty pair, we relay one end to the
// bus simulator, and any program (LeRobot, the conformance probe, our own driver) opens the other end.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { lstat, mkdtemp, readlink, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import { FeetechBusSim } from '../../core/sim';
import { ListenerSet, type Unsubscribe } from './byteTransport';
import { SimBusTiming } from './simBusTiming';

/** socat is not installed (or not at the configured path). */
export class SocatMissingError extends Error {
  override name = 'SocatMissingError';
  constructor(readonly socatPath: string) {
    super(
      `"${socatPath}" was not found: the simulated serial port needs socat. Install it with ` +
        `"sudo apt install socat" (Debian/Ubuntu), "sudo dnf install socat" (Fedora) or "brew install socat" (macOS), ` +
        `or use the embedded simulator, which needs no serial port.`,
    );
  }
}

/** The simulated port could not be created at the requested path. */
export class SimPtyError extends Error {
  override name = 'SimPtyError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SimPtyOptions {
  /** Where the pty link appears, e.g. /tmp/so100 — what the user opens as the serial port. */
  readonly path: string;
  /** The simulated bus; default six STS3215s with ids 1–6. */
  readonly sim?: FeetechBusSim;
  /** socat executable; default "socat" from PATH. */
  readonly socatPath?: string;
  /** How long socat may take to set up the pair; default 5000 ms. */
  readonly startTimeoutMs?: number;
}

// socat reads "," as its option separator and "!!" as an address separator; keep paths unambiguous.
const UNSAFE_PATH_CHARS = /[,!'"\\\s]/;

/**
 * A running simulated port. close() (or `await using`) stops socat, removes both links and the temporary
 * directory. onExit reports socat dying or the relay losing its end while we did not ask for it.
 */
export class SimPty implements AsyncDisposable {
  private readonly exited = new ListenerSet<Error>();
  private closing = false;
  private closed: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    readonly sim: FeetechBusSim,
    private readonly socat: ChildProcess,
    private readonly relay: PtyEnd,
    private readonly timing: SimBusTiming,
    private readonly internalDir: string,
    private readonly internalPath: string,
  ) {
    relay.input.on('data', (chunk: Buffer) =>
      timing.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)),
    );
    relay.onLost((err) => {
      // Usually socat died and took the pty with it: give its exit a moment so the report names the cause.
      const lost = new Error(
        `the simulator's end of the pty closed (${err?.message ?? 'closed'}); ${path} no longer works`,
      );
      const timer = setTimeout(() => this.report(lost), 500);
      socat.once('exit', () => clearTimeout(timer));
    });
    socat.once('exit', (code, signal) =>
      this.report(new Error(`socat exited (${signal ?? `code ${code}`}); ${path} is gone`)),
    );
    // If this process dies without close() (uncaught error), do not leave socat and the link behind.
    process.once('exit', this.killOnExit);
  }

  private readonly killOnExit = (): void => {
    if (this.socat.exitCode === null && this.socat.signalCode === null) this.socat.kill('SIGTERM');
  };

  private reported = false;

  private report(reason: Error): void {
    if (this.closing || this.reported) return;
    this.reported = true;
    this.timing.stop();
    this.exited.emit(reason);
  }

  /** Process id of socat (tests kill it to simulate an unplugged adapter). */
  get socatPid(): number | undefined {
    return this.socat.pid;
  }

  /** Starts socat and the relay; resolves once PATH can be opened. */
  static async start(options: SimPtyOptions): Promise<SimPty> {
    const path = options.path;
    const socatPath = options.socatPath ?? 'socat';
    await checkLinkPath(path);
    const internalDir = await mkdtemp(join(tmpdir(), 'so100-sim-'));
    const internalPath = join(internalDir, 'bus');
    let socat: ChildProcess | undefined;
    try {
      socat = spawn(socatPath, ['-d', '-d', `pty,raw,echo=0,link=${path}`, `pty,raw,echo=0,link=${internalPath}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await waitForTransferLoop(socat, socatPath, path, options.startTimeoutMs ?? 5000);
      const relay = openPtyEnd(internalPath);
      const sim = options.sim ?? new FeetechBusSim();
      const timing = new SimBusTiming(sim, (bytes) => relay.write(bytes), undefined, false, { wireFaithful: true });
      return new SimPty(path, sim, socat, relay, timing, internalDir, internalPath);
    } catch (err) {
      if (socat) await stopProcess(socat);
      await removeLink(path);
      await rm(internalDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Subscribes to an unexpected end (socat died, pty lost). */
  onExit(listener: (reason: Error) => void): Unsubscribe {
    return this.exited.add(listener);
  }

  /** Stops the relay and socat and removes the links; safe to call twice. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      process.removeListener('exit', this.killOnExit);
      this.timing.stop();
      this.relay.close();
      await stopProcess(this.socat);
      await removeLink(this.path);
      await removeLink(this.internalPath);
      await rm(this.internalDir, { recursive: true, force: true });
    })();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Refuses a path socat would clobber; clears a dangling pty link left by a killed run. */
async function checkLinkPath(path: string): Promise<void> {
  if (UNSAFE_PATH_CHARS.test(path)) {
    throw new SimPtyError(
      path,
      `cannot create a simulated port at "${path}": use a path without spaces, quotes, commas, "!" or backslashes.`,
    );
  }
  try {
    if (!(await stat(dirname(path))).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new SimPtyError(
      path,
      `cannot create a simulated port at ${path}: the folder ${dirname(path)} does not exist.`,
    );
  }
  let info;
  try {
    info = await lstat(path);
  } catch {
    return; // nothing there: good
  }
  if (info.isSymbolicLink()) {
    const target = await readlink(path);
    if (target.startsWith('/dev/pts/')) {
      const live = await stat(path).then(
        () => true,
        () => false,
      );
      if (!live) {
        await unlink(path); // a stale link from a simulator that was killed
        return;
      }
      throw new SimPtyError(
        path,
        `${path} is already a live pseudo-terminal (another "so100 sim"?); stop it or choose another path.`,
      );
    }
  }
  throw new SimPtyError(
    path,
    `${path} already exists and socat would replace it; choose another path or remove it first.`,
  );
}

function waitForTransferLoop(socat: ChildProcess, socatPath: string, path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      socat.stderr?.removeListener('data', onData);
      socat.removeListener('error', onError);
      socat.removeListener('exit', onExit);
      // Keep draining socat's log so a full pipe can never block it.
      socat.stderr?.resume();
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) done();
    };
    const onError = (err: NodeJS.ErrnoException) =>
      done(err.code === 'ENOENT' ? new SocatMissingError(socatPath) : err);
    const onExit = (code: number | null) =>
      done(
        new SimPtyError(
          path,
          `socat exited with ${code} while creating ${path}: ${log.trim().split('\n').pop() ?? ''}`,
        ),
      );
    const timer = setTimeout(
      () => done(new SimPtyError(path, `socat did not set up ${path} within ${timeoutMs} ms: ${log.trim()}`)),
      timeoutMs,
    );
    socat.stderr?.on('data', onData);
    socat.once('error', onError);
    socat.once('exit', onExit);
  });
}

/** SIGTERM (socat then removes its links), SIGKILL after 2 s; resolves once the process is gone. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Removes a link we made if it is still there (socat killed with SIGKILL leaves it). */
async function removeLink(path: string): Promise<void> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink() && (await readlink(path)).startsWith('/dev/pts/')) await unlink(path);
  } catch {
    // already gone
  }
}

/** Our end of the pty pair, read and written through libuv's tty streams. */
interface PtyEnd {
  readonly input: ReadStream;
  write(bytes: Uint8Array): void;
  onLost(listener: (err?: Error) => void): void;
  close(): void;
}

/**
 * Not `serialport`: its poller (one uv_poll per fd whose event mask is replaced, not merged, on each request)
 * was seen to stall reads for seconds on a busy machine, while libuv's tty streams use the event loop's own
 * epoll registration. The user's end is still opened with serialport, like a real adapter.
 */
function openPtyEnd(path: string): PtyEnd {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  let lostListener: ((err?: Error) => void) | undefined;
  let closed = false;
  const lost = (err?: Error) => {
    if (closed) return;
    closed = true;
    lostListener?.(err);
  };
  input.on('error', (err) => lost(err));
  input.on('end', () => lost());
  output.on('error', (err) => lost(err));
  return {
    input,
    write: (bytes) => {
      if (!closed) output.write(bytes);
    },
    onLost: (listener) => {
      lostListener = listener;
    },
    close: () => {
      closed = true;
      input.destroy(); // each stream closes its own handle (libuv reopens a tty for reading)
      output.destroy();
    },
  };
}
