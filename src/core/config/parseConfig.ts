// so100.json text → typed config and problems; never throws for any input text.
import type { ConfigProblem } from './configProblem';
import type { So100Config } from './configTypes';
import { ConfigSyntaxError, parseJsonc, type ValueNode } from './jsoncParser';
import { validateConfig } from './validateConfig';

export interface ParsedConfig {
  /** Present when there are no errors (warnings allowed): every default applied. */
  readonly config?: So100Config;
  readonly problems: readonly ConfigProblem[];
}

/** Parses and validates the text of `so100.json`; a syntax error is reported as the one problem. */
export function parseConfig(text: string): ParsedConfig {
  let root: ValueNode;
  try {
    root = parseJsonc(text);
  } catch (err) {
    if (!(err instanceof ConfigSyntaxError)) throw err;
    return { problems: [syntaxProblem(err)] };
  }
  return validateConfig(root, text);
}

/** A syntax error as a config problem. */
export function syntaxProblem(err: ConfigSyntaxError): ConfigProblem {
  return {
    path: '',
    message: err.reason,
    severity: 'error',
    offset: err.offset,
    length: err.length,
    line: err.line,
    column: err.column,
  };
}
