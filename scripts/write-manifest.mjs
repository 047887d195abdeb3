// Writes package.json's parts that come from the project's tables (scripts/manifestFromTables.ts: the commands'
// enablement from the phase table, the protocol setting's choices from the protocol registry); `--check` only
// reports whether they are up to date. Usage: node --import tsx scripts/write-manifest.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestFromTables } from './manifestFromTables.ts';

const file = join(new URL('..', import.meta.url).pathname, 'package.json');
const current = readFileSync(file, 'utf8');
const text = manifestFromTables(current);
if (current === text) console.log('package.json is up to date with its tables.');
else if (process.argv.includes('--check')) {
  console.error('package.json is out of date with its tables; run `npm run manifest`.');
  process.exit(1);
} else {
  writeFileSync(file, text);
  console.log('wrote the table-derived parts of package.json');
}
