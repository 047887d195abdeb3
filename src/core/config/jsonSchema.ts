// The subset of JSON Schema (draft-07) the config schema uses, plus the VS Code extensions to it that the editor
// shows on hover and in completion (markdownDescription, enumDescriptions, patternErrorMessage).
import type { JsonValue } from './jsoncParser';

export type JsonSchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** A JSON Schema node as far as `validateAgainstSchema` understands it. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly type?: JsonSchemaType | readonly JsonSchemaType[];
  readonly enum?: readonly (string | number | boolean | null)[];
  /** One description per `enum` value, same order (VS Code shows them in completion). */
  readonly enumDescriptions?: readonly string[];
  readonly const?: string | number | boolean | null;
  readonly properties?: { readonly [key: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
  /** Message shown when `pattern` does not match (VS Code extension to JSON Schema). */
  readonly patternErrorMessage?: string;
  /** Alternatives; objects are told apart by a `const` discriminator property (`kind`, `mode`) when there is one. */
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly default?: JsonValue;
  /** VS Code extensions to JSON Schema, honoured on the root schema: the file is JSONC, comments and trailing commas
   * are no problem (without them VS Code warns "Trailing comma" on every one). */
  readonly allowComments?: boolean;
  readonly allowTrailingCommas?: boolean;
}
