// The dependency graph: the order drawn, cycles naming every member, DOT and Mermaid.
import { describe, expect, it } from 'vitest';
import { buildGraph, toDot, toMermaid } from '../../src/graph/index.js';
import { configOf, evalText } from '../config/fixture.js';

function graphOf(text: string) {
  const r = buildGraph(configOf(text).resources);
  if (!r.graph) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.graph;
}

const saas = `
  role "owner" {}
  database "db" { owner = role.owner }
  schema "a" { database = database.db }
  schema "b" {
    database = database.db
    owner    = role.owner
  }
  role "reader" {
    grant {
      database   = database.db
      schema     = schema.a
      privileges = ["SELECT"]
    }
  }
  service_account "app" {
    database  = database.db
    schemas   = [schema.a, schema.b]
    member_of = [role.reader]
  }
`;

describe('order', () => {
  it('puts dependencies first, by depth, then by address', () => {
    const g = graphOf(saas);
    expect(g.order).toEqual(['role.owner', 'database.db', 'schema.a', 'schema.b', 'role.reader', 'service_account.app']);
  });

  it('exposes dependencies both ways', () => {
    const g = graphOf(saas);
    expect(g.dependencies('service_account.app')).toEqual(['database.db', 'role.reader', 'schema.a', 'schema.b']);
    expect(g.dependents('database.db')).toEqual(['role.reader', 'schema.a', 'schema.b', 'service_account.app']);
    expect(g.dependents('service_account.app')).toEqual([]);
  });

  it('accepts hand-built instances with unsorted, repeated or dangling dependencies', () => {
    const c = configOf('role "a" {}\nrole "b" {}\nrole "c" {}');
    const [a, b, cc] = c.resources;
    const r = buildGraph([{ ...cc!, dependsOn: ['role.b', 'role.a', 'role.b', 'role.gone'] }, a!, b!]);
    expect(r.graph!.dependencies('role.c')).toEqual(['role.a', 'role.b']);
    expect(r.graph!.order).toEqual(['role.a', 'role.b', 'role.c']);
    expect(r.graph!.dependents('role.a')).toEqual(['role.c']);
    expect(r.graph!.dependents('role.b')).toEqual(['role.c']);
    expect(r.graph!.dependents('role.c')).toEqual([]);
    expect(r.graph!.dependents('role.gone')).toEqual([]);
  });

  it('lists the dependents of a resource many depend on, each once', () => {
    const n = 40;
    const roles = Array.from({ length: n }, (_, i) => `role "r${String(i).padStart(2, '0')}" { member_of = [role.base${i % 2 ? ', role.other' : ''}] }`);
    const g = graphOf(['role "base" {}', 'role "other" {}', ...roles].join('\n'));
    const all = Array.from({ length: n }, (_, i) => `role.r${String(i).padStart(2, '0')}`);
    expect(g.dependents('role.base')).toEqual(all);
    expect(g.dependents('role.other')).toEqual(all.filter((_, i) => i % 2));
    expect(g.dependencies('role.r01')).toEqual(['role.base', 'role.other']);
    expect(g.order).toEqual(['role.base', 'role.other', ...all]);
  });

  it('lists independent resources by address', () => {
    expect(graphOf('role "c" {}\nrole "a" {}\nrole "b" {}').order).toEqual(['role.a', 'role.b', 'role.c']);
  });

  it('prints DOT and Mermaid', () => {
    const g = graphOf('role "a" {}\nrole "b" { member_of = [role.a] }');
    expect(toDot(g)).toBe(
      'digraph xp {\n  rankdir = "LR";\n  node [shape = box, fontname = "Helvetica"];\n  "role.a";\n  "role.b";\n  "role.a" -> "role.b";\n}\n',
    );
    expect(toMermaid(g)).toBe('flowchart LR\n  n0["role.a"]\n  n1["role.b"]\n  n0 --> n1\n');
  });
});

describe('cycles', () => {
  it('names every resource on a cycle with file:line, in a stable order', () => {
    const config = configOf(`role "c" { member_of = [role.a] }
role "a" { member_of = [role.b] }
role "b" {
  depends_on = [role.c]
}
role "free" {}
`);
    const r = buildGraph(config.resources);
    expect(r.graph).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        message: 'dependency cycle between 3 resources: role.a → role.b → role.c → role.a',
        range: expect.objectContaining({ file: 'main.xp', start: expect.objectContaining({ line: 2, column: 1 }) }),
        hint: 'on the cycle: role.a (main.xp:2:1), role.b (main.xp:3:1), role.c (main.xp:1:1); remove a reference or a depends_on to break it',
      },
    ]);
    // the same diagnostics whatever the order of the blocks
    const reversed = configOf(`role "free" {}\nrole "b" {\n  depends_on = [role.c]\n}\nrole "a" { member_of = [role.b] }\nrole "c" { member_of = [role.a] }\n`);
    expect(buildGraph(reversed.resources).diagnostics.map((d) => d.message)).toEqual([
      'dependency cycle between 3 resources: role.a → role.b → role.c → role.a',
    ]);
  });

  it('reports each cycle, and a resource depending on itself', () => {
    const r = buildGraph(
      configOf(`role "x" { depends_on = [role.x] }
role "p" { member_of = [role.q] }
role "q" { member_of = [role.p] }
`).resources,
    );
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'dependency cycle between 2 resources: role.p → role.q → role.p',
      'role.x depends on itself',
    ]);
  });

  it('is reported by loading, through references in attributes', () => {
    const r = evalText('schema "s" {\n  database = "d"\n  owner = role.r\n}\nrole "r" { comment = schema.s.name }');
    expect(r.config).toBeDefined();
    expect(buildGraph(r.config!.resources).diagnostics[0]!.message).toBe('dependency cycle between 2 resources: role.r → schema.s → role.r');
  });
});
