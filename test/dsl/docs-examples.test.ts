// Every example of the language in the README and docs/ (a ```hcl block) is valid syntax and in
// the layout `xp fmt` writes, so that what a reader copies is what the tools would write. A block
// that is not a configuration (a schema of the syntax, a list of expressions) says so in its
// fence: ```hcl fragment.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/dsl/format.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** The ```hcl blocks of a Markdown text, each with the line its text starts on. */
function hclBlocks(text: string): { line: number; fragment: boolean; source: string }[] {
  const blocks: { line: number; fragment: boolean; source: string }[] = [];
  for (const m of text.matchAll(/^```hcl( fragment)?\n([\s\S]*?)^```$/gm)) {
    blocks.push({ line: text.slice(0, m.index).split('\n').length + 1, fragment: m[1] !== undefined, source: m[2]! });
  }
  return blocks;
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const examples = files.flatMap((file) =>
  hclBlocks(readFileSync(file, 'utf8'))
    .filter((b) => !b.fragment)
    .map((b) => ({ at: `${relative(root, file)}:${b.line}`, source: b.source })),
);

describe('the examples of the docs', () => {
  it('reads them all', () => {
    expect(hclBlocks('x\n```hcl\na = 1\n```\n```hcl fragment\n…\n```\n')).toEqual([
      { line: 3, fragment: false, source: 'a = 1\n' },
      { line: 6, fragment: true, source: '…\n' },
    ]);
    expect(examples.length).toBeGreaterThan(30);
  });

  it.each(examples)('$at is valid and in `xp fmt` layout', ({ at, source }) => {
    const r = formatSource(at, source);
    expect(r.diagnostics.map((d) => d.message), at).toEqual([]);
    expect(r.output, at).toBe(source);
  });
});
