// From a schema-valid JSON value to the typed So100Config: schema defaults, the built-in models, and the defaults
// that depend on other settings (the layout follows the active model's protocol, a synthetic camera's view its name).
import type { LayoutName } from '../convert/layouts';
import { DEFAULT_POLICY_PROTOCOL, POLICY_PROTOCOLS } from '../protocols/policyProtocols';
import { CONFIG_SCHEMA } from './configSchema';
import type {
  CameraConfig,
  ChunkingConfig,
  ConverterConfig,
  ModelConfig,
  RecordConfig,
  RobotConfig,
  So100Config,
} from './configTypes';
import type { JsonValue } from './jsoncParser';
import { applySchemaDefaults } from './schemaDefaults';

/** The models that always exist; an entry of the same name in `models` replaces one. */
export const BUILTIN_MODELS: Readonly<Record<string, ModelConfig>> = {
  pi0: { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0 },
  pi0_fast: { kind: 'builtin', profile: 'pi0_fast', protocol: 'openpi', port: 0 },
};

/** The layout used when `converter.layout` is left out: the one of the model's protocol. */
export function defaultLayoutFor(model: ModelConfig | undefined): LayoutName {
  return POLICY_PROTOCOLS[model?.protocol ?? DEFAULT_POLICY_PROTOCOL].defaultLayout;
}

/** The model called `name`, only if the config defines it (never an inherited property such as "constructor"). */
export function modelNamed(models: Readonly<Record<string, ModelConfig>>, name: string): ModelConfig | undefined {
  return Object.prototype.hasOwnProperty.call(models, name) ? models[name] : undefined;
}

/** A record built with defineProperty, so a "__proto__" model or camera name stays an ordinary entry. */
function record<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

// The shape of a value that passed CONFIG_SCHEMA with its defaults applied; only `view` and `layout` may still be
// missing. The one cast below is justified by the validator having run first (see validateConfig).
interface DefaultedConfig extends Omit<So100Config, 'cameras' | 'converter'> {
  readonly cameras: Readonly<
    Record<
      string,
      { readonly kind: 'synthetic'; readonly view?: 'front' | 'wrist' } | Exclude<CameraConfig, { kind: 'synthetic' }>
    >
  >;
  readonly converter: Omit<ConverterConfig, 'layout'> & { readonly layout?: LayoutName };
}

/** The typed config of a JSON value that has passed CONFIG_SCHEMA without errors. */
export function resolveConfigValue(value: JsonValue): So100Config {
  const v = applySchemaDefaults(value, CONFIG_SCHEMA) as unknown as DefaultedConfig;
  const models = record<ModelConfig>([...Object.entries(BUILTIN_MODELS), ...Object.entries(v.models)]);
  const cameras = record<CameraConfig>(
    Object.entries(v.cameras).map(([name, c]) => [
      name,
      c.kind === 'synthetic' ? { kind: 'synthetic', view: c.view ?? (name === 'wrist' ? 'wrist' : 'front') } : c,
    ]),
  );
  const converter: ConverterConfig = {
    ...v.converter,
    layout: v.converter.layout ?? defaultLayoutFor(modelNamed(models, v.activeModel)),
  };
  const robot: RobotConfig = v.robot;
  const chunking: ChunkingConfig = v.chunking;
  const recordConfig: RecordConfig = v.record;
  return {
    fps: v.fps,
    maxSteps: v.maxSteps,
    task: v.task,
    requestTimeoutMs: v.requestTimeoutMs,
    maxPolicyFailures: v.maxPolicyFailures,
    activeModel: v.activeModel,
    models,
    robot,
    cameras,
    converter,
    chunking,
    record: recordConfig,
    evaluation: v.evaluation,
  };
}

/** The embedded default: simulated arm, synthetic front + wrist cameras, built-in π₀ over openpi, async chunking. */
export function defaultConfig(): So100Config {
  return resolveConfigValue({});
}
