// `import { to, id }` blocks (src/config/imports.ts): which instance `to` names, and the located
// errors of a bad block. What an import does at plan and apply: test/plan/plan.test.ts and
// test/e2e/import-blocks.test.ts.
import { describe, expect, it } from 'vitest';
import { configOf, errorsOf, resource } from './fixture.js';

describe('import blocks', () => {
  it('mark the instance `to` names, written out with a string or a number key', () => {
    const c = configOf(`
      variable "suffix" { default = "acme" }
      role "r" {}
      schema "tenant" {
        for_each = toset(["acme", "globex"])
        database = "saas"
        name     = "tenant_\${each.value}"
      }
      role "n" {
        count = 2
        name  = "n_\${count.index}"
      }
      import {
        to = role.r
        id = "r"
      }
      import {
        to = schema.tenant["acme"]
        id = "tenant_\${var.suffix}"
      }
      import {
        to = role.n[1]
        id = "n_1"
      }
    `);
    expect(resource(c, 'role.r').import?.id).toBe('r');
    expect(resource(c, 'schema.tenant["acme"]').import?.id).toBe('tenant_acme');
    expect(resource(c, 'schema.tenant["globex"]').import).toBeUndefined();
    expect(resource(c, 'role.n[1]').import?.id).toBe('n_1');
    expect(resource(c, 'role.n[0]').import).toBeUndefined();
  });

  it('refuse what is not a declared instance, an id that is not its name, a second import and bad attributes', () => {
    expect(errorsOf('role "r" {}\nimport {\n  to = role.s\n  id = "s"\n}')).toEqual(['import to role.s: no such resource is declared']);
    expect(errorsOf('role "r" {}\nimport {\n  to = role.r\n  id = "other"\n}')).toEqual(['import to role.r: id "other" is not the name it declares ("r")']);
    expect(errorsOf('role "r" {}\nimport {\n  to = "role.r"\n  id = "r"\n}')).toEqual(['to must be the address of a declared resource, e.g. role.app, schema.tenant["acme"] or module.tenant["acme"].role.app']);
    expect(errorsOf('role "r" {}\nimport {\n  to = table.r\n  id = "r"\n}')).toEqual(['unknown resource type "table" in to']);
    expect(errorsOf('variable "k" { default = "a" }\nrole "r" {\n  for_each = toset(["a"])\n}\nimport {\n  to = role.r[var.k]\n  id = "r"\n}')).toEqual([
      'the key in an import address must be written out: a string in quotes or a whole number',
    ]);
    expect(errorsOf('role "r" {}\nimport {\n  to = role.r\n  id = 3\n}')).toEqual(['id: expected string, got number']);
    expect(errorsOf('role "r" {}\nimport {\n  to = role.r\n}')).toEqual(['missing required attribute "id" in import']);
    expect(errorsOf('role "r" {}\nimport {\n  to = role.r\n  id = "r"\n  from = 1\n}')).toEqual(['unknown attribute "from" in import']);
    expect(errorsOf('role "r" {}\nimport "x" {\n  to = role.r\n  id = "r"\n}')).toEqual(['an import block takes no label']);
    expect(errorsOf('role "r" {}\nimport {\n  to = role.r\n  id = "r"\n}\nimport {\n  to = role.r\n  id = "r"\n}')).toEqual(['role.r is imported twice']);
  });
});
