// Prints the SDL to schema/schema.graphql; with --check, fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema.js';

const file = new URL('../../schema/schema.graphql', import.meta.url);
const sdl = printSchema(lexicographicSortSchema(schema)) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(file, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== sdl) {
    process.stderr.write('schema/schema.graphql is stale: run `npm run schema` and commit it\n');
    process.exit(1);
  }
  process.stderr.write('schema/schema.graphql is up to date\n');
} else {
  writeFileSync(file, sdl);
  process.stderr.write('wrote schema/schema.graphql\n');
}
