// JSONC (JSON with // and /* */ comments and trailing commas, as VS Code's settings files) parsed into a tree whose
// nodes keep their offsets, so that every config problem can point at the exact key or value. Own code: a small
// recursive-descent parser, linear in the input, nesting capped so that hostile input cannot exhaust the stack.

/** A plain JSON value, as the config is after parsing. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

interface NodeBase {
  /** Offset of the node's first character (UTF-16 code units). */
  readonly offset: number;
  /** Length of the node's text, quotes and brackets included. */
  readonly length: number;
}

export interface ObjectNode extends NodeBase {
  readonly type: 'object';
  /** Properties in file order; duplicates are kept (the validator reports them). */
  readonly properties: readonly PropertyNode[];
}
export interface ArrayNode extends NodeBase {
  readonly type: 'array';
  readonly items: readonly ValueNode[];
}
export interface StringNode extends NodeBase {
  readonly type: 'string';
  readonly value: string;
}
export interface NumberNode extends NodeBase {
  readonly type: 'number';
  readonly value: number;
}
export interface BooleanNode extends NodeBase {
  readonly type: 'boolean';
  readonly value: boolean;
}
export interface NullNode extends NodeBase {
  readonly type: 'null';
}

/** One `"key": value` of an object. */
export interface PropertyNode {
  readonly key: string;
  /** Offset of the key's opening quote. */
  readonly keyOffset: number;
  /** Length of the key, quotes included. */
  readonly keyLength: number;
  readonly value: ValueNode;
}

export type ValueNode = ObjectNode | ArrayNode | StringNode | NumberNode | BooleanNode | NullNode;

/** 1-based line and column (UTF-16 code units) of an offset. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** The config text is not valid JSONC; `line`/`column` are 1-based and point at the offending character. */
export class ConfigSyntaxError extends Error {
  override readonly name = 'ConfigSyntaxError';
  readonly line: number;
  readonly column: number;
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly length: number,
    text: string,
  ) {
    const { line, column } = positionAt(text, offset);
    super(`line ${line}, column ${column}: ${reason}`);
    this.line = line;
    this.column = column;
  }
}

/** Default cap on nesting; a real config nests 4 levels deep. */
export const MAX_JSONC_DEPTH = 64;

