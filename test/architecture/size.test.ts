// No source file over 600 lines (issue 15): past that a file holds more than one stage of the
// pipeline or more than one idea, and it is split along them (docs/internals/pipeline.md).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const LIMIT = 600;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

it(`no file of src/ is over ${LIMIT} lines`, () => {
  const files = sources(SRC);
  expect(files.length).toBeGreaterThan(50);
  const long = files.flatMap((f) => {
    const n = readFileSync(f, 'utf8').split('\n').length - 1;
    return n > LIMIT ? [`${relative(SRC, f)}: ${n} lines`] : [];
  });
  expect(long).toEqual([]);
});
