// Framing of the host ⇄ runtime channel: each message is a 4-byte big-endian length followed by that many bytes
// of msgpack. The reader survives split and merged chunks and refuses oversized or undecodable frames.
import { decode, Encoder } from '@msgpack/msgpack';
import { parseRpcMessage, RpcProtocolError, type RpcMessage } from './rpcMessages';

/** Largest frame accepted (a 1080p RGB camera frame is ~6 MB; telemetry frames are far smaller). */
export const MAX_RPC_FRAME_BYTES = 16 * 1024 * 1024;
const HEADER_BYTES = 4;

/** One message as bytes on the wire. */
// One encoder whose buffer is reused: a fresh encode() grows a new buffer from 2 KB by doubling and copies it out
// again, which for a 150 KB camera frame cost ~7× the single copy below (~225 µs vs ~32 µs).
const encoder = new Encoder({ ignoreUndefined: true });

export function encodeRpcFrame(message: RpcMessage): Uint8Array {
  // A view of the encoder's buffer, valid until the next call: copied into the frame at once. The frame is fresh,
  // as a socket may still hold the previous one.
  const body = encoder.encodeSharedRef(message);
  if (body.length > MAX_RPC_FRAME_BYTES) {
    throw new RpcProtocolError(
      `a ${message.type} of ${body.length} bytes exceeds the ${MAX_RPC_FRAME_BYTES}-byte frame limit`,
    );
  }
  const frame = new Uint8Array(HEADER_BYTES + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, HEADER_BYTES);
  return frame;
}

/** Streaming decoder: push() what the socket delivered, get the messages it completed. */
export class RpcFrameReader {
  private buffer = new Uint8Array(0);
  private failed: RpcProtocolError | undefined;

  constructor(private readonly maxFrameBytes = MAX_RPC_FRAME_BYTES) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /**
   * Messages completed by `chunk`, in order. A bad frame throws RpcProtocolError, and so does every later
   * push: after a bad length the stream cannot be resynchronised, so the connection must be dropped.
   */
  push(chunk: Uint8Array): RpcMessage[] {
    if (this.failed) throw this.failed;
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    const out: RpcMessage[] = [];
    let offset = 0;
    try {
      while (joined.length - offset >= HEADER_BYTES) {
        const length = new DataView(joined.buffer, joined.byteOffset + offset).getUint32(0);
        if (length > this.maxFrameBytes)
          throw new RpcProtocolError(
            `frame of ${length} bytes announced; the limit is ${this.maxFrameBytes} (is something else writing to the runtime's socket?)`,
          );
        if (joined.length - offset - HEADER_BYTES < length) break;
        const body = joined.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
        offset += HEADER_BYTES + length;
        let value: unknown;
        try {
          value = decode(body);
        } catch (err) {
          throw new RpcProtocolError(
            `a frame is not valid msgpack: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        out.push(parseRpcMessage(value));
      }
    } catch (err) {
      this.failed = err instanceof RpcProtocolError ? err : new RpcProtocolError(String(err));
      this.buffer = new Uint8Array(0);
      throw this.failed;
    }
    this.buffer = joined.slice(offset);
    return out;
  }
}
