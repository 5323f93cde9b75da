// The HCL parts of the language beyond values and functions: try/can (lazy arguments),
// templatefile, splats, template directives with strip markers, keywords as names, and dynamic
// blocks, with their mistakes as located diagnostics (file:line:col).
import { describe, expect, it } from 'vitest';
import { configOf, diagnosticsOf, evalText, resource, tempDir, valueOf } from './fixture.js';
import { loadConfiguration } from '../../src/config/load.js';
import { kinds } from '../../src/kinds/index.js';

describe('try and can evaluate their arguments lazily', () => {
  const obj = 'locals {\n  foo = { bar = "baz" }\n  list = [1, 2]\n}\n';

  it('try returns the first argument that evaluates without an error', () => {
    expect(valueOf('try(local.foo.bar, "fallback")', obj)).toBe('baz');
    expect(valueOf('try(local.foo.boop, "fallback")', obj)).toBe('fallback');
    expect(valueOf('try(local.list[5], local.foo.nope, 3)', obj)).toBe(3);
    // an error inside a function call, and in an operator, are caught too
    expect(valueOf('try(tonumber("x"), 1 + "a", "ok")', obj)).toBe('ok');
    expect(valueOf('try(regex("[", "a"), "bad regex")', obj)).toBe('bad regex');
  });

  it('can says whether its argument evaluates', () => {
    expect(valueOf('can(local.foo.bar)', obj)).toBe(true);
    expect(valueOf('can(local.foo.boop)', obj)).toBe(false);
    expect(valueOf('[for x in ["1", "a", "3"] : x if can(tonumber(x))]', obj)).toEqual(['1', '3']);
  });

  it('does not catch a reference to something undeclared (as Terraform)', () => {
    expect(diagnosticsOf(`${obj}output "o" { value = try(local.nonexist, "fallback") }\n`)).toEqual([
      { message: 'unknown local "nonexist"', at: '5:26', hint: expect.any(String) },
    ]);
    expect(diagnosticsOf(`${obj}output "o" { value = can(nosuchfn(1)) }\n`)).toEqual([
      { message: 'unknown function "nosuchfn"', at: '5:26', hint: expect.any(String) },
    ]);
  });

  it('fails at the call with every argument\'s error when none succeeds', () => {
    const d = diagnosticsOf(`${obj}output "o" {\n  value = try(local.foo.boop, local.list[2])\n}\n`);
    expect(d).toEqual([
      {
        message: 'try: no argument succeeded (argument 1: main.xp:6:15: object has no attribute "boop"; argument 2: main.xp:6:42: index 2 is out of range (the list has 2 elements))',
        at: '6:11',
        hint: 'at least one argument of try() must evaluate without an error',
      },
    ]);
  });

  it('checks its arity at the call', () => {
    expect(diagnosticsOf('output "o" { value = can(1, 2) }\n')).toEqual([
      { message: 'can: expected 1 argument, got 2 (can(expression))', at: '1:22', hint: undefined },
    ]);
    expect(diagnosticsOf('output "o" { value = try() }\n')[0]!.message).toBe('try: expected at least 1 argument, got 0 (try(expression, fallbacks...))');
  });
});

