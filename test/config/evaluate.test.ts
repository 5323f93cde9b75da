import { describe, expect, it } from 'vitest';
import { Sensitive, UNKNOWN } from '../../src/model/types.js';
import { configOf, diagnosticsOf, errorsOf, evalText, resource, valueOf } from './fixture.js';

describe('names and addresses', () => {
  it('uses the label with - replaced by _, or name verbatim', () => {
    const c = configOf(`
      role "agent-executor-db" {}
      role "x" { name = "Weird Name-1" }
    `);
    expect(resource(c, 'role.agent-executor-db').name).toBe('agent_executor_db');
    expect(resource(c, 'role.x').name).toBe('Weird Name-1');
  });

  it('refuses two resources managing one PostgreSQL object', () => {
    expect(errorsOf(`role "a_b" {}\nservice_account "a-b" { database = "d" }`)).toEqual([
      'service_account.a-b and role.a_b both manage the role "a_b"',
    ]);
    // schemas of the same name in two databases are two objects
    configOf(`schema "s1" {\n database = "one"\n name = "api"\n}\nschema "s2" {\n database = "two"\n name = "api"\n}`);
  });

  it('takes the stack from the stack block, else the default', () => {
    expect(configOf('stack "saas" {}')).toMatchObject({ stack: 'saas', stackMode: 'enforce' });
    expect(configOf('stack "saas" {\n  mode = "observe"\n}').stackMode).toBe('observe');
    expect(errorsOf('stack "saas" {\n  mode = "watch"\n}')).toEqual(['mode: invalid value "watch", expected one of: "enforce", "observe"']);
    expect(errorsOf('stack "a" {}\nstack "b" {}')).toEqual(['duplicate stack block (a configuration is one stack)']);
    expect(configOf('').stack).toBe('test');
  });
});

