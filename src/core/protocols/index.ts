// Public API of the policy wire protocols: the registry of descriptors, and both protocols' codecs (openpi's
// msgpack-numpy frames, which awesome-lerobot's typed messages are built on).
export type { ApiKeyHeader, PolicyProtocolDescriptor } from './policyProtocol';
export { OPENPI_PROTOCOL } from './openPiProtocol';
export {
  POLICY_PROTOCOLS,
  POLICY_PROTOCOL_NAMES,
  DEFAULT_POLICY_PROTOCOL,
  isPolicyProtocol,
  KEYED_PROTOCOL_NAMES,
  apiKeyProtocolProblem,
  policyProtocol,
  protocolChoices,
  type PolicyProtocolName,
} from './policyProtocols';
export {
  type WireValue,
  PolicyFrameEncoder,
  encodePolicyFrame,
  decodePolicyFrame,
  PolicyFrameError,
  MAX_FRAME_DEPTH,
} from './msgpackNumpy/msgpackNumpy';
export * from './leRobotMessage';
