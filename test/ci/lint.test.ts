// ESLint (eslint.config.js: typescript-eslint's type-checked recommended rules over src/) finds
// nothing, not even a warning. A test, so that `npm test` runs it and the CI summary counts it.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

it('src/ is clean under eslint.config.js (zero errors, zero warnings)', async () => {
  const eslint = new ESLint({ cwd: REPO });
  const results = await eslint.lintFiles(['src']);
  expect(results.length).toBeGreaterThan(50);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(REPO.length + 1)}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`));
  expect(problems).toEqual([]);
}, 300_000);
