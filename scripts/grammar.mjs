// `npm run grammar`: writes the files derived from the parser (see src/dsl/grammar.ts).
// Run after `npm run build`; test/dsl/grammar.test.ts checks they are up to date.
import { writeFileSync } from 'node:fs';
import { grammarFiles } from '../dist/dsl/grammar.js';

for (const [path, text] of Object.entries(grammarFiles())) {
  writeFileSync(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}
