// `moved { from, to }` blocks (src/config/moved.ts): the moves a configuration declares, and the
// located errors of a bad one. What a move does at plan and apply: test/plan/renames.test.ts and
// test/e2e/renames.test.ts.
import { describe, expect, it } from 'vitest';
import { configOf, diagnosticsOf } from './fixture.js';

describe('moved blocks', () => {
  it('are read with their addresses: a resource, a for_each key, a count index', () => {
    const c = configOf(`
      role "new" {}
      role "tenant" {
        for_each = toset(["b"])
      }
      role "n" {
        count = 1
      }
      moved {
        from = role.old
        to   = role.new
      }
      moved {
        from = role.tenant["a"]
        to   = role.tenant["b"]
      }
      moved {
        from = role.m
        to   = role.n
      }
    `);
    expect(c.moved?.map(({ from, to }) => [from, to])).toEqual([
      ['role.old', 'role.new'],
      ['role.tenant["a"]', 'role.tenant["b"]'],
      ['role.m', 'role.n'],
    ]);
  });

  it('leave the configuration without moves when there are none', () => {
    expect(configOf('role "r" {}').moved).toBeUndefined();
  });

  it('refuse a from that is still declared, at from', () => {
    expect(diagnosticsOf('role "old" {}\nrole "new" {}\nmoved {\n  from = role.old\n  to   = role.new\n}')).toEqual([
      {
        message: 'moved from role.old: role.old is still declared',
        at: '4:10',
        hint: 'a moved block says role.old is now role.new: remove the declaration of role.old, or the moved block',
      },
    ]);
  });

  it('refuse a to that is not declared, at to, with the nearest declared address', () => {
    expect(diagnosticsOf('role "news" {}\nmoved {\n  from = role.old\n  to   = role.new\n}')).toEqual([
      { message: 'moved to role.new: no such resource is declared', at: '4:10', hint: 'did you mean "role.news"?' },
    ]);
    expect(diagnosticsOf('role "t" {\n  for_each = toset(["a"])\n}\nmoved {\n  from = role.t["x"]\n  to   = role.t["b"]\n}')[0]).toMatchObject({
      message: 'moved to role.t["b"]: no such resource is declared',
      at: '6:10',
    });
  });

  it('refuse moving between kinds', () => {
    expect(diagnosticsOf('schema "new" {\n  database = "d"\n}\nmoved {\n  from = role.old\n  to   = schema.new\n}')).toEqual([
      {
        message: 'cannot move role.old to schema.new: a role cannot become a schema',
        at: '6:10',
        hint: 'a moved block keeps the kind: from and to name resources of the same type, or two modules',
      },
    ]);
  });

  it('refuse chains and cycles of moves, where the second move starts', () => {
    const chain = diagnosticsOf('role "c" {}\nmoved {\n  from = role.a\n  to   = role.b\n}\nmoved {\n  from = role.b\n  to   = role.c\n}');
    expect(chain).toEqual([
      {
        message: 'moved blocks form a chain: role.a → role.b → role.c',
        at: '4:10',
        hint: 'move role.a to role.c directly (and remove the moved block of role.b)',
      },
    ]);
    const cycle = diagnosticsOf('role "a" {}\nmoved {\n  from = role.a\n  to   = role.b\n}\nmoved {\n  from = role.b\n  to   = role.a\n}');
    expect(cycle.map((d) => [d.message, d.at])).toEqual([
      ['moved blocks form a cycle: role.a → role.b → role.a', '4:10'],
      ['moved blocks form a cycle: role.b → role.a → role.b', '8:10'],
    ]);
  });

  it('refuse the same address moved twice, a move onto one address twice, and a move to itself', () => {
    const twice = diagnosticsOf('role "b" {}\nrole "c" {}\nmoved {\n  from = role.a\n  to   = role.b\n}\nmoved {\n  from = role.a\n  to   = role.c\n}');
    expect(twice.map((d) => [d.message, d.at])).toEqual([['role.a is moved twice', '8:10']]);
    const onto = diagnosticsOf('role "c" {}\nmoved {\n  from = role.a\n  to   = role.c\n}\nmoved {\n  from = role.b\n  to   = role.c\n}');
    expect(onto.map((d) => [d.message, d.at])).toEqual([['two moved blocks move onto role.c', '8:10']]);
    expect(diagnosticsOf('role "a" {}\nmoved {\n  from = role.a\n  to   = role.a\n}').map((d) => d.message)).toEqual(['moved from role.a to itself']);
  });

  it('refuse what is not an address, an unknown attribute, a missing one and a label', () => {
    expect(diagnosticsOf('role "b" {}\nmoved {\n  from = "role.a"\n  to   = role.b\n}').map((d) => [d.message, d.at])).toEqual([
      ['from must be the address of a resource, e.g. role.app, schema.tenant["acme"] or module.tenant["acme"].role.app', '3:10'],
    ]);
    expect(diagnosticsOf('role "b" {}\nmoved {\n  form = role.a\n  to   = role.b\n}').map((d) => d.message)).toEqual([
      'unknown attribute "form" in moved',
      'missing required attribute "from" in moved',
    ]);
    expect(diagnosticsOf('role "b" {}\nmoved "x" {\n  from = role.a\n  to   = role.b\n}').map((d) => d.message)).toEqual(['a moved block takes no label']);
    expect(diagnosticsOf('role "b" {}\nmoved {\n  from = rol.a\n  to   = role.b\n}').map((d) => d.message)).toEqual(['unknown resource type "rol" in from']);
  });
});
