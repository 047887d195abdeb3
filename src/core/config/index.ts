// The workspace config so100.json: schema, JSONC parsing, validation, resolution, change classification.
export {
  type JsonValue,
  type ValueNode,
  type ObjectNode,
  type ArrayNode,
  type PropertyNode,
  type TextPosition,
  ConfigSyntaxError,
  MAX_JSONC_DEPTH,
  parseJsonc,
  positionAt,
  toJsonValue,
} from './jsoncParser';
export type { JsonSchema, JsonSchemaType } from './jsonSchema';
export { CONFIG_SCHEMA, schemaFileText } from './configSchema';
export { type ConfigProblem, type ProblemSeverity, type PathSegment, formatPath } from './configProblem';
export type * from './configTypes';
export { type ConfigValidation, validateConfig } from './validateConfig';
export { type ParsedConfig, parseConfig } from './parseConfig';
export { BUILTIN_MODELS, defaultConfig, defaultLayoutFor, modelNamed } from './resolveConfig';
export {
  toChunkSchedulerOptions,
  toSeamOptions,
  toBodyJointMode,
  jointUnits,
  toActionSafetyOptions,
  toConverterOptions,
  activeModelOf,
  builtinProfileOf,
} from './configMappers';
export { type ChangeClass, type ConfigChange, classifyChanges, changeClasses } from './configChanges';
export { SCHEMA_RELATIVE_PATH, starterConfigText } from './starterConfig';
export {
  type TrustRefusal,
  untrustedFolderMessage,
  untrustedFolderRefusals,
  untrustedRefusals,
  untrustedServerSettingRefusal,
  untrustedMessage,
} from './workspaceTrust';
export { isLoopbackHost, urlHost, remotePolicyNotice } from './policyHostNotice';
export { isSimulatedArm, SIMULATED_ARM_PORT } from './simulatedArm';
export { apiKeyTransportProblem, missingApiKeyMessage } from './apiKeyRule';
