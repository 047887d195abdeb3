// The embedded default: an in-process ByteTransport over the STS3215 bus simulator (no serial port, no socat).
import { FeetechBusSim } from '../../core/sim';
import { ListenerSet, WRITTEN, type ByteTransport, type Unsubscribe } from './byteTransport';
import { SimBusTiming, type MicrosecondClock } from './simBusTiming';
import { SerialPortDisconnectedError, SerialPortIoError } from './serialPortErrors';

export interface SimTransportOptions {
  /** Monotonic µs clock; default performance.now(). */
  readonly clock?: MicrosecondClock;
  /**
   * Replies on the next event-loop turn instead of after their wire time: for a virtual clock, which does not move
   * while the loop waits for the bus (the servos still move on `clock`).
   */
  readonly instantReplies?: boolean;
}

/**
 * Bytes written go to the simulator as if over the wire; its replies arrive asynchronously after their
 * modelled delay, in wire order. The driver's packet path is exactly the one used with a real port.
 */
export class SimTransport implements ByteTransport {
  readonly sim: FeetechBusSim;
  private readonly timing: SimBusTiming;
  private readonly data = new ListenerSet<Uint8Array>();
  private readonly closed = new ListenerSet<Error | undefined>();
  private ended = false;

  constructor(sim: FeetechBusSim = new FeetechBusSim(), options: SimTransportOptions = {}) {
    this.sim = sim;
    this.timing = new SimBusTiming(
      sim,
      (bytes) => this.data.emit(bytes.slice()),
      options.clock,
      options.instantReplies,
    );
  }

  get description(): string {
    const ids = this.sim.servos.map((s) => s.id);
    return `simulated bus (ids ${ids.length ? ids.join(', ') : 'none'})`;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.ended)
      return Promise.reject(new SerialPortIoError(this.description, 'the simulated port is closed; connect again'));
    try {
      this.timing.receive(bytes.slice());
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return WRITTEN;
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

  /** Runs the simulated physics up to now, e.g. before inspecting `sim` directly. */
  advance(): void {
    this.timing.advance();
  }

  /** Simulates pulling the USB adapter: pending replies are lost and onClose reports a disconnect. */
  unplug(): void {
    this.finish(new SerialPortDisconnectedError(this.description));
  }

  async close(): Promise<void> {
    this.finish(undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private finish(err: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.timing.stop();
    this.closed.emit(err);
    this.closed.clear();
    this.data.clear();
  }
}