/** The 1-based line and column of `offset` in `text` (\n, \r\n and \r end lines). */
export function positionAt(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Parses JSONC text into a positioned tree; throws ConfigSyntaxError (and nothing else) on bad input. */
export function parseJsonc(text: string, options: { readonly maxDepth?: number } = {}): ValueNode {
  return new JsoncParser(text, options.maxDepth ?? MAX_JSONC_DEPTH).parseDocument();
}

/** The plain value of a parse tree; of duplicate keys the last wins, as in JSON.parse. */
export function toJsonValue(node: ValueNode): JsonValue {
  switch (node.type) {
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      // defineProperty, not assignment: a "__proto__" key must stay a plain key.
      for (const p of node.properties) {
        Object.defineProperty(out, p.key, {
          value: toJsonValue(p.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return node.items.map(toJsonValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const NUMBERISH = /[-+0-9.eE]+/y;

class JsoncParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): ValueNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipTrivia();
    if (this.pos >= this.text.length) this.fail('the file is empty; write {} to use the defaults', this.pos, 0);
    const root = this.parseValue('the config', 1);
    this.skipTrivia();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the config', this.pos, 1);
    return root;
  }

  private fail(reason: string, offset: number, length: number): never {
    // The span stays inside the text: an error at the very end (e.g. the 65th "[" of 64) has nothing to underline.
    throw new ConfigSyntaxError(reason, offset, Math.max(0, Math.min(length, this.text.length - offset)), this.text);
  }

  /** Skips whitespace and comments. */
  private skipTrivia(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && t[this.pos + 1] === '/') {
        while (this.pos < t.length && t[this.pos] !== '\n' && t[this.pos] !== '\r') this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated /* comment: close it with */', this.pos, 2);
        this.pos = end + 2;
      } else return;
    }
  }

  /** A short description of what is at the current position, for "got …" in messages. */
  private found(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text);
    if (word) return `'${word[0].slice(0, 40)}'`;
    const c = this.text[this.pos];
    if (c === '"') {
      const end = this.text.indexOf('"', this.pos + 1);
      const s = this.text.slice(this.pos, end < 0 ? this.pos + 21 : Math.min(end + 1, this.pos + 41));
      return /[\r\n]/.test(s) ? `'"'` : s;
    }
    return c === "'" ? `"'"` : `'${c}'`;
  }

  private parseValue(owner: string, depth: number): ValueNode {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`, this.pos, 1);
    const t = this.text;
    const start = this.pos;
    const c = t[start];
    if (c === '{') return this.parseObject(depth);
    if (c === '[') return this.parseArray(owner, depth);
    if (c === '"') {
      const value = this.parseString();
      return { type: 'string', value, offset: start, length: this.pos - start };
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    WORD.lastIndex = start;
    const word = WORD.exec(t)?.[0];
    if (word === 'true' || word === 'false') {
      this.pos += word.length;
      return { type: 'boolean', value: word === 'true', offset: start, length: word.length };
    }
    if (word === 'null') {
      this.pos += 4;
      return { type: 'null', offset: start, length: 4 };
    }
    if (word !== undefined) {
      const lower = word.toLowerCase();
      const hint =
        lower === 'true' || lower === 'false' || lower === 'null'
          ? `; write ${lower} in lower case`
          : word === 'NaN' || word === 'Infinity' || word === 'undefined'
            ? `; ${word} is not valid JSON, write a number or null`
            : '; strings need double quotes';
      this.fail(`unexpected '${word.slice(0, 40)}' as the value of ${owner}${hint}`, start, word.length);
    }
    if (c === "'") this.fail(`strings need double quotes, not single quotes (the value of ${owner})`, start, 1);
    this.fail(`expected a value for ${owner}, got ${this.found()}`, start, c === undefined ? 0 : 1);
  }

  private parseObject(depth: number): ObjectNode {
    const start = this.pos;
    this.pos++; // {
    const properties: PropertyNode[] = [];
    for (;;) {
      this.skipTrivia();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return { type: 'object', properties, offset: start, length: this.pos - start };
      }
      if (c !== '"') {
        const got = this.found();
        const hint =
          c === "'"
            ? '; keys need double quotes, not single quotes'
            : /^'[A-Za-z_$]/.test(got)
              ? `; keys need double quotes: "${got.slice(1, -1)}"`
              : c === ','
                ? '; remove the extra comma'
                : '';
        this.fail(`expected a key in double quotes or '}', got ${got}${hint}`, this.pos, c === undefined ? 0 : 1);
      }
      const keyOffset = this.pos;
      const key = this.parseString();
      const keyLength = this.pos - keyOffset;
      const owner = `"${key.length > 40 ? `${key.slice(0, 40)}…` : key}"`;
      this.skipTrivia();
      if (this.text[this.pos] !== ':')
        this.fail(
          `expected ':' after the key ${owner}, got ${this.found()}`,
          this.pos,
          this.pos < this.text.length ? 1 : 0,
        );
      this.pos++;
      this.skipTrivia();
      const value = this.parseValue(owner, depth + 1);
      properties.push({ key, keyOffset, keyLength, value });
      this.skipTrivia();
      const next = this.text[this.pos];
      if (next === ',') this.pos++;
      else if (next !== '}') {
        const hint = next === '"' ? '; is a comma missing?' : '';
        this.fail(
          `expected ',' or '}' after the value of ${owner}, got ${this.found()}${hint}`,
          this.pos,
          next === undefined ? 0 : 1,
        );
      }
    }
  }

  private parseArray(owner: string, depth: number): ArrayNode {
    const start = this.pos;
    this.pos++; // [
    const items: ValueNode[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { type: 'array', items, offset: start, length: this.pos - start };
      }
      if (this.text[this.pos] === ',')
        this.fail(`expected a value or ']' in the list of ${owner}, got ','; remove the extra comma`, this.pos, 1);
      items.push(this.parseValue(`item ${items.length + 1} of ${owner}`, depth + 1));
      this.skipTrivia();
      const next = this.text[this.pos];
      if (next === ',') this.pos++;
      else if (next !== ']')
        this.fail(
          `expected ',' or ']' after item ${items.length} of ${owner}, got ${this.found()}`,
          this.pos,
          next === undefined ? 0 : 1,
        );
    }
  }

  /** Parses a double-quoted string at pos (which holds the opening quote) and returns its value. */
  private parseString(): string {
    const t = this.text;
    const start = this.pos;
    let out = '';
    let i = start + 1;
    let runStart = i;
    for (;;) {
      if (i >= t.length) this.fail('unterminated string: add the closing "', start, 1);
      const c = t.charCodeAt(i);
      if (c === 34) {
        // "
        out += t.slice(runStart, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 10 || c === 13)
        this.fail('unterminated string: close the " before the end of the line', start, i - start);
      if (c < 0x20) this.fail('control character in a string; write it as an escape such as \\t', i, 1);
      if (c === 92) {
        // backslash
        out += t.slice(runStart, i);
        const e = t[i + 1];
        if (e === 'u') {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            this.fail('invalid \\u escape in a string; it takes 4 hex digits', i, Math.min(6, t.length - i));
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          i += 2;
        } else {
          this.fail(
            `invalid escape '\\${e ?? ''}' in a string; write \\\\ for a backslash (e.g. in Windows paths)`,
            i,
            e === undefined ? 1 : 2,
          );
        }
        runStart = i;
        continue;
      }
      i++;
    }
  }

  private parseNumber(): NumberNode {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    NUMBERISH.lastIndex = start;
    const loose = NUMBERISH.exec(this.text)?.[0] ?? this.text[start];
    if (!m || m[0].length < loose.length) {
      this.fail(`invalid number '${loose.slice(0, 40)}'`, start, loose.length);
    }
    this.pos = start + m[0].length;
    return { type: 'number', value: Number(m[0]), offset: start, length: m[0].length };
  }
}
