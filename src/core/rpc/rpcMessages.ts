// The three kinds of message on the host ⇄ runtime channel, and the check every received one goes through.

/** Host → runtime: call `method`; the reply carries the same id. */
export interface RpcRequest {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** What went wrong in the runtime, as the host should show it. */
export interface RpcErrorInfo {
  /** The error's class name (e.g. `RobotHandshakeError`), for programs. */
  readonly name: string;
  /** A sentence for the user, saying what to do. */
  readonly message: string;
}

/** Runtime → host: the answer to request `id`. */
export type RpcReply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: RpcErrorInfo };

/** Runtime → host, unasked: state changes and telemetry. */
export interface RpcEvent {
  readonly type: 'event';
  readonly event: string;
  readonly data: unknown;
}

export type RpcMessage = RpcRequest | RpcReply | RpcEvent;

/** A frame that breaks the channel's protocol; the connection that sent it should be dropped. */
export class RpcProtocolError extends Error {
  override readonly name = 'RpcProtocolError';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a decoded value is a well-formed message; throws RpcProtocolError naming what is wrong. */
export function parseRpcMessage(value: unknown): RpcMessage {
  if (!isRecord(value)) throw new RpcProtocolError('a message must be a map with a "type"');
  switch (value.type) {
    case 'request':
      if (!isId(value.id)) throw new RpcProtocolError('a request needs a non-negative integer "id"');
      if (typeof value.method !== 'string' || value.method.length === 0)
        throw new RpcProtocolError(`request ${value.id} has no "method"`);
      return { type: 'request', id: value.id, method: value.method, params: value.params ?? {} };
    case 'reply':
      if (!isId(value.id)) throw new RpcProtocolError('a reply needs a non-negative integer "id"');
      if (value.ok === true) return { type: 'reply', id: value.id, ok: true, result: value.result ?? null };
      if (value.ok === false && isRecord(value.error) && typeof value.error.message === 'string') {
        return {
          type: 'reply',
          id: value.id,
          ok: false,
          error: {
            name: typeof value.error.name === 'string' ? value.error.name : 'Error',
            message: value.error.message,
          },
        };
      }
      throw new RpcProtocolError(
        `reply ${value.id} needs "ok": true with a result, or "ok": false with an error message`,
      );
    case 'event':
      if (typeof value.event !== 'string' || value.event.length === 0)
        throw new RpcProtocolError('an event needs a name in "event"');
      return { type: 'event', event: value.event, data: value.data ?? null };
    default:
      throw new RpcProtocolError(
        `unknown message type ${JSON.stringify(String(value.type)).slice(0, 40)}; expected request, reply or event`,
      );
  }
}
