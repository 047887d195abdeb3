// package.json's `enablement` and command-palette `when` clauses of the runtime commands, from the phase table
// (src/core/rpc/commandPhases.ts). Used by write-command-phases.mjs and by the test that fails when they are stale.
import { COMMAND_PHASES, commandWhenClause, type CommandName } from '../src/core/rpc/commandPhases';

interface Manifest {
  contributes: {
    commands: { command: string; enablement?: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
  };
}

const PREFIX = 'so100.';

function tableName(command: string): CommandName | undefined {
  const name = command.startsWith(PREFIX) ? command.slice(PREFIX.length) : '';
  return Object.hasOwn(COMMAND_PHASES, name) ? (name as CommandName) : undefined;
}

/** The manifest text with every table command's clauses written from the table (key order kept). */
export function manifestWithCommandPhases(text: string): string {
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
  return JSON.stringify(pkg, null, 2) + '\n';
}
