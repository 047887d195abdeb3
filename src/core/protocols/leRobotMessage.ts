// The awesome-lerobot websocket messages (shared/reference/policy-protocols.md §2): msgpack-numpy maps with a str
// "type". One pure decoder for both ends (our client and our built-in server), so every malformed message becomes
// a LeRobotMessageError (or a PolicyFrameError for bytes that are not a frame at all), never a TypeError.
import { NdArray } from '../ndarray';
import { decodePolicyFrame, type WireValue } from './msgpackNumpy/msgpackNumpy';

type WireMap = { readonly [key: string]: WireValue };

/** A well-formed frame that is not a valid awesome-lerobot message; the message says which field is wrong. */
export class LeRobotMessageError extends Error {
  override readonly name = 'LeRobotMessageError';
}

/** Every message type the protocol (and our server's extensions get_stats / configure) knows. */
export const LE_ROBOT_MESSAGE_TYPES = [
  'select_action',
  'action_response',
  'reset',
  'reset_response',
  'ping',
  'pong',
  'get_stats',
  'stats_response',
  'configure',
  'configure_response',
  'error',
] as const;

/** A decoded message; `raw` is the whole map as it arrived (extra keys included). */
export type LeRobotMessage = { readonly raw: WireMap } & (
  | { readonly type: 'select_action'; readonly observation: WireMap }
  | { readonly type: 'action_response'; readonly action: NdArray; readonly inferMs?: number }
  | { readonly type: 'reset' | 'ping' | 'get_stats' }
  | { readonly type: 'reset_response'; readonly status?: string }
  | { readonly type: 'pong'; readonly capabilities: readonly string[] }
  | { readonly type: 'stats_response'; readonly stats: WireMap }
  | { readonly type: 'configure'; readonly config: WireMap }
  | { readonly type: 'configure_response'; readonly config: WireMap }
  | { readonly type: 'error'; readonly message: string }
);

/** Decodes one binary frame; throws PolicyFrameError (not msgpack-numpy) or LeRobotMessageError (not a valid message). */
export function decodeLeRobotMessage(bytes: Uint8Array): LeRobotMessage {
  return parseLeRobotMessage(decodePolicyFrame(bytes));
}

/** Checks an already decoded frame; throws LeRobotMessageError naming the field that is wrong. */
export function parseLeRobotMessage(value: WireValue): LeRobotMessage {
  if (!isMap(value)) throw new LeRobotMessageError(`a message must be a map with a str "type", got ${describe(value)}`);
  const raw = value;
  const type = raw.type;
  if (typeof type !== 'string') throw new LeRobotMessageError(`a message needs a str "type", got ${describe(type)}`);
  switch (type) {
    case 'reset':
    case 'ping':
    case 'get_stats':
      return { raw, type };
    case 'select_action':
      return { raw, type, observation: requireMap(raw, 'observation', type) };
    case 'action_response':
      return { raw, type, action: actionOf(raw), inferMs: inferMsOf(raw.server_timing) };
    case 'reset_response':
      return { raw, type, status: optionalString(raw, 'status', type) };
    case 'pong':
      return { raw, type, capabilities: capabilitiesOf(raw.capabilities) };
    case 'stats_response':
      return { raw, type, stats: optionalMap(raw, 'stats', type) };
    case 'configure':
      return { raw, type, config: optionalMap(raw, 'config', type) };
    case 'configure_response':
      return { raw, type, config: optionalMap(raw, 'config', type) };
    case 'error':
      return { raw, type, message: optionalString(raw, 'message', type) ?? 'unspecified error' };
    default:
      throw new LeRobotMessageError(
        `unknown message type ${JSON.stringify(type.slice(0, 80))}; the protocol knows ` +
          `${LE_ROBOT_MESSAGE_TYPES.join(', ')}`,
      );
  }
}

function actionOf(raw: WireMap): NdArray {
  const a = raw.action;
  if (!(a instanceof NdArray))
    throw new LeRobotMessageError(`action_response needs an ndarray "action", got ${describe(a)}`);
  if (a.dtype === '|b1' || a.dtype === '|u1') {
    throw new LeRobotMessageError(
      `action_response "action" has dtype ${a.dtype}; actions must be numbers (<f4 or <f8)`,
    );
  }
  if (a.shape.length < 1 || a.shape.length > 2) {
    throw new LeRobotMessageError(
      `action_response "action" must be (action_dim) or (steps, action_dim), got shape (${a.shape.join(', ')})`,
    );
  }
  return a;
}

function inferMsOf(timing: WireValue | undefined): number | undefined {
  if (!isMap(timing)) return undefined; // timing is our addition; stock servers send none
  const ms = timing.infer_ms;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}

function capabilitiesOf(v: WireValue | undefined): readonly string[] {
  if (v === undefined || v === null) return []; // stock servers answer a bare {"type": "pong"}
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) {
    throw new LeRobotMessageError(`pong "capabilities" must be a list of str, got ${describe(v)}`);
  }
  return v as string[];
}

function requireMap(raw: WireMap, key: string, type: string): WireMap {
  const v = raw[key];
  if (!isMap(v)) throw new LeRobotMessageError(`${type} needs a map "${key}", got ${describe(v)}`);
  return v;
}

function optionalMap(raw: WireMap, key: string, type: string): WireMap {
  return raw[key] === undefined ? {} : requireMap(raw, key, type);
}

function optionalString(raw: WireMap, key: string, type: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new LeRobotMessageError(`${type} "${key}" must be a str, got ${describe(v)}`);
  return v;
}

function isMap(v: WireValue | undefined): v is WireMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function describe(v: WireValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'nil';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} raw bytes`;
  if (v instanceof NdArray) return `an ndarray of shape (${v.shape.join(', ')})`;
  if (typeof v === 'object') return isMap(v) ? 'a map' : 'a numpy scalar';
  if (typeof v === 'string') return `the str ${JSON.stringify(v.slice(0, 40))}`;
  return `a ${typeof v}`;
}