describe('the spec of each kind (contracts.md §1)', () => {
  it('database: defaults filled, create-only keys only when set', () => {
    const c = configOf(`
      role "o" {}
      database "app" {
        owner = role.o
        connection_limit = 10
        lc_collate = "C"
      }
    `);
    expect(resource(c, 'database.app')).toMatchObject({
      kind: 'Database',
      type: 'database',
      name: 'app',
      provider: 'default',
      spec: { owner: 'o', encoding: 'UTF8', lc_collate: 'C', connection_limit: 10, allow_connections: true },
      dependsOn: ['role.o'],
    });
    expect(resource(c, 'database.app').spec).not.toHaveProperty('template');
    // comment not set: not managed, so not in the spec (an existing comment is left as it is)
    expect(Object.keys(resource(c, 'database.app').spec)).toEqual(['owner', 'encoding', 'lc_collate', 'connection_limit', 'allow_connections', 'is_template', 'tablespace', 'settings']);
  });

  it('schema and extension', () => {
    const c = configOf(`
      database "d" {}
      schema "api" { database = database.d }
      schema "bare" {
        database = database.d
        comment  = ""
      }
      schema "unset" {
        database = database.d
        comment  = null
      }
      extension "pgcrypto" {
        database = database.d
        schema = schema.api
      }
    `);
    // comment: not set (or null) is left out of the spec (not managed); "" removes a comment
    expect(resource(c, 'schema.api').spec).toEqual({ database: 'd' });
    expect(resource(c, 'schema.unset').spec).toEqual({ database: 'd' });
    expect(resource(c, 'schema.bare').spec).toEqual({ database: 'd', comment: '' });
    expect(resource(c, 'extension.pgcrypto').spec).toEqual({ database: 'd', schema: 'api', version: null });
    expect(resource(c, 'extension.pgcrypto').dependsOn).toEqual(['database.d', 'schema.api']);
  });

  it('role: grant blocks become grants, member_of names', () => {
    const c = configOf(`
      role "base" {}
      role "readonly" {
        member_of = [role.base]
        settings = { statement_timeout = "5s" }
        grant {
          database   = "saas"
          schema     = "public"
          privileges = ["SELECT"]
          future     = true
        }
        grant {
          database   = "saas"
          on         = "database"
          privileges = ["CONNECT"]
        }
      }
    `);
    expect(resource(c, 'role.readonly').spec).toEqual({
      login: false,
      superuser: false,
      createdb: false,
      createrole: false,
      replication: false,
      bypass_row_level_security: false,
      inherit: true,
      connection_limit: -1,
      valid_until: null,
      settings: { statement_timeout: '5s' },
      database_settings: {},
      member_of: ['base'],
      memberships: [],
      members: [],
      grants: [
        { database: 'saas', schema: 'public', on: 'tables', privileges: ['SELECT'], future: true, grant_option: false, future_owners: [] },
        { database: 'saas', schema: null, on: 'database', privileges: ['CONNECT'], future: false, grant_option: false, future_owners: [] },
      ],
    });
  });

  it('role: membership blocks are memberships too (member_of), member blocks become members', () => {
    const c = configOf(`
      role "base" {}
      role "ops" {}
      role "r" {
        member_of = [role.base]
        membership {
          role  = role.ops
          admin = true
        }
        member {
          role = "shared"
        }
      }
    `);
    const spec = resource(c, 'role.r').spec;
    expect(spec['member_of']).toEqual(['base', 'ops']);
    expect(spec['memberships']).toEqual([{ role: 'ops', admin: true, set: true }]);
    expect(spec['members']).toEqual([{ role: 'shared', admin: false, set: true }]);
  });

  it('service_account: generated password is Sensitive(UNKNOWN); grants default to its database', () => {
    const c = configOf(`
      database "saas" {}
      schema "t" { database = database.saas }
      role "r" {}
      service_account "app" {
        database  = database.saas
        schemas   = [schema.t]
        member_of = [role.r]
        grant {
          schema     = schema.t
          privileges = ["SELECT", "INSERT"]
        }
        connection_secret {
          path = "secrets/app.env"
        }
      }
      service_account "fixed" {
        database = "saas"
        password = "s3cret"
      }
    `);
    const app = resource(c, 'service_account.app');
    expect(app.kind).toBe('ServiceAccount');
    expect(app.spec['password']).toEqual(new Sensitive(UNKNOWN));
    expect(app.spec).toMatchObject({
      database: 'saas',
      schemas: ['t'],
      member_of: ['r'],
      connection_limit: -1,
      valid_until: null,
      grants: [{ database: 'saas', schema: 't', on: 'tables', privileges: ['SELECT', 'INSERT'], future: false }],
    });
    expect(app.connectionSecret).toEqual({ path: 'secrets/app.env', format: 'dotenv' });
    expect(app.dependsOn).toEqual(['database.saas', 'role.r', 'schema.t']);
    expect(resource(c, 'service_account.fixed').spec['password']).toEqual(new Sensitive('s3cret'));
    expect(JSON.stringify(resource(c, 'service_account.fixed').spec)).not.toContain('s3cret');
  });

  it('lifecycle and provider', () => {
    const c = configOf(`
      provider "primary" { url = "postgres://x@h/db" }
      database "d" {
        provider = provider.primary
        comment = "x"
        lifecycle {
          prevent_destroy = true
          deletion_policy = "orphan"
          ignore_changes  = [comment, "connection_limit"]
        }
      }
    `);
    expect(c.providers).toMatchObject([{ name: 'primary', url: 'postgres://x@h/db' }]);
    expect(resource(c, 'database.d').provider).toBe('primary');
    expect(resource(c, 'database.d').lifecycle).toEqual({
      prevent_destroy: true,
      deletion_policy: 'orphan',
      ignore_changes: ['comment', 'connection_limit'],
    });
  });
});

