// The starter so100.json is the embedded default spelled out; schemas/so100.schema.json is the schema const, in sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ProblemList } from '../../src/core/config/configProblem';
import { validateAgainstSchema } from '../../src/core/config/schemaValidator';
import {
  CONFIG_SCHEMA,
  defaultConfig,
  parseConfig,
  parseJsonc,
  schemaFileText,
  starterConfigText,
  toJsonValue,
  type JsonSchema,
} from '../../src/core/config';

const root = resolve(__dirname, '../..');

test('the starter text parses with zero problems to the embedded default', () => {
  const { config, problems } = parseConfig(starterConfigText());
  assert.deepEqual(problems, []);
  assert.deepEqual(config, defaultConfig());
});

test('the starter points $schema where it is told and explains itself in comments', () => {
  const text = starterConfigText('file:///ext/schemas/so100.schema.json');
  const value = toJsonValue(parseJsonc(text)) as Record<string, unknown>;
  assert.equal(value.$schema, 'file:///ext/schemas/so100.schema.json');
  assert.match(starterConfigText(), /"\$schema": "schemas\/so100\.schema\.json"/);
  for (const section of ['models', 'robot', 'cameras', 'converter', 'chunking', 'record']) {
    assert.ok(Object.prototype.hasOwnProperty.call(value, section), `starter shows ${section}`);
  }
  assert.ok((text.match(/\/\//g) ?? []).length >= 20, 'commented');
});

test('the commented-out examples of the starter are valid when uncommented', () => {
  const uncomment = (text: string, marker: string) =>
    text.replace(new RegExp(`^(\\s*)// (${marker}[^\\n]*)$`, 'm'), '$1$2');
  let text = starterConfigText();
  text = uncomment(text, '"gpu"');
  text = uncomment(text, '"gripper"');
  text = uncomment(text, '"maxStep"');
  const { config, problems } = parseConfig(text);
  assert.deepEqual(problems, []);
  assert.equal(config?.models.gpu.kind, 'remote');
  assert.deepEqual(config?.converter.gripper, { closed: 0, open: 1 });
  assert.deepEqual(config?.robot.maxStep, { gripper: 30 });
});

test('schemas/so100.schema.json is the schema const (run `npm run schema` after changing configSchema.ts)', async () => {
  const file = await readFile(join(root, 'schemas/so100.schema.json'), 'utf8');
  assert.equal(file, schemaFileText(), 'schemas/so100.schema.json is out of date: run `npm run schema`');
  assert.deepEqual(JSON.parse(file), JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
});

/** Every schema node in the tree with its path. */
function* schemaNodes(schema: JsonSchema, path: string): Generator<[string, JsonSchema]> {
  yield [path, schema];
  for (const [k, s] of Object.entries(schema.properties ?? {})) yield* schemaNodes(s, `${path}.${k}`);
  if (typeof schema.additionalProperties === 'object') yield* schemaNodes(schema.additionalProperties, `${path}.*`);
  if (schema.items) yield* schemaNodes(schema.items, `${path}[]`);
  for (const [i, s] of (schema.oneOf ?? schema.anyOf ?? []).entries()) yield* schemaNodes(s, `${path}|${i}`);
}

test('every setting has hover docs, every enum value a description, every default passes its own schema', () => {
  for (const [path, s] of schemaNodes(CONFIG_SCHEMA, '')) {
    const isSetting = s.type !== undefined || s.const !== undefined || s.oneOf !== undefined;
    if (isSetting && !/\|\d+$/.test(path))
      assert.ok(s.description ?? s.markdownDescription, `${path || 'root'} has no description`);
    if (s.enum) assert.equal(s.enumDescriptions?.length, s.enum.length, `${path} enumDescriptions`);
    if (s.default !== undefined) {
      const text = JSON.stringify(s.default);
      const problems = new ProblemList(text);
      validateAgainstSchema(parseJsonc(text), s, problems);
      assert.deepEqual(problems.items, [], `${path} default ${text}`);
    }
  }
});
