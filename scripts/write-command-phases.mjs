// Writes the runtime commands' `enablement` / `when` clauses into package.json from the phase table
// (src/core/rpc/commandPhases.ts, the one source); `--check` only reports whether they are up to date.
// Usage: node --import tsx scripts/write-command-phases.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestWithCommandPhases } from './commandEnablement.ts';

const file = join(new URL('..', import.meta.url).pathname, 'package.json');
const current = readFileSync(file, 'utf8');
const text = manifestWithCommandPhases(current);
if (current === text) console.log('package.json command phases are up to date.');
else if (process.argv.includes('--check')) {
  console.error('package.json command phases are out of date; run `npm run command-phases`.');
  process.exit(1);
} else {
  writeFileSync(file, text);
  console.log('wrote the command phases into package.json');
}
