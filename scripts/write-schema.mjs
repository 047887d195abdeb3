// Writes schemas/so100.schema.json from the schema const in src/core/config/configSchema.ts (the one source of
// truth); `--check` only reports whether the file is up to date. Usage: node --import tsx scripts/write-schema.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { schemaFileText } from '../src/core/config/configSchema.ts';

const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'schemas/so100.schema.json');
const text = schemaFileText();
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  /* not written yet */
}
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error('schemas/so100.schema.json is out of date; run `npm run schema`.');
    process.exit(1);
  }
  console.log('schemas/so100.schema.json is up to date.');
} else if (current === text) {
  console.log('schemas/so100.schema.json is up to date.');
} else {
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(file, text);
  console.log('wrote schemas/so100.schema.json');
}
