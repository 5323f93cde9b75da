// The folders of src/ flow one way (dsl → config → plan → state → apply → views → cli) and no
// file imports itself back: no import cycle between files or between folders (src/cli and
// src/cli/commands count as two). Read from the sources on every run, `import type` included.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclePath, cycles, folderEdgeImports, folderGraph, importGraph, relativeImports, type ImportGraph } from './imports.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function graph(edges: Record<string, string[]>): ImportGraph {
  return new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
}

describe('the import reader', () => {
  it('finds every kind of relative import, and nothing in comments, strings or packages', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { B } from '../b/b.js';",
      "export { C } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "let f: import('./f.js').F;",
      "const g = await import('./g.js');",
      "import pg from 'pg';",
      "// import { h } from './h.js';",
      "/* import './i.js'; */",
      "const j = \"import './j.js'\";",
    ].join('\n');
    expect(relativeImports(text)).toEqual(['./a.js', '../b/b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });

  it('finds cycles (a self-import included) and none in a graph that flows one way', () => {
    const g = graph({ a: ['b'], b: ['c'], c: ['a', 'd'], d: [], e: ['e'], f: ['a'] });
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(cyclePath(g, ['a', 'b', 'c'])).toBe('a → b → c → a');
    expect(cycles(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('reads src/ whole: every relative import names a file', () => {
    const { files, unresolved } = importGraph(SRC);
    expect(unresolved).toEqual([]);
    expect(files.size).toBeGreaterThan(50);
    // `import type` counts: apply/events.ts needs the plan's action type.
    expect(files.get('apply/events.ts')).toContain('plan/types.ts');
    expect(folderGraph(files).get('cli')).toContain('cli/commands');
  });
});

describe('src/ has no import cycle', () => {
  const { files } = importGraph(SRC);
  const folders = folderGraph(files);

  it('between files', () => {
    const found = cycles(files).map((c) => cyclePath(files, c));
    expect(found, 'files that import each other: move what both need into a third file').toEqual([]);
  });

  it('between folders', () => {
    const found = cycles(folders).map((c) => {
        const path = cyclePath(folders, c);
        const steps = path.split(' → ');
        const why = steps.slice(1).flatMap((to, i) => folderEdgeImports(files, steps[i]!, to).slice(0, 3));
        return `${path}\n    ${why.join('\n    ')}`;
      });
    expect(found, 'folders that import each other: shared types go to the lower folder (or src/model)').toEqual([]);
  });

});