describe('references', () => {
  it('warns when a managed database or role is named by a string (no dependency)', () => {
    const r = evalText('database "saas" {}\nrole "o" {}\nschema "s" {\n  database = "saas"\n  owner = role.o\n}\nrole "r" {\n  member_of = ["o"]\n}');
    expect(r.config).toBeDefined();
    expect(r.diagnostics.map((d) => [d.severity, d.message, `${d.range!.start.line}:${d.range!.start.column}`, d.hint])).toEqual([
      ['warning', '"saas" is managed here as database.saas, but written as a string: nothing makes it exist first', '4:14', 'refer to it as database.saas to depend on it'],
      ['warning', '"o" is managed here as role.o, but written as a string: nothing makes it exist first', '8:15', 'refer to it as role.o to depend on it'],
    ]);
  });

  it('reads attributes of other resources, with defaults', () => {
    const c = configOf(`
      role "o" { name = "the_owner" }
      database "d" { owner = role.o.name }
      schema "s" {
        database = database.d
        owner    = database.d.owner
        comment  = "enc \${database.d.encoding}, limit \${database.d.connection_limit}"
      }
    `);
    expect(resource(c, 'schema.s').spec).toMatchObject({ owner: 'the_owner', comment: 'enc UTF8, limit -1' });
    expect(resource(c, 'schema.s').dependsOn).toEqual(['database.d']);
  });

  it('records references through locals as dependencies', () => {
    const c = configOf(`
      locals { owner = role.o }
      role "o" {}
      database "d" { owner = local.owner }
    `);
    expect(resource(c, 'database.d').dependsOn).toEqual(['role.o']);
  });

  it('adds depends_on to the dependencies', () => {
    const c = configOf(`
      role "a" {}
      role "b" {
        count = 2
        name  = "b\${count.index}"
      }
      role "c" { depends_on = [role.a, role.b] }
    `);
    expect(resource(c, 'role.c').dependsOn).toEqual(['role.a', 'role.b[0]', 'role.b[1]']);
  });

  it('reports undeclared resources and attributes with a suggestion', () => {
    expect(diagnosticsOf(`role "readonly" {}\nrole "x" { member_of = [role.readonli] }`)).toEqual([
      { message: 'reference to undeclared resource role.readonli', at: '2:25', hint: 'did you mean "readonly"?' },
    ]);
    expect(errorsOf(`role "r" {}\nrole "x" { comment = role.r.comentt }`)).toEqual(['role has no attribute "comentt"']);
    expect(errorsOf(`role "x" { depends_on = ["role.r"] }`)).toEqual(['depends_on: expected a resource (role.x), got string']);
    // a module may be named too: the message says so
    expect(errorsOf(`role "r" {}
role "x" { depends_on = role.r }`)).toEqual(['depends_on must be a list of resources or modules: [role.x, module.y]']);
  });

  it('refuses a reference of the wrong kind where a name is expected', () => {
    expect(errorsOf(`database "d" {}\nschema "s" {\n database = "d"\n owner = database.d\n}`)).toEqual([
      'owner: expected a reference to a role or a service_account, got database.d',
    ]);
    // in a list, and a whole for_each resource: the first of the wrong kind is named
    expect(errorsOf(`role "a" {}\ndatabase "d" {}\nschema "s" { database = "d" }\nrole "x" { member_of = [role.a, database.d, schema.s] }`)).toEqual([
      'member_of: expected a reference to a role, got database.d',
    ]);
    expect(errorsOf(`database "g" {\n for_each = toset(["b", "a"])\n name = each.key\n}\nrole "x" { member_of = database.g }`)).toEqual([
      'member_of: expected a reference to a role, got database.g["a"]',
    ]);
  });

  it('makes service_account.x.password sensitive and unknown until apply', () => {
    const c = configOf(`
      service_account "a" { database = "d" }
      output "dsn" {
        value     = "postgres://\${service_account.a.name}:\${service_account.a.password}@db/d"
        sensitive = true
      }
    `);
    expect(c.outputs[0]!.value).toEqual(new Sensitive(UNKNOWN));
    expect(errorsOf(`service_account "a" { database = "d" }\noutput "p" { value = service_account.a.password }`)).toEqual([
      'output "p" contains a sensitive value',
    ]);
  });
});

