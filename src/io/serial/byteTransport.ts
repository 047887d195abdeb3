// The byte pipe under the Feetech driver: a real serial port, a pty, or the in-process simulator.

/** Stops a subscription made with onData/onClose. */
export type Unsubscribe = () => void;

/**
 * A full-duplex byte stream to a servo bus. Received bytes arrive in order through onData; onClose fires
 * once, with an error when the link was lost (unplugged adapter, killed simulator) rather than closed by us.
 */
export interface ByteTransport extends AsyncDisposable {
  /**
   * Queues bytes for the wire; resolves once the OS (or simulator) has taken them. Returns WRITTEN when it took them
   * at once. The caller may reuse `bytes` as soon as write() returns: a transport copies what it keeps.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to received bytes. The view is only valid during the call (a transport may reuse its buffer): copy what you keep. */
  onData(listener: (bytes: Uint8Array) => void): Unsubscribe;
  /** Subscribes to the end of the link; `err` is set when it ended on its own. */
  onClose(listener: (err?: Error) => void): Unsubscribe;
  /** Closes the link (idempotent); onClose listeners get no error. */
  close(): Promise<void>;
  /** What this transport talks to, for messages: "/dev/ttyACM0", "simulated bus (ids 1–6)". */
  readonly description: string;
  /** False once closed or lost. */
  readonly isOpen: boolean;
}

/** What write() returns when the transport took every byte at once: one settled promise, not one per write. */
export const WRITTEN: Promise<void> = Promise.resolve();

/**
 * A listener list that never lets one throwing listener stop the others. One argument and a copy-on-write array, so
 * emitting (once per received chunk) allocates nothing; a listener added or removed during emit takes effect next time.
 */
export class ListenerSet<T> {
  private listeners: readonly ((value: T) => void)[] = [];

  add(listener: (value: T) => void): Unsubscribe {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(value: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](value);
      } catch (err) {
        // A bug in one subscriber must not starve the others; it still surfaces, as an EventEmitter's would.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.listeners = [];
  }
}
