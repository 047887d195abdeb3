// The parts of package.json written from the project's tables: the runtime commands' `enablement` and
// command-palette `when` clauses (src/core/rpc/commandPhases.ts) and the so100.server.protocol setting's choices
// (src/core/protocols). Used by write-manifest.mjs and by the tests that fail when package.json is stale.
import { DEFAULT_POLICY_PROTOCOL, POLICY_PROTOCOL_NAMES, POLICY_PROTOCOLS } from '../src/core/protocols';
import { COMMAND_PHASES, commandWhenClause, type CommandName } from '../src/core/rpc/commandPhases';

interface Manifest {
  contributes: {
    commands: { command: string; enablement?: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
    configuration?: { properties: Record<string, Record<string, unknown>> };
  };
}

const PREFIX = 'so100.';

function tableName(command: string): CommandName | undefined {
  const name = command.startsWith(PREFIX) ? command.slice(PREFIX.length) : '';
  return Object.hasOwn(COMMAND_PHASES, name) ? (name as CommandName) : undefined;
}

const PROTOCOL_SETTING = 'so100.server.protocol';

/** The manifest text with the tables' parts written (key order kept). */
export function manifestFromTables(text: string): string {
  const pkg = JSON.parse(text) as Manifest;
  for (const c of pkg.contributes.commands) {
    const name = tableName(c.command);
    if (!name) continue;
    const clause = commandWhenClause(name);
    if (clause === undefined) delete c.enablement;
    else c.enablement = clause;
  }
  for (const m of pkg.contributes.menus.commandPalette) {
    const name = tableName(m.command);
    // Entries without a clause hide nothing and need none.
    if (!name || m.when === undefined) continue;
    m.when = commandWhenClause(name) ?? 'true';
  }
  const setting = pkg.contributes.configuration?.properties[PROTOCOL_SETTING];
  if (setting) {
    setting.enum = [...POLICY_PROTOCOL_NAMES];
    setting.default = DEFAULT_POLICY_PROTOCOL;
    setting.enumDescriptions = POLICY_PROTOCOL_NAMES.map((p) => POLICY_PROTOCOLS[p].description);
  }
  return JSON.stringify(pkg, null, 2) + '\n';
}