describe('for_each and count', () => {
  it('expands a set of strings with each.key and each.value', () => {
    const c = configOf(`
      variable "tenants" { default = ["globex", "acme", "acme"] }
      database "saas" {}
      schema "tenant" {
        for_each = toset(var.tenants)
        database = database.saas
        name     = "tenant_\${each.value}"
        comment  = each.key
      }
      service_account "app" {
        for_each = toset(var.tenants)
        name     = "\${each.value}_app"
        database = database.saas
        schemas  = [schema.tenant[each.key]]
      }
    `);
    expect(c.resources.map((r) => r.address)).toEqual([
      'database.saas',
      'schema.tenant["acme"]',
      'schema.tenant["globex"]',
      'service_account.app["acme"]',
      'service_account.app["globex"]',
    ]);
    expect(resource(c, 'schema.tenant["acme"]')).toMatchObject({ name: 'tenant_acme', spec: { comment: 'acme' } });
    // depends on its own tenant's schema only
    expect(resource(c, 'service_account.app["globex"]').dependsOn).toEqual(['database.saas', 'schema.tenant["globex"]']);
  });

  it('expands a map with each.value', () => {
    // two instances of one label need distinct names
    expect(errorsOf(`role "svc" {\n for_each = { api = 10, worker = 2 }\n}`)).toEqual([
      'role.svc["worker"] and role.svc["api"] both manage the role "svc"',
    ]);
    const ok = configOf(`role "svc" {\n for_each = { api = 10, worker = 2 }\n name = "svc_\${each.key}"\n connection_limit = each.value\n}`);
    expect(ok.resources.map((r) => [r.address, r.name, r.spec['connection_limit']])).toEqual([
      ['role.svc["api"]', 'svc_api', 10],
      ['role.svc["worker"]', 'svc_worker', 2],
    ]);
  });

  it('expands count with count.index, and a group reference means every instance', () => {
    const c = configOf(`
      role "r" {
        count = 3
        name  = "reader_\${count.index}"
      }
      role "all" { member_of = role.r }
      output "n" { value = length(role.r) }
      output "names" { value = [for r in role.r : r.name] }
    `);
    expect(c.resources.map((r) => r.name)).toEqual(['reader_0', 'reader_1', 'reader_2', 'all']);
    expect(resource(c, 'role.all').spec['member_of']).toEqual(['reader_0', 'reader_1', 'reader_2']);
    expect(resource(c, 'role.all').dependsOn).toEqual(['role.r[0]', 'role.r[1]', 'role.r[2]']);
    expect(c.outputs.map((o) => o.value)).toEqual([3, ['reader_0', 'reader_1', 'reader_2']]);
  });

  it('reports bad for_each and count values', () => {
    expect(errorsOf(`role "r" { for_each = 3 }`)).toEqual(['for_each must be a set of strings or a map, got number']);
    expect(errorsOf(`role "r" { for_each = ["a", "a"] }`)).toEqual(['for_each has the key "a" twice']);
    expect(errorsOf(`service_account "s" { database = "d" }\nrole "r" { for_each = toset([service_account.s.password]) }`)).toEqual([
      'for_each must not be sensitive',
    ]);
    expect(errorsOf(`role "r" { count = -1 }`)).toEqual(['count must be a whole number ≥ 0, got -1']);
    // a typo that would have made 1e20 instances (validate ran out of memory): refused at once
    expect(errorsOf(`role "r" { count = 1e20 }`)).toEqual(['count must be at most 1,000,000, got 100000000000000000000']);
    expect(errorsOf(`role "r" {\n count = 1\n for_each = ["a"]\n}`)).toEqual(['role.r sets both for_each and count']);
    expect(errorsOf(`role "r" { comment = each.key }`)).toEqual(['each.key is only available in a resource or module with for_each']);
    expect(errorsOf(`role "r" { comment = count.index }`)).toEqual(['count.index is only available in a resource or module with count']);
    expect(errorsOf(`role "r" {\n count = 2\n name = "r\${count.index}"\n}\nrole "x" { member_of = [role.r[5]] }`)).toEqual(['role.r has no instance [5]']);
  });
});

describe('locals', () => {
  it('evaluates locals in any order', () => {
    expect(valueOf('local.c', 'locals {\n c = "${local.b}!"\n a = "x"\n}\nlocals {\n b = upper(local.a)\n}')).toBe('X!');
  });

  it('reports a cycle naming each local', () => {
    expect(diagnosticsOf('locals {\n  a = local.b\n  b = local.c\n  c = "${local.a}"\n  d = 1\n}')).toEqual([
      {
        message: 'cycle between locals: local.a → local.b → local.c → local.a',
        at: '2:3',
        hint: 'each of local.a (main.xp:2:3), local.b (main.xp:3:3), local.c (main.xp:4:3) depends on the next',
      },
    ]);
    expect(errorsOf('locals {\n  a = local.a\n}')).toEqual(['cycle between locals: local.a → local.a']);
  });

  it('reports unknown locals and variables with a suggestion', () => {
    expect(diagnosticsOf('locals {\n  prefix = "p"\n  x = local.prefx\n}')).toMatchObject([
      { message: 'unknown local "prefx"', hint: 'did you mean "prefix"?' },
    ]);
    expect(diagnosticsOf('variable "tenants" { default = [] }\nlocals {\n  x = var.tenant\n}')).toMatchObject([
      { message: 'unknown variable "tenant"', hint: 'did you mean "tenants"?' },
    ]);
  });
});

