// The I/O side of each policy protocol of the registry (core/protocols): its client, how a server of it is seen to
// be ready, and the built-in server's session. Keyed by the registry's names, so a protocol registered there without
// adapters here is a compile error.
import type { WebSocket } from 'ws';
import type { PolicyProtocolName } from '../../core/protocols';
import { leRobotPingReady, openPiReady } from '../process/readiness';
import type { ReadinessProbe } from '../process/serverSpec';
import type { BuiltinPolicyServer } from './builtinServer/builtinPolicyServer';
import type { BuiltinSession } from './builtinServer/builtinSession';
import { LeRobotSession } from './builtinServer/leRobotSession';
import { OpenPiSession } from './builtinServer/openPiSession';
import { LeRobotWsClient } from './leRobotWsClient';
import { OpenPiClient } from './openPiClient';
import type { PolicyClient } from './policyClient';
import type { RequestReplyOptions } from './requestReplyClient';

export interface PolicyProtocolAdapter {
  client(url: string, options: RequestReplyOptions): PolicyClient;
  /** True once a server of this protocol answers at host:port; false: not yet (keep polling). */
  ready(host: string, port: number, signal: AbortSignal): Promise<boolean>;
  /** The built-in server's handler of one connection. */
  serverSession(server: BuiltinPolicyServer, ws: WebSocket): BuiltinSession;
  /** Whether the built-in server offers per-message deflate, as the protocol's real servers do. */
  readonly perMessageDeflate: boolean;
}

export const PROTOCOL_ADAPTERS: { readonly [P in PolicyProtocolName]: PolicyProtocolAdapter } = {
  openpi: {
    client: (url, options) => new OpenPiClient(url, options),
    ready: openPiReady,
    serverSession: (server, ws) => new OpenPiSession(server, ws),
    // openpi runs websockets with compression=None.
    perMessageDeflate: false,
  },
  'lerobot-ws': {
    client: (url, options) => new LeRobotWsClient(url, options),
    ready: (host, port, signal) => leRobotPingReady(host, port, signal),
    serverSession: (server, ws) => new LeRobotSession(server, ws),
    // awesome-lerobot keeps the websockets library's default: deflate when the client offers it.
    perMessageDeflate: true,
  },
};

/** The supervisor's readiness probe: the one of the server's protocol. */
export const defaultReadiness: ReadinessProbe = (spec, signal) =>
  PROTOCOL_ADAPTERS[spec.protocol].ready(spec.host, spec.port, signal);
