// The registry of policy protocols: every union, check, schema enum and help text naming a protocol comes from
// here. Adding one: its descriptor file beside this one, its entry below, and its adapters in
// io/policy/protocolAdapters.ts (a compile error until they exist).
import { LEROBOT_WS_PROTOCOL } from './leRobotWsProtocol';
import { OPENPI_PROTOCOL } from './openPiProtocol';
import type { PolicyProtocolDescriptor } from './policyProtocol';

export const POLICY_PROTOCOLS = {
  [OPENPI_PROTOCOL.name]: OPENPI_PROTOCOL,
  [LEROBOT_WS_PROTOCOL.name]: LEROBOT_WS_PROTOCOL,
} as const satisfies Record<string, PolicyProtocolDescriptor>;

export type PolicyProtocolName = keyof typeof POLICY_PROTOCOLS;

/** The protocol a model speaks unless it says otherwise. */
export const DEFAULT_POLICY_PROTOCOL: PolicyProtocolName = OPENPI_PROTOCOL.name;

export const POLICY_PROTOCOL_NAMES = Object.keys(POLICY_PROTOCOLS) as readonly PolicyProtocolName[];

export function isPolicyProtocol(v: unknown): v is PolicyProtocolName {
  return typeof v === 'string' && Object.hasOwn(POLICY_PROTOCOLS, v);
}

export function policyProtocol(name: PolicyProtocolName): PolicyProtocolDescriptor {
  return POLICY_PROTOCOLS[name];
}

/** The protocols whose servers take an API key, and the header each sends it in. */
export const KEYED_PROTOCOL_NAMES = POLICY_PROTOCOL_NAMES.filter((n) => policyProtocol(n).apiKeyHeader !== undefined);

/** Why `protocol` cannot carry an API key ("lerobot-ws servers take no API key; only openpi servers do (…)"), or
 *  undefined when it can. */
export function apiKeyProtocolProblem(protocol: PolicyProtocolName): string | undefined {
  if (policyProtocol(protocol).apiKeyHeader !== undefined) return undefined;
  const keyed = KEYED_PROTOCOL_NAMES.map((n) => {
    const h = policyProtocol(n).apiKeyHeader!;
    return `${n} servers do (the "${h.name}: ${h.prefix.trim()}" header)`;
  });
  return `${protocol} servers take no API key; ${keyed.length ? `only ${keyed.join(', ')}` : 'no protocol here takes one'}`;
}

/** "openpi or lerobot-ws", for messages that say what is allowed. */
export function protocolChoices(joiner = ' or '): string {
  const names = POLICY_PROTOCOL_NAMES.map(String);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')}${joiner}${names.at(-1)}`;
}