describe('expressions', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 % 4', 3],
    ['-3 + 1', -2],
    ['"5" + 1', 6],
    ['1 < 2 && !false', true],
    ['1 >= 2 || false', false],
    ['[1, "a"] == [1, "a"]', true],
    ['{ a = 1 } != { a = 1 }', false],
    ['true ? "y" : "n"', 'y'],
    ['"a-${1 + 1}-${true}"', 'a-2-true'],
    ['[for s in ["a", "b"] : upper(s)]', ['A', 'B']],
    ['[for i, s in ["a", "b"] : "${i}${s}" if s != "a"]', ['1b']],
    ['{for k, v in { x = 1, y = 2 } : v => k}', { '1': 'x', '2': 'y' }],
    ['{for s in ["aa", "ab", "b"] : split("", s)[0] => s...}', { a: ['aa', 'ab'], b: ['b'] }],
    ['{ a = { b = [10, 20] } }.a.b[1]', 20],
    ['{ "k-1" = 1 }["k-1"]', 1],
    ['<<EOT\n  hello\n  EOT', '  hello\n'],
    ['<<-EOT\n    hello\n      world\n    EOT', 'hello\n  world\n'],
    ['concat([["a"], ["b"]]...)', ['a', 'b']],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['1 + "a"', 'operator +: expected number, got string'],
    ['!1', 'operator !: expected bool, got number'],
    ['1 / 0', 'division by zero'],
    ['[1][3]', 'index 3 is out of range (the list has 1 element)'],
    ['{ a = 1 }["b"]', 'no key "b" in the map'],
    ['"x${[1]}"', 'cannot interpolate a list'],
    ['"x${null}"', 'cannot interpolate null'],
    ['1 ? 2 : 3', 'condition: expected bool, got number'],
    ['nosuch(1)', 'unknown function "nosuch"'],
    ['foo', 'unknown name "foo"'],
  ])('%s fails: %s', (expr, message) => {
    expect(errorsOf(`output "o" { value = ${expr} }`)).toEqual([message]);
  });
});

describe('unknown and sensitive values', () => {
  const sa = 'service_account "a" { database = "d" }\nvariable "secret" {\n default = "hunter2"\n sensitive = true\n}';
  it.each([
    ['service_account.a.password', new Sensitive(UNKNOWN)],
    ['upper(service_account.a.password)', new Sensitive(UNKNOWN)],
    ['length([service_account.a.password, "x"])', 2],
    ['[service_account.a.password][0]', new Sensitive(UNKNOWN)],
    ['var.secret', new Sensitive('hunter2')],
    ['upper(var.secret)', new Sensitive('HUNTER2')],
    ['"${var.secret}!"', new Sensitive('hunter2!')],
    ['var.secret == "hunter2"', new Sensitive(true)],
    ['concat([var.secret], ["b"])', [new Sensitive('hunter2'), 'b']],
    ['service_account.a.password == "x" ? 1 : 2', new Sensitive(UNKNOWN)],
    ['jsonencode({ p = var.secret })', new Sensitive('{"p":"hunter2"}')],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr, sa)).toEqual(expected);
  });

  it('keeps a sensitive variable out of printed JSON', () => {
    const c = configOf('variable "pw" {\n default = "hunter2"\n sensitive = true\n}\nservice_account "a" {\n database = "d"\n password = var.pw\n}');
    expect(JSON.stringify(c)).not.toContain('hunter2');
    expect(resource(c, 'service_account.a').spec['password']).toEqual(new Sensitive('hunter2'));
  });

  it('refuses a name known only after apply', () => {
    expect(errorsOf('service_account "a" { database = "d" }\nrole "r" { name = service_account.a.password }')).toEqual([
      'a name must not be sensitive',
    ]);
  });
});

