// A ByteTransport over a real serial port (USB adapter or pty) through the `serialport` package.
import { readSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { ListenerSet, WRITTEN, type ByteTransport, type Unsubscribe } from './byteTransport';
import { findPortHolders } from './portHolders';
import { listSerialPorts } from './portListing';
import { loadSerialPort } from './serialPortLoader';
import { classifyOpenError, SerialPortDisconnectedError, SerialPortIoError } from './serialPortErrors';

const UV_READABLE = 1;
const UV_WRITABLE = 2;
const REARM_INTERVAL_MS = 20;
const CLOSE_TIMEOUT_MS = 2000;
/** Check that the device file still exists every 25 × 20 ms = 0.5 s. */
const PRESENCE_CHECK_TICKS = 25;

/** Bytes taken from the kernel per read(2); a servo bus delivers far less between two polls. */
const READ_BUFFER_BYTES = 4096;

/** serialport's Linux/macOS binding: the port's non-blocking fd and its uv_poll, both used here directly. */
interface UnixBinding {
  readonly isOpen?: boolean;
  readonly fd?: number | null;
  readonly poller?: UnixPoller;
}

/** serialport's Poller (an EventEmitter over one uv_poll of the fd, its native object in `poller`). */
interface UnixPoller {
  poll?: (flags: number) => void;
  on?: (event: 'readable', listener: (err: Error | null) => void) => unknown;
  readonly poller?: { poll?: (flags: number) => void };
}

export interface SerialPortTransportOptions {
  /** Default 1 000 000, the SO-100 bus rate. */
  readonly baudRate?: number;
}

/**
 * Opens at 8N1 without flow control. Never calls get()/set(): both fail with "Inappropriate ioctl" on a
 * pty (the simulator), and DTR/RTS mean nothing to the servo bus board.
 */
export class SerialPortTransport implements ByteTransport {
  private readonly data = new ListenerSet<Uint8Array>();
  private readonly closed = new ListenerSet<Error | undefined>();
  private closing = false;
  private ended = false;
  /** serialport writes not yet done: later bytes must follow them, not overtake them with a direct write. */
  private slowWrites = 0;

  /** Where direct reads land; listeners get a view of it that is only valid during their call. */
  private readonly readBuffer = new Uint8Array(READ_BUFFER_BYTES);
  /** readBuffer's first n bytes, for each n seen: made once, so a read allocates nothing. */
  private readonly readViews: Uint8Array[] = [];
  private readonly poller: UnixPoller | undefined;

  private constructor(
    private readonly port: SerialPort,
    readonly description: string,
  ) {
    const poller = this.directFd() === undefined ? undefined : this.binding()?.poller;
    if (poller?.on && poller.poll) {
      // Read the fd ourselves when its poller says readable (see onReadable); serialport's stream never reads.
      this.poller = poller;
      poller.on('readable', this.onReadable);
      poller.poll(UV_READABLE);
    } else {
      port.on('data', (chunk: Buffer) => this.data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    }
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      const lost = err ?? (this.closing ? undefined : new Error('closed by the system'));
      this.finish(lost ? new SerialPortDisconnectedError(description, lost) : undefined);
    });
    // Errors that do not close the port (e.g. a failed write) reach callers through write(); an 'error'
    // listener keeps the stream from throwing them as uncaught exceptions.
    port.on('error', () => undefined);
    let ticks = 0;
    this.rearm = setInterval(() => {
      this.rearmPoller();
      if (++ticks % PRESENCE_CHECK_TICKS === 0) void this.checkPresent();
    }, REARM_INTERVAL_MS);
    this.rearm.unref();
  }

  private readonly rearm: NodeJS.Timeout;

  /**
   * The fd is readable: take everything the kernel holds with non-blocking read(2)s, hand each chunk to the
   * listeners, and poll for readable again. serialport's own read is an fs.read on libuv's thread pool, tried
   * first and then again after the poller fires, and its result comes back a loop turn later through a
   * stream: ~0.1 ms between the last reply byte and the bus seeing it, on this machine. A failing read (EIO
   * after an unplug or when socat dies) loses the port, as serialport's failing read did.
   */
  private readonly onReadable = (err: Error | null): void => {
    if (this.ended || this.closing) return;
    if (err) {
      if ((err as { canceled?: boolean }).canceled) return; // serialport stopping the poller on close
      this.lose(err);
      return;
    }
    const fd = this.directFd();
    if (fd === undefined) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, this.readBuffer, 0, READ_BUFFER_BYTES, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        this.lose(e as Error);
        return;
      }
      if (n === 0) break;
      this.data.emit((this.readViews[n] ??= this.readBuffer.subarray(0, n)));
      if (this.ended || this.closing) return; // a listener closed the port
      if (n < READ_BUFFER_BYTES) break;
    }
    // The poller's mask is replaced, not merged: keep asking for writable while serialport waits for it (after EAGAIN).
    this.pollAgain(this.slowWrites > 0 ? UV_READABLE | UV_WRITABLE : UV_READABLE);
  };

  /**
   * Asks the poller for the next event. The native poller's own poll when it has one: the JS wrapper's poll logs
   * through `debug` first, which allocates on every call even when logging is off (once per received chunk).
   */
  private pollAgain(flags: number): void {
    const poller = this.poller;
    if (!poller) return;
    const native = poller.poller;
    if (native?.poll) native.poll(flags);
    else poller.poll?.(flags);
  }

  /** The port failed under us: report it lost and let serialport close the fd. */
  private lose(err: Error): void {
    this.finish(new SerialPortDisconnectedError(this.description, err));
    if (this.port.isOpen) this.port.close(() => undefined);
  }

  /**
   * A second unplug detector: serialport notices a lost device only through a failing read, which a stalled
   * poller may never start. When the device file is gone (USB unplugged, socat stopped), report it.
   */
  private async checkPresent(): Promise<void> {
    try {
      await stat(this.description);
    } catch (err) {
      if (this.ended || this.closing || (err as NodeJS.ErrnoException).code !== 'ENOENT') return;
      this.finish(new SerialPortDisconnectedError(this.description, err));
      this.port.close(() => undefined);
    }
  }

  /**
   * serialport's Linux/macOS poller keeps one uv_poll per port whose event mask is replaced, not merged, on
   * every request; reads were seen to wait for seconds with bytes pending on a busy machine. Asking for
   * readable|writable again is harmless (writable fires at once and polling falls back to readable) and
   * bounds such a stall. Feature-detected: other bindings (Windows, mocks) have no poller.
   */
  private rearmPoller(): void {
    if (this.ended || this.closing || !this.port.isOpen) return;
    const binding = this.binding();
    // Never touch a poller after the binding closed: serialport destroys it natively (calling it would crash).
    if (binding?.isOpen !== true) return;
    try {
      binding.poller?.poll?.(UV_READABLE | UV_WRITABLE);
    } catch {
      // the port is closing; nothing to re-arm
    }
  }

  /** Opens `path`; rejects with a typed SerialPortError that says how to fix the cause. */
  static async open(path: string, options: SerialPortTransportOptions = {}): Promise<SerialPortTransport> {
    // Loaded on demand, so the simulator, the policy server and the CLI run without the native binding.
    const { SerialPort } = await loadSerialPort(path);
    const port = new SerialPort({
      path,
      baudRate: options.baudRate ?? 1_000_000,
      dataBits: 8,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      autoOpen: false,
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      const text = String((err as Error)?.message ?? err);
      const available = /no such file|ENOENT/i.test(text)
        ? (await listSerialPorts()).map((p) => (p.likelySo100 ? `${p.path} (likely the SO-100 adapter)` : p.path))
        : [];
      const holders = /cannot lock port|resource busy|EBUSY/i.test(text) ? await findPortHolders(path) : [];
      throw classifyOpenError(path, err, available, holders);
    }
    return new SerialPortTransport(port, path);
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /**
   * Hands the bytes to the kernel with one non-blocking write(2) on the port's fd when serialport's Unix binding
   * has one: a tty takes a servo packet into its buffer at once, and serialport's own path (an fs.write on libuv's
   * thread pool, then the callback on a later loop turn) cost ~0.1 ms per packet on this machine. Whatever the
   * kernel does not take at once (EAGAIN, a short write), and every write while such a rest is pending, goes
   * through serialport, so bytes keep their order. Other bindings (Windows) always use serialport's path.
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.ended) return Promise.reject(new SerialPortIoError(this.description, 'the port is closed; connect again'));
    let rest = bytes;
    const fd = this.slowWrites === 0 ? this.directFd() : undefined;
    if (fd !== undefined) {
      try {
        const n = writeSync(fd, bytes);
        if (n === bytes.length) return WRITTEN;
        rest = bytes.subarray(n);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR')
          return Promise.reject(this.writeError(err as Error));
      }
    }
    return this.writeThroughPort(rest);
  }

  /** serialport's write (thread pool, waits for writable): after EAGAIN, and where there is no fd to write to. */
  private writeThroughPort(bytes: Uint8Array): Promise<void> {
    this.slowWrites++;
    return new Promise((resolve, reject) => {
      // A copy: serialport keeps the buffer until the kernel has it, and the caller may reuse `bytes` at once.
      this.port.write(Buffer.from(bytes), (err) => {
        this.slowWrites--;
        if (!err) {
          this.rearmPoller();
          resolve();
        } else reject(this.writeError(err));
      });
    });
  }

  private writeError(err: Error): Error {
    return /\b(EIO|ENXIO|EBADF)\b/.test(err.message) || (err as { disconnected?: boolean }).disconnected
      ? new SerialPortDisconnectedError(this.description, err) // the 'close' event follows
      : new SerialPortIoError(this.description, `write failed: ${err.message}`, err);
  }

  private binding(): UnixBinding | undefined {
    return (this.port as unknown as { port?: UnixBinding }).port;
  }

  /** The open port's fd, when the binding is serialport's Unix one (it opens the fd O_NONBLOCK). */
  private directFd(): number | undefined {
    if (this.closing) return undefined;
    const binding = this.binding();
    if (binding?.isOpen !== true || typeof binding.fd !== 'number' || binding.poller === undefined) return undefined;
    return binding.fd;
  }

  onData(listener: (bytes: Uint8Array) => void): Unsubscribe {
    return this.data.add(listener);
  }

  onClose(listener: (err?: Error) => void): Unsubscribe {
    if (this.ended) {
      queueMicrotask(() => listener(undefined));
      return () => undefined;
    }
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    if (this.ended || this.closing) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      if (!this.port.isOpen) {
        resolve();
        return;
      }
      // A close error leaves nothing for the caller to do; never wait forever on a wedged port.
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      this.port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.finish(undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private finish(err: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.rearm);
    this.closed.emit(err);
    this.closed.clear();
    this.data.clear();
  }
}
