// The whole check of a parsed config: the schema pass, then (when the schema found no errors, so the value is
// typed) the semantic checks. Every problem is reported, not just the first.
import { CONFIG_SCHEMA } from './configSchema';
import { ProblemList, type ConfigProblem } from './configProblem';
import type { So100Config } from './configTypes';
import { toJsonValue, type ValueNode } from './jsoncParser';
import { resolveConfigValue } from './resolveConfig';
import { validateAgainstSchema } from './schemaValidator';
import { checkSemantics } from './semanticChecks';

export interface ConfigValidation {
  /** Errors and warnings, in the order found (schema first). */
  readonly problems: readonly ConfigProblem[];
  /** The resolved config when there is no error (warnings allowed). */
  readonly config?: So100Config;
}

/** Validates the parse tree of `text` against CONFIG_SCHEMA and the semantic rules. */
export function validateConfig(root: ValueNode, text: string): ConfigValidation {
  const problems = new ProblemList(text);
  validateAgainstSchema(root, CONFIG_SCHEMA, problems);
  // Semantic checks need the typed value, which only a schema-valid tree gives; they follow once those are fixed.
  if (problems.hasErrors) return { problems: problems.items };
  const config = resolveConfigValue(toJsonValue(root));
  checkSemantics(config, root, problems);
  return problems.hasErrors ? { problems: problems.items } : { problems: problems.items, config };
}