describe('outputs, providers, top-level mistakes', () => {
  it('outputs names of referenced resources', () => {
    const c = configOf(`
      variable "tenants" { default = ["a", "b"] }
      service_account "app" {
        for_each = toset(var.tenants)
        name     = "\${each.value}_app"
        database = "d"
      }
      output "users" { value = [for t in var.tenants : service_account.app[t].name] }
      output "by_key" { value = service_account.app }
    `);
    expect(c.outputs.map((o) => [o.name, o.value, o.sensitive])).toEqual([
      ['users', ['a_app', 'b_app'], false],
      ['by_key', { a: 'a_app', b: 'b_app' }, false],
    ]);
  });

  it('reads the provider url from the environment', () => {
    const c = configOf('provider "p" { url = env("DB_URL", "") }\nprovider "q" { url = env("DB_URL", "") }', { env: { DB_URL: 'postgres://h/x' } });
    expect(c.providers.map((p) => p.url)).toEqual(['postgres://h/x', 'postgres://h/x']);
    // with one provider block, resources use it; with several, the default connection
    expect(configOf('provider "p" {}\nrole "r" {}').resources[0]!.provider).toBe('p');
    expect(configOf('provider "p" {}\nprovider "q" {}\nrole "r" {}').resources[0]!.provider).toBe('default');
    expect(configOf('provider "p" {}\nprovider "q" {}\nrole "r" { provider = provider.q }').resources[0]!.provider).toBe('q');
    expect(configOf('provider "p" { url = env("DB_URL", "") }').providers[0]!.url).toBeUndefined();
  });

  it('reports unknown blocks, duplicates and bad labels', () => {
    expect(diagnosticsOf('rol "x" {}\nrole "a" {}\nrole "a" {}\nlocals "x" {}\nx = 1\nrole "r" { provider = provider.nope }')).toEqual([
      { message: 'unexpected attribute "x" at the top level', at: '5:1', hint: 'attributes belong inside a block, e.g. locals { … }' },
      { message: 'unknown block type "rol"', at: '1:1', hint: 'did you mean "role"?' },
      { message: 'duplicate resource role.a', at: '3:1', hint: 'first defined at main.xp:2:1' },
      { message: 'a locals block takes no label', at: '4:1', hint: undefined },
      expect.objectContaining({ message: 'unknown provider "nope"' }),
    ]);
  });

  it('requires output values and known attributes', () => {
    expect(errorsOf('output "o" { valeu = 1 }')).toEqual(['unknown attribute "valeu" in output', 'missing required attribute "value" in output "o"']);
  });

  it('every block refuses a nested block it does not take, at that block', () => {
    // each context holds `zzz {}` on a line of its own: its mistake must be reported there
    const contexts = [
      'variable "v" {\n  default = 1\nzzz {}\n}',
      'variable "v" {\n  default = 1\n  validation {\n    condition     = var.v > 0\n    error_message = "x"\nzzz {}\n  }\n}',
      'locals {\nzzz {}\n}',
      'provider "p" {\nzzz {}\n}',
      'output "o" {\n  value = 1\nzzz {}\n}',
      'output "o" {\n  value = 1\n  precondition {\n    condition     = true\n    error_message = "x"\nzzz {}\n  }\n}',
      'stack "s" {\nzzz {}\n}',
      'import {\n  to = role.r\n  id = "r"\nzzz {}\n}',
      'role "x" {\nzzz {}\n}',
      'role "x" {\n  grant {\n    database   = "d"\n    schema     = "s"\n    privileges = ["SELECT"]\nzzz {}\n  }\n}',
      'role "x" {\n  lifecycle {\nzzz {}\n  }\n}',
      'role "x" {\n  lifecycle {\n    precondition {\n      condition     = true\n      error_message = "x"\nzzz {}\n    }\n  }\n}',
      'role "x" {\n  lifecycle {\n    postcondition {\n      condition     = true\n      error_message = "x"\nzzz {}\n    }\n  }\n}',
      'role "x" {\n  dynamic "grant" {\n    for_each = ["s"]\nzzz {}\n    content {\n      database   = "d"\n      schema     = grant.value\n      privileges = ["SELECT"]\n    }\n  }\n}',
      'role "x" {\n  dynamic "grant" {\n    for_each = ["s"]\n    content {\n      database   = "d"\n      schema     = grant.value\n      privileges = ["SELECT"]\nzzz {}\n    }\n  }\n}',
      'service_account "x" {\n  database = "d"\n  connection_secret {\n    path = "secrets/x.env"\nzzz {}\n  }\n}',
    ];
    for (const text of contexts) {
      const line = text.split('\n').indexOf('zzz {}') + 1;
      const d = diagnosticsOf(`role "r" {}\n${text}\n`);
      expect(d.filter((x) => x.at === `${line + 1}:1` && x.message.includes('"zzz"')), text).toHaveLength(1);
    }
  });

  it('refuses a nested block a provider or an output does not take (not ignored silently)', () => {
    expect(diagnosticsOf('provider "p" {\n  url = ""\n  ssl {}\n}\noutput "o" {\n  value = 1\n  sensitiv {}\n}\n')).toEqual([
      { message: 'unexpected block "ssl" in provider', at: '3:3', hint: undefined },
      { message: 'unexpected block "sensitiv" in output', at: '7:3', hint: 'output has blocks: precondition' },
    ]);
  });
});
