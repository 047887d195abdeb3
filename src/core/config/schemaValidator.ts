// Checks a positioned JSONC tree against a JsonSchema and reports every problem at once, each at the offending value
// (or key), with a message that names the setting and says what is allowed.
import { didYouMean } from './nameSuggestion';
import type { JsonSchema, JsonSchemaType } from './jsonSchema';
import type { ObjectNode, PropertyNode, ValueNode } from './jsoncParser';
import { formatPath, type PathSegment, type ProblemList } from './configProblem';

interface Span {
  readonly offset: number;
  readonly length: number;
}

/** Where a "missing key" problem goes: the key of the object in its parent, or the object's `{`. */
function anchorOf(node: ValueNode, key: PropertyNode | undefined): Span {
  return key ? { offset: key.keyOffset, length: key.keyLength } : { offset: node.offset, length: 1 };
}

function nameOf(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the config' : formatPath(path);
}

function whereOf(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the top level' : formatPath(path);
}

/** Readable alternatives: `"a", "b" or "c"`. */
export function listChoices(values: readonly unknown[]): string {
  const words = values.map((v) => JSON.stringify(v));
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** How a value reads in a message: `the string "30"`, `1.5`, `a list`. */
export function describeNode(node: ValueNode): string {
  switch (node.type) {
    case 'string':
      return `the string ${JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…` : node.value)}`;
    case 'number':
      return String(node.value);
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
  }
}

function matchesType(node: ValueNode, type: JsonSchemaType): boolean {
  if (type === 'integer') return node.type === 'number' && Number.isInteger(node.value);
  return node.type === type;
}

function typesOf(schema: JsonSchema): readonly JsonSchemaType[] | undefined {
  if (schema.type === undefined) return undefined;
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

/** What a number setting accepts: `a whole number from 1 to 1000`. */
function numberText(schema: JsonSchema, integer: boolean): string {
  const what = integer ? 'a whole number' : 'a number';
  const { minimum: min, maximum: max, exclusiveMinimum: xmin } = schema;
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (xmin !== undefined && max !== undefined) return `${what} greater than ${xmin} and at most ${max}`;
  if (min !== undefined) return `${what} of at least ${min}`;
  if (xmin !== undefined) return `${what} greater than ${xmin}`;
  if (max !== undefined) return `${what} of at most ${max}`;
  return what;
}

function typeText(schema: JsonSchema, type: JsonSchemaType): string {
  switch (type) {
    case 'integer':
      return numberText(schema, true);
    case 'number':
      return numberText(schema, false);
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'object':
      return 'an object { … }';
    case 'array':
      return 'a list [ … ]';
  }
}

function alternativesText(schemas: readonly JsonSchema[]): string {
  const words = schemas.flatMap((s) => (typesOf(s) ?? []).map((t) => typeText(s, t)));
  return words.length <= 1
    ? (words[0] ?? 'something else')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** The property every alternative fixes with `const` (`kind`, `mode`), if there is one. */
function discriminatorOf(branches: readonly JsonSchema[]): string | undefined {
  const first = branches[0]?.properties;
  if (!first) return undefined;
  return Object.keys(first).find((k) => branches.every((b) => b.properties?.[k]?.const !== undefined));
}

function lastProperty(node: ObjectNode, key: string): PropertyNode | undefined {
  for (let i = node.properties.length - 1; i >= 0; i--) if (node.properties[i].key === key) return node.properties[i];
  return undefined;
}

/** Validates `node` against `schema`, adding every problem to `problems`. */
export function validateAgainstSchema(node: ValueNode, schema: JsonSchema, problems: ProblemList): void {
  new SchemaWalk(problems).check(node, schema, [], undefined);
}

class SchemaWalk {
  constructor(private readonly problems: ProblemList) {}

  check(
    node: ValueNode,
    schema: JsonSchema,
    path: PathSegment[],
    key: PropertyNode | undefined,
    siblings?: readonly JsonSchema[],
  ): void {
    if (this.problems.full) return;
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) {
      this.checkAlternatives(node, alternatives, path, key);
      return;
    }
    const name = nameOf(path);
    const types = typesOf(schema);
    if (types && !types.some((t) => matchesType(node, t))) {
      const quoted =
        node.type === 'string' &&
        types.some((t) => t === 'number' || t === 'integer') &&
        /^-?\d+(\.\d+)?$/.test(node.value.trim())
          ? `; write ${node.value.trim()} without quotes`
          : '';
      const expected = types.map((t) => typeText(schema, t)).join(' or ');
      this.problems.add(path, `${name} must be ${expected}, got ${describeNode(node)}${quoted}`, node);
      return;
    }
    if (
      schema.const !== undefined &&
      !(node.type !== 'object' && node.type !== 'array' && node.type !== 'null' && node.value === schema.const)
    ) {
      this.problems.add(path, `${name} must be ${JSON.stringify(schema.const)}, got ${describeNode(node)}`, node);
    }
    if (schema.enum) this.checkEnum(node, schema.enum, path);
    if (node.type === 'number') this.checkRange(node.value, node, schema, path, types?.includes('integer') === true);
    if (node.type === 'string' && schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(node.value)) {
      this.problems.add(
        path,
        `${name} ${schema.patternErrorMessage ?? `must match ${schema.pattern}`}, got ${describeNode(node)}`,
        node,
      );
    }
    if (node.type === 'object') this.checkObject(node, schema, path, key, siblings);
    if (node.type === 'array' && schema.items) {
      node.items.forEach((item, i) => this.check(item, schema.items as JsonSchema, [...path, i], undefined));
    }
  }

  private checkEnum(
    node: ValueNode,
    allowed: readonly (string | number | boolean | null)[],
    path: PathSegment[],
  ): void {
    const value =
      node.type === 'object' || node.type === 'array' ? undefined : node.type === 'null' ? null : node.value;
    if (value !== undefined && allowed.includes(value)) return;
    const hint =
      node.type === 'string'
        ? didYouMean(
            node.value,
            allowed.filter((a): a is string => typeof a === 'string'),
          )
        : '';
    this.problems.add(path, `${nameOf(path)} must be ${listChoices(allowed)}, got ${describeNode(node)}${hint}`, node);
  }

  private checkRange(value: number, node: ValueNode, schema: JsonSchema, path: PathSegment[], integer: boolean): void {
    const { minimum: min, maximum: max, exclusiveMinimum: xmin } = schema;
    const bad =
      (min !== undefined && value < min) || (max !== undefined && value > max) || (xmin !== undefined && value <= xmin);
    if (bad) this.problems.add(path, `${nameOf(path)} must be ${numberText(schema, integer)}, got ${value}`, node);
  }

  private checkObject(
    node: ObjectNode,
    schema: JsonSchema,
    path: PathSegment[],
    key: PropertyNode | undefined,
    siblings?: readonly JsonSchema[],
  ): void {
    const seen = new Set<string>();
    for (const p of node.properties) {
      if (seen.has(p.key)) {
        this.problems.add(
          [...path, p.key],
          `duplicate key ${JSON.stringify(p.key)} in ${whereOf(path)}; only the last one is used, remove the others`,
          { offset: p.keyOffset, length: p.keyLength },
        );
      }
      seen.add(p.key);
    }
    for (const required of schema.required ?? []) {
      if (!seen.has(required))
        this.problems.add(
          [...path, required],
          `${nameOf(path)} needs ${JSON.stringify(required)}`,
          anchorOf(node, key),
        );
    }
    const known = schema.properties ?? {};
    for (const p of node.properties) {
      if (this.problems.full) return;
      const childPath = [...path, p.key];
      const child = Object.prototype.hasOwnProperty.call(known, p.key) ? known[p.key] : undefined;
      if (child) this.check(p.value, child, childPath, p);
      else if (typeof schema.additionalProperties === 'object')
        this.check(p.value, schema.additionalProperties, childPath, p);
      else if (schema.additionalProperties === false) this.unknownKey(p, schema, path, siblings);
    }
  }

  private unknownKey(p: PropertyNode, schema: JsonSchema, path: PathSegment[], siblings?: readonly JsonSchema[]): void {
    const span = { offset: p.keyOffset, length: p.keyLength };
    const where = whereOf(path);
    const known = Object.keys(schema.properties ?? {});
    const other = siblings?.find((s) => s.properties && Object.prototype.hasOwnProperty.call(s.properties, p.key));
    const disc = siblings ? discriminatorOf(siblings) : undefined;
    if (other && disc) {
      const theirs = JSON.stringify(other.properties?.[disc]?.const);
      const ours = JSON.stringify(schema.properties?.[disc]?.const);
      const d = JSON.stringify(disc);
      this.problems.add(
        [...path, p.key],
        `${JSON.stringify(p.key)} is a setting of ${d}: ${theirs}, but ${where} has ${d}: ${ours}; change ${d} or remove the key`,
        span,
      );
      return;
    }
    const hint = didYouMean(p.key, known);
    const list =
      hint === '' && known.length > 0 && known.length <= 12
        ? `; allowed: ${known.filter((k) => k !== '$schema').join(', ')}`
        : '';
    this.problems.add([...path, p.key], `unknown key ${JSON.stringify(p.key)} in ${where}${hint}${list}`, span);
  }

  private checkAlternatives(
    node: ValueNode,
    branches: readonly JsonSchema[],
    path: PathSegment[],
    key: PropertyNode | undefined,
  ): void {
    const disc = discriminatorOf(branches);
    if (disc && node.type === 'object') {
      const choices = branches.map((b) => b.properties?.[disc]?.const);
      const prop = lastProperty(node, disc);
      if (!prop) {
        this.problems.add(
          [...path, disc],
          `${nameOf(path)} needs ${JSON.stringify(disc)}: ${listChoices(choices)}`,
          anchorOf(node, key),
        );
        return;
      }
      const value = prop.value.type === 'string' ? prop.value.value : undefined;
      const branch = branches.find((b) => b.properties?.[disc]?.const === value);
      if (!branch) {
        const hint =
          value === undefined
            ? ''
            : didYouMean(
                value,
                choices.filter((c): c is string => typeof c === 'string'),
              );
        this.problems.add(
          [...path, disc],
          `${formatPath([...path, disc])} must be ${listChoices(choices)}, got ${describeNode(prop.value)}${hint}`,
          prop.value,
        );
        return;
      }
      this.check(node, branch, path, key, branches);
      return;
    }
    const fitting = branches.filter((b) =>
      (typesOf(b) ?? []).some((t) => (t === 'integer' || t === 'number' ? node.type === 'number' : node.type === t)),
    );
    if (fitting.length === 0) {
      this.problems.add(path, `${nameOf(path)} must be ${alternativesText(branches)}, got ${describeNode(node)}`, node);
      return;
    }
    this.check(node, fitting[0], path, key);
  }
}