describe('templatefile', () => {
  it('renders Terraform\'s backends.tftpl example', () => {
    const dir = tempDir({ 'backends.tftpl': '%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n' });
    expect(valueOf('templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })', '', { dir })).toBe(
      'backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n',
    );
  });

  it('uses functions, if directives, and keeps `$${` and `%%{` literal', () => {
    const dir = tempDir({ 't.tpl': 'Hello, %{ if name != "" }${upper(name)}%{ else }unnamed%{ endif }! $${x} %%{y}' });
    expect(valueOf('templatefile("t.tpl", { name = "ann" })', '', { dir })).toBe('Hello, ANN! ${x} %{y}');
    expect(valueOf('templatefile("t.tpl", { name = "" })', '', { dir })).toBe('Hello, unnamed! ${x} %{y}');
  });

  it('a template of one interpolation is still a string', () => {
    const dir = tempDir({ 'n.tpl': '${n}' });
    expect(valueOf('templatefile("n.tpl", { n = 5 })', '', { dir })).toBe('5');
  });

  it('reports a mistake in the template at its place in the template file', () => {
    const dir = tempDir({ 't.tpl': 'a\nb ${nope} c\n', 'bad.tpl': 'x %{ if true }y\n', 'r.tpl': '${var.x}' });
    const r = evalText('output "o" { value = templatefile("t.tpl", {}) }\n', { dir });
    expect(r.diagnostics.map((d) => [d.message, d.range?.file, d.range?.start.line, d.range?.start.column])).toEqual([
      ['unknown name "nope"', 't.tpl', 2, 5],
    ]);
    const bad = evalText('output "o" { value = templatefile("bad.tpl", {}) }\n', { dir });
    expect(bad.diagnostics.map((d) => [d.message, d.range?.file, d.range?.start.line, d.range?.start.column, d.hint])).toEqual([
      ['%{ if } has no %{ endif }', 'bad.tpl', 1, 3, 'close it with %{ endif } (in templatefile("bad.tpl") at main.xp:1:22)'],
    ]);
    const ref = evalText('variable "x" { default = 1 }\noutput "o" { value = templatefile("r.tpl", {}) }\n', { dir });
    expect(ref.diagnostics.map((d) => d.message)).toEqual(['templatefile: a template cannot refer to var.x']);
  });

  it('confines the path to the configuration directory and checks the variables', () => {
    const dir = tempDir({ 't.tpl': 'x' });
    const errors = (expr: string) => evalText(`output "o" { value = ${expr} }\n`, { dir }).diagnostics.map((d) => `${d.range?.start.column} ${d.message}`);
    expect(errors('templatefile("../t.tpl", {})')).toEqual(['35 templatefile: "../t.tpl" is outside the configuration directory (paths are relative to it and must stay inside it)']);
    expect(errors('templatefile("nope.tpl", {})')).toEqual(['35 templatefile: cannot read "nope.tpl": ENOENT']);
    expect(errors('templatefile("t.tpl", { "1x" = 1 })')).toEqual(['44 templatefile: invalid template variable name "1x": it must start with a letter, followed by letters, digits and underscores']);
    expect(errors('templatefile("t.tpl", [])')).toEqual(['44 templatefile: argument 2 must be an object of variables, got list']);
    const nested = tempDir({ 'a.tpl': '${templatefile("a.tpl", {})}' });
    expect(evalText('output "o" { value = templatefile("a.tpl", {}) }\n', { dir: nested }).diagnostics.map((d) => d.message)).toEqual([
      'templatefile: a template cannot call templatefile()',
    ]);
  });
});

describe('splat expressions', () => {
  const prelude = 'locals {\n  list = [{ id = 1, n = { x = "a" } }, { id = 2, n = { x = "b" } }]\n  one = { id = 7 }\n  none = null\n}\n';

  it('apply the steps after [*] to every element', () => {
    expect(valueOf('local.list[*].id', prelude)).toEqual([1, 2]);
    expect(valueOf('local.list[*].n.x', prelude)).toEqual(['a', 'b']);
    expect(valueOf('local.list[*]', prelude)).toEqual([{ id: 1, n: { x: 'a' } }, { id: 2, n: { x: 'b' } }]);
  });

  it('make a list of one of a single value, and an empty list of null', () => {
    expect(valueOf('local.one[*].id', prelude)).toEqual([7]);
    expect(valueOf('local.none[*].id', prelude)).toEqual([]);
  });

  it('legacy .* stops at an index; [*] does not', () => {
    expect(valueOf('[[1, 2], [3, 4]][*][0]', prelude)).toEqual([1, 3]);
    expect(valueOf('local.list.*.n[1]', prelude)).toEqual({ x: 'b' });
    expect(valueOf('local.list.*.id', prelude)).toEqual([1, 2]);
  });

  it('over a resource with count or for_each: its instances (for_each in key order)', () => {
    const c = configOf(`
      role "t" {
        for_each = toset(["b", "a"])
        name     = "t_\${each.key}"
      }
      role "c" {
        count = 2
        name  = "c\${count.index}"
      }
      role "all" {
        member_of = concat(role.t[*], role.c[*])
      }
      output "names" { value = role.t[*].name }
    `);
    expect(resource(c, 'role.all').spec['member_of']).toEqual(['t_a', 't_b', 'c0', 'c1']);
    expect(resource(c, 'role.all').dependsOn).toEqual(['role.c[0]', 'role.c[1]', 'role.t["a"]', 'role.t["b"]']);
    expect(c.outputs[0]!.value).toEqual(['t_a', 't_b']);
  });

  it('a wrong step is reported at its place', () => {
    expect(diagnosticsOf(`${prelude}output "o" { value = local.list[*].nope }\n`)).toEqual([
      // at the step, from the [*] it starts at
      { message: 'object has no attribute "nope"', at: '6:33', hint: undefined },
    ]);
  });
});

