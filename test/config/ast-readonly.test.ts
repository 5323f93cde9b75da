// The AST is read-only once parsed: the fast parser (src/dsl/fast-parser.ts) shares one parts
// array among the equal short strings of a file (`"SELECT"` on every grant), so a change made
// through one node would show through all the others. Evaluation is run here on deep-frozen
// ASTs (a write throws in strict code) and must give what it gives on the same unfrozen ASTs:
// the examples (with their modules) and a configuration of repeated strings in every position
// the evaluator reads them (lists, sets, for_each keys, functions that sort or de-duplicate).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../../src/config/evaluate.js';
import { configurationFileNames } from '../../src/config/files.js';
import type { ModuleLoader } from '../../src/config/modules.js';
import type { File } from '../../src/dsl/ast.js';
import { parse } from '../../src/dsl/index.js';
import { SourceLines } from '../../src/dsl/span.js';

/** Freezes every object of an AST but the line tables (a Span's cache of line starts). */
function deepFreeze<T>(value: T, seen = new Set<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value) || value instanceof SourceLines) return value;
  seen.add(value);
  for (const v of Object.values(value)) deepFreeze(v, seen);
  // a Span's line table is a private field: freezing the Span leaves the table writable
  return Object.freeze(value);
}

function parseDir(dir: string, freeze: boolean): File[] {
  return configurationFileNames(dir).map((name) => {
    const { ast, diagnostics } = parse(join(dir, name), readFileSync(join(dir, name), 'utf8'));
    expect(diagnostics).toEqual([]);
    return freeze ? deepFreeze(ast) : ast;
  });
}

function evaluateDir(dir: string, freeze: boolean) {
  const loadModule: ModuleLoader = (moduleDir) => ({ files: parseDir(moduleDir, freeze), diagnostics: [] });
  const r = evaluate(parseDir(dir, freeze), { dir, defaultStack: 'test', variables: [], env: {}, loadModule });
  return JSON.stringify({ config: r.config, diagnostics: r.diagnostics });
}

const repeated = (i: number) => `
role "r${i}" {
  member_of = [role.readonly]
  grant {
    database   = database.app
    schema     = "public"
    on         = "tables"
    privileges = ["SELECT", "INSERT", "SELECT"]
  }
}

role "each${i}" {
  for_each  = toset(["a", "b", "a"])
  name      = "each${i}_\${each.key}"
  member_of = sort(distinct(concat(["readonly", "readonly"], [role.readonly.name])))
  comment   = join(",", reverse(["SELECT", "INSERT"]))
}
`;

describe('the AST is not changed by evaluation', () => {
  it.each(['quickstart', 'multi-tenant-saas', 'microservices-rbac', 'data-platform'])('examples/%s: the same on frozen ASTs', (name) => {
    const dir = join(import.meta.dirname, '../../examples', name);
    expect(evaluateDir(dir, true)).toBe(evaluateDir(dir, false));
  });

  it('repeated strings shared by the fast parser: the same on frozen ASTs', () => {
    const text = `role "readonly" {}\ndatabase "app" {}\n${[0, 1, 2].map(repeated).join('')}`;
    const unfrozen = parse('main.xp', text);
    const frozen = parse('main.xp', text);
    expect(unfrozen.diagnostics).toEqual([]);
    // the fast parser took it, and shares the parts of its equal strings
    const grants = unfrozen.ast.body.blocks.filter((b) => b.type === 'role' && /^r\d/.test(b.labels[0]!)).map((b) => b.body.blocks[0]!);
    const onParts = grants.map((g) => g.body.attributes.find((a) => a.name === 'on')!.value);
    expect(onParts[0]!.kind === 'Template' && onParts[1]!.kind === 'Template' && onParts[0]!.parts === onParts[1]!.parts).toBe(true);
    const options = { dir: '/tmp', defaultStack: 'test', variables: [], env: {} };
    const a = evaluate([unfrozen.ast], options);
    const b = evaluate([deepFreeze(frozen.ast)], options);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(JSON.stringify({ config: b.config, diagnostics: b.diagnostics })).toBe(JSON.stringify({ config: a.config, diagnostics: a.diagnostics }));
  });
});
