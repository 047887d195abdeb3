// Fills in the `default` of every absent property, as the schema declares them, so defaults live in one place.
import type { JsonSchema } from './jsonSchema';
import type { JsonValue } from './jsoncParser';

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// defineProperty, not assignment: map keys such as "__proto__" (a model or camera name) stay plain keys.
function setKey(target: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The alternative of `oneOf`/`anyOf` a value belongs to: by its `kind`/`mode` constant, else by type. */
function branchFor(value: JsonValue, branches: readonly JsonSchema[]): JsonSchema | undefined {
  if (isObject(value)) {
    const byConst = branches.find((b) =>
      Object.entries(b.properties ?? {}).some(([k, s]) => s.const !== undefined && value[k] === s.const),
    );
    if (byConst) return byConst;
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return branches.find((b) => {
    const types = b.type === undefined ? [] : typeof b.type === 'string' ? [b.type] : b.type;
    return types.some((t) => t === kind || (kind === 'number' && t === 'integer'));
  });
}

/** `value` with the schema's defaults applied to every absent property, recursively; `value` is not modified. */
export function applySchemaDefaults(value: JsonValue, schema: JsonSchema): JsonValue {
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    const branch = branchFor(value, alternatives);
    return branch ? applySchemaDefaults(value, branch) : value;
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((v: JsonValue) => applySchemaDefaults(v, items)) : value;
  }
  if (!isObject(value)) return value;
  const out: { [key: string]: JsonValue } = {};
  const properties = schema.properties ?? {};
  for (const [key, v] of Object.entries(value)) {
    const child = Object.prototype.hasOwnProperty.call(properties, key)
      ? properties[key]
      : typeof schema.additionalProperties === 'object'
        ? schema.additionalProperties
        : undefined;
    setKey(out, key, child ? applySchemaDefaults(v, child) : v);
  }
  for (const [key, child] of Object.entries(properties)) {
    if (!Object.prototype.hasOwnProperty.call(value, key) && child.default !== undefined) {
      setKey(out, key, applySchemaDefaults(structuredClone(child.default), child));
    }
  }
  return out;
}