describe('template directives', () => {
  it('if / else / endif, for / endfor in strings', () => {
    expect(valueOf('"Hello, %{ if "" != "" }x%{ else }unnamed%{ endif }!"')).toBe('Hello, unnamed!');
    expect(valueOf('"%{ for i, x in ["a", "b"] }${i}=${x};%{ endfor }"')).toBe('0=a;1=b;');
    expect(valueOf('"%{ for k, v in { b = 2, a = 1 } }${k}${v} %{ endfor }"')).toBe('a1 b2 ');
    expect(valueOf('"%{ if true }yes%{ endif }"')).toBe('yes');
    expect(valueOf('"%{ if false }yes%{ endif }"')).toBe('');
  });

  it('strip markers remove the whitespace next to the tag (heredoc, Terraform docs)', () => {
    const list = '["10.1.16.154", "10.1.16.1"]';
    expect(valueOf(`<<EOT\n%{ for ip in ${list} }\nserver \${ip}\n%{ endfor }\nEOT\n`)).toBe('\nserver 10.1.16.154\n\nserver 10.1.16.1\n\n');
    expect(valueOf(`<<EOT\n%{ for ip in ${list} ~}\nserver \${ip}\n%{ endfor ~}\nEOT\n`)).toBe('server 10.1.16.154\nserver 10.1.16.1\n');
    expect(valueOf('"a   ${~ "b" ~}   c"')).toBe('abc');
    expect(valueOf('<<-EOT\n  items:\n  %{~ for x in [1, 2] }\n    - ${x}\n  %{~ endfor }\n  EOT\n')).toBe('items:\n  - 1\n  - 2\n');
  });

  it('`%%{` is a literal `%{`', () => {
    expect(valueOf('"100%%{x} %"')).toBe('100%{x} %');
  });

  it('mistakes are located', () => {
    expect(diagnosticsOf('output "o" { value = "%{ if 1 }x%{ endif }" }\n')).toEqual([
      { message: '%{ if }: expected bool, got number', at: '1:29', hint: undefined },
    ]);
    expect(diagnosticsOf('output "o" { value = "%{ for x in 1 }x%{ endfor }" }\n')).toEqual([
      { message: '%{ for } needs a list or a map, got number', at: '1:35', hint: undefined },
    ]);
  });
});

describe('keywords as names', () => {
  it('attribute names, object keys and attribute steps', () => {
    expect(valueOf('{ for = 1, in = 2, if = 3, true = 4, null = 5 }')).toEqual({ for: 1, in: 2, if: 3, true: 4, null: 5 });
    expect(valueOf('{ if = { for = "x" } }.if.for')).toBe('x');
    expect(valueOf('{\n  for = 1\n  in  = 2\n}')).toEqual({ for: 1, in: 2 });
    // a for expression is still one
    expect(valueOf('{ for k in ["a"] : k => 1 }')).toEqual({ a: 1 });
  });
});

