// One end of the host ⇄ runtime socket: length-prefixed msgpack frames in both directions. Telemetry that
// would queue behind a slow reader is dropped (and counted) instead of buffered: the control loop never waits.
import type { Socket } from 'node:net';
import {
  DROPPABLE_EVENTS,
  encodeRpcFrame,
  RpcFrameReader,
  RpcProtocolError,
  type RpcMessage,
  type RuntimeEventName,
} from '../../core/rpc';

/** Bytes the socket may hold unsent before droppable telemetry is skipped. */
export const TELEMETRY_HIGH_WATER_BYTES = 2 * 1024 * 1024;

export class FrameChannel {
  private readonly reader = new RpcFrameReader();
  private droppedCount = 0;
  private closedFlag = false;

  constructor(
    readonly socket: Socket,
    onMessage: (m: RpcMessage) => void,
    onClose: (err?: Error) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let messages: RpcMessage[];
      try {
        messages = this.reader.push(chunk);
      } catch (err) {
        // A corrupt stream cannot be resynchronised: drop this connection, keep the runtime.
        this.close(err instanceof RpcProtocolError ? err : new RpcProtocolError(String(err)));
        return;
      }
      for (const m of messages) onMessage(m);
    });
    let reported = false;
    const report = (err?: Error) => {
      this.closedFlag = true;
      if (!reported) {
        reported = true;
        onClose(err);
      }
    };
    socket.on('error', (err) => report(err));
    socket.on('close', () => report(this.closeError));
  }

  private closeError: Error | undefined;

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Telemetry events dropped for this reader so far. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Sends a message; droppable telemetry is skipped while the socket is backed up. Returns false when not sent. */
  send(message: RpcMessage): boolean {
    if (this.closedFlag || this.socket.destroyed) return false;
    if (
      message.type === 'event' &&
      DROPPABLE_EVENTS.has(message.event as RuntimeEventName) &&
      this.socket.writableLength > TELEMETRY_HIGH_WATER_BYTES
    ) {
      this.droppedCount++;
      return false;
    }
    this.socket.write(encodeRpcFrame(message));
    return true;
  }

  close(err?: Error): void {
    this.closeError ??= err;
    this.socket.destroy();
  }
}