describe('dynamic blocks', () => {
  it('make one nested block per element, with the iterator in scope', () => {
    const c = configOf(`
      locals {
        grants = {
          app  = ["SELECT"]
          sync = ["INSERT", "UPDATE"]
        }
      }
      role "r" {
        grant {
          database   = "saas"
          on         = "database"
          privileges = ["CONNECT"]
        }
        dynamic "grant" {
          for_each = local.grants
          iterator = g
          content {
            database   = "saas"
            schema     = g.key
            privileges = g.value
          }
        }
      }
      role "d" {
        dynamic "grant" {
          for_each = ["a", "b"]
          content {
            database   = "db_\${grant.value}"
            on         = "database"
            privileges = ["CONNECT"]
          }
        }
      }
    `);
    expect(resource(c, 'role.r').spec['grants']).toEqual([
      { database: 'saas', schema: null, on: 'database', privileges: ['CONNECT'], future: false, grant_option: false, future_owners: [] },
      { database: 'saas', schema: 'app', on: 'tables', privileges: ['SELECT'], future: false, grant_option: false, future_owners: [] },
      { database: 'saas', schema: 'sync', on: 'tables', privileges: ['INSERT', 'UPDATE'], future: false, grant_option: false, future_owners: [] },
    ]);
    expect((resource(c, 'role.d').spec['grants'] as { database: string }[]).map((g) => g.database)).toEqual(['db_a', 'db_b']);
  });

  it('works for every nested block type (connection_secret of a service_account)', () => {
    const c = configOf(`
      database "saas" {}
      service_account "app" {
        database = database.saas
        dynamic "connection_secret" {
          for_each = ["secrets/app.env"]
          content {
            path = connection_secret.value
          }
        }
      }
    `);
    expect(resource(c, 'service_account.app').address).toBe('service_account.app');
    expect(c.resources.find((r) => r.address === 'service_account.app')!.connectionSecret?.path).toBe('secrets/app.env');
  });

  it('every nested block type of every kind: a dynamic block gives what the written blocks give', () => {
    // one body per (resource type, block type); a kind with a block type missing here fails the test
    const bodies: Record<string, string> = {
      'role/grant': 'database   = "db_\${V}"\n      on         = "database"\n      privileges = ["CONNECT"]',
      'role/membership': 'role  = "other_\${V}"\n      admin = true',
      'role/member': 'role  = "member_\${V}"\n      admin = false',
      'service_account/grant': 'database   = "db_\${V}"\n      on         = "database"\n      privileges = ["CONNECT"]',
      'service_account/membership': 'role = "other_\${V}"',
      'service_account/connection_secret': 'path = "secrets/\${V}.env"',
    };
    const declared = kinds.flatMap((k) => Object.keys(k.blocks).map((b) => `${k.type}/${b}`)).sort();
    expect(Object.keys(bodies).sort()).toEqual(declared);
    for (const [key, body] of Object.entries(bodies)) {
      const [type, block] = key.split('/') as [string, string];
      const once = block === 'connection_secret';
      const values = once ? ['a'] : ['a', 'b'];
      const wrapper = (inner: string) => `database "saas" {}\n${type} "x" {\n${type === 'service_account' ? '  database = database.saas\n' : ''}${inner}}\n`;
      const written = configOf(wrapper(values.map((v) => `  ${block} {\n      ${body.replaceAll('${V}', v)}\n  }\n`).join('')));
      const dynamic = configOf(
        wrapper(`  dynamic "${block}" {\n    for_each = ${JSON.stringify(values)}\n    content {\n      ${body.replaceAll('${V}', `\${${block}.value}`)}\n    }\n  }\n`),
      );
      const x = (c: typeof written) => c.resources.find((r) => r.address === `${type}.x`)!;
      expect(x(dynamic).spec, key).toEqual(x(written).spec);
      expect(x(dynamic).connectionSecret, key).toEqual(x(written).connectionSecret);
      // the blocks are there: the last element's value shows
      const shown = JSON.stringify([x(dynamic).spec, x(dynamic).connectionSecret]);
      expect(shown, key).toContain(once ? 'secrets/a.env' : '_b"');
    }
  });

  it('an empty for_each makes no block; lifecycle cannot be dynamic', () => {
    const c = configOf('role "r" {\n  dynamic "grant" {\n    for_each = []\n    content {}\n  }\n}\n');
    expect(resource(c, 'role.r').spec['grants']).toEqual([]);
    expect(diagnosticsOf('role "r" {\n  dynamic "lifecycle" {\n    for_each = [1]\n    content {}\n  }\n}\n')).toEqual([
      { message: 'a lifecycle block cannot be dynamic', at: '2:3', hint: 'write the lifecycle block itself' },
    ]);
  });

  it('mistakes in the dynamic block and in its content are located', () => {
    expect(
      diagnosticsOf(`role "r" {
  dynamic "grant" {
    for_each = 3
    content {
      database = "x"
      privileges = ["CONNECT"]
    }
  }
  dynamic "grnt" {
    for_each = [1]
    content {}
  }
  dynamic "grant" {
    for_each = [1]
    labels   = ["x"]
  }
  dynamic "grant" {
    for_each = ["x"]
    content {
      database   = grant.value
      privileges = ["SELECT"]
      nope       = 1
    }
  }
}
`),
    ).toEqual([
      { message: 'the for_each of dynamic "grant" must be a list, a set or a map, got number', at: '3:16', hint: undefined },
      { message: 'unknown attribute "labels" in dynamic "grant"', at: '15:5', hint: 'grant blocks take no label' },
      { message: 'missing content block in dynamic "grant"', at: '13:3', hint: 'dynamic "grant" { for_each = …, content { … } }' },
      { message: 'unknown block "grnt" in role', at: '9:3', hint: 'did you mean "grant"?' },
      { message: 'unknown attribute "nope" in grant', at: '22:7', hint: 'grant has: database, schema, on, objects, columns, privileges, future, grant_option, future_owners, granted_by' },
    ]);
  });

  it('a problem the kind finds in a made block points into its content', async () => {
    const dir = tempDir({
      'main.xp': 'role "r" {\n  dynamic "grant" {\n    for_each = [1]\n    content {\n      database   = "d"\n      on         = "database"\n      privileges = ["SELECT"]\n    }\n  }\n}\n',
    });
    const r = await loadConfiguration(dir);
    // at the privileges of the content block, not at the role
    expect(r.diagnostics.map((d) => `${d.range?.start.line}:${d.range?.start.column} ${d.message}`)).toEqual(['7:20 privilege "SELECT" does not apply to database']);
  });
});
