// Modules (src/config/modules.ts): module blocks with for_each, count or neither, their
// variables set by the block's arguments, their outputs read as module.NAME[KEY].OUT, nested
// modules, the module path in every address, dependencies across the boundary, and the located
// errors of a bad call — in the calling file or in the module's own file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addressCovers, parseAddress, resourcePart, withoutInstanceKey } from '../../src/model/address.js';
import { loadFiles, resource, tempDir } from './fixture.js';

const TENANT = `
variable "name" {
  type = string
}
variable "database" {
  type    = string
  default = "saas"
}
variable "readers" {
  type    = string
  default = null
}
schema "s" {
  database = var.database
  name     = "tenant_\${var.name}"
}
role "app" {
  name      = "\${var.name}_app"
  member_of = var.readers == null ? [] : [var.readers]
}
output "app_user" {
  value = role.app.name
}
output "schema" {
  value = schema.s.name
}
`;

/** A configuration in a temp directory with the tenant module; errors fail the test with their locations. */
async function load(main: string, files: Record<string, string> = {}) {
  const r = await loadFiles({ 'main.xp': main, 'modules/tenant/main.xp': TENANT, ...files });
  return r;
}

async function ok(main: string, files: Record<string, string> = {}) {
  const r = await load(main, files);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.range?.file}:${d.range?.start.line}:${d.range?.start.column} ${d.message}`).join('\n'));
  return r;
}

/** Errors as `file:line:col message`, the file relative to the configuration directory. */
async function errors(main: string, files: Record<string, string> = {}): Promise<string[]> {
  const r = await load(main, files);
  expect(r.config).toBeUndefined();
  return r.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.range ? `${d.range.file.slice(r.dir.length + 1)}:${d.range.start.line}:${d.range.start.column} ` : ''}${d.message}`);
}

describe('modules', () => {
  it('for_each: one instance per key, addresses with the module path, arguments as variables', async () => {
    const { config, graph } = await ok(`
      role "readers" {}
      module "tenant" {
        source   = "./modules/tenant"
        for_each = toset(["acme", "globex"])
        name     = each.key
        readers  = role.readers.name
      }
      output "users" {
        value = { for k, t in module.tenant : k => t.app_user }
      }
      output "acme_schema" {
        value = module.tenant["acme"].schema
      }
    `);
    expect(config!.resources.map((r) => r.address)).toEqual([
      'role.readers',
      'module.tenant["acme"].schema.s',
      'module.tenant["acme"].role.app',
      'module.tenant["globex"].schema.s',
      'module.tenant["globex"].role.app',
    ]);
    const app = resource(config!, 'module.tenant["acme"].role.app');
    expect(app.name).toBe('acme_app');
    expect(app.spec['member_of']).toEqual(['readers']);
    // the argument's reference is a dependency of what reads the variable, and only of that
    expect(app.dependsOn).toEqual(['role.readers']);
    expect(resource(config!, 'module.tenant["acme"].schema.s').dependsOn).toEqual([]);
    expect(app.range.file).toMatch(/modules\/tenant\/main\.xp$/);
    expect(config!.outputs.map((o) => [o.name, o.value])).toEqual([
      ['users', { acme: 'acme_app', globex: 'globex_app' }],
      ['acme_schema', 'tenant_acme'],
    ]);
    expect(graph!.dependents('role.readers')).toEqual(['module.tenant["acme"].role.app', 'module.tenant["globex"].role.app']);
  });

  it('count and a single call: module.NAME[i].OUT and module.NAME.OUT; a resource depends on what an output refers to', async () => {
    const { config } = await ok(`
      module "one" {
        source = "./modules/tenant"
        name   = "solo"
      }
      module "many" {
        source = "./modules/tenant"
        count  = 2
        name   = "t\${count.index}"
      }
      role "reader" {
        member_of = [module.one.app_user, module.many[1].app_user]
      }
    `);
    expect(config!.resources.map((r) => r.address)).toContain('module.one.role.app');
    expect(config!.resources.map((r) => r.address)).toContain('module.many[1].schema.s');
    const reader = resource(config!, 'role.reader');
    expect(reader.spec['member_of']).toEqual(['solo_app', 't1_app']);
    expect(reader.dependsOn).toEqual(['module.many[1].role.app', 'module.one.role.app']);
  });

  it('nest: a module calls a module, addresses carry both steps, outputs pass through', async () => {
    const { config } = await ok(
      `
      module "region" {
        source   = "./modules/region"
        for_each = toset(["eu"])
        region   = each.key
      }
      output "users" {
        value = module.region["eu"].users
      }
    `,
      {
        'modules/region/main.xp': `
          variable "region" {
            type = string
          }
          module "tenant" {
            source   = "../tenant"
            for_each = toset(["a", "b"])
            name     = "\${var.region}_\${each.key}"
          }
          output "users" {
            value = [for t in module.tenant : t.app_user]
          }
        `,
      },
    );
    expect(config!.resources.map((r) => r.address)).toContain('module.region["eu"].module.tenant["b"].role.app');
    expect(config!.outputs[0]!.value).toEqual(['eu_a_app', 'eu_b_app']);
  });

  it('depends_on and for_each of a module: every resource inside depends on them; depends_on = [module.x] in a resource', async () => {
    const { config } = await ok(`
      role "first" {}
      role "keys" {
        for_each = toset(["k"])
      }
      module "tenant" {
        source     = "./modules/tenant"
        for_each   = role.keys
        name       = each.key
        depends_on = [role.first]
      }
      module "after" {
        source     = "./modules/tenant"
        name       = "after"
        depends_on = [module.tenant["k"]]
      }
      role "last" {
        depends_on = [module.tenant]
      }
    `);
    expect(resource(config!, 'role.last').dependsOn).toEqual(['module.tenant["k"].role.app', 'module.tenant["k"].schema.s']);
    expect(resource(config!, 'module.tenant["k"].schema.s').dependsOn).toEqual(['role.first', 'role.keys["k"]']);
    expect(resource(config!, 'module.after.role.app').dependsOn).toEqual(['module.tenant["k"].role.app', 'module.tenant["k"].schema.s']);
  });

  it('a bad call: unknown argument, missing variable, wrong type, each at the module block', async () => {
    expect(
      await errors(`
module "tenant" {
  source  = "./modules/tenant"
  nmae    = "x"
}
module "typed" {
  source = "./modules/tenant"
  name   = ["a"]
}
`),
    ).toEqual([
      'main.xp:4:3 unknown argument "nmae" for module "tenant": the module declares no variable "nmae"',
      'main.xp:2:1 module "tenant": missing argument "name"',
      'main.xp:8:12 invalid value for variable "name" (module.typed, argument name): expected string, got list',
    ]);
  });

  it('each and count in a module block without for_each or count', async () => {
    expect(await errors('module "t" {\n  source = "./modules/tenant"\n  name   = each.key\n}\n')).toEqual(['main.xp:3:12 each.key is only available in a resource or module with for_each']);
  });

  it('the arguments are checked also when for_each makes no instance', async () => {
    expect(await errors('module "t" {\n  source   = "./modules/tenant"\n  for_each = toset([])\n  nmae     = each.key\n}\n')).toEqual([
      'main.xp:4:3 unknown argument "nmae" for module "t": the module declares no variable "nmae"',
      'main.xp:1:1 module "t": missing argument "name"',
    ]);
  });

  it('a bad source: missing, not local, outside the configuration, itself, not written out', async () => {
    expect((await errors('module "a" {\n  source = "./modules/nope"\n}\n'))[0]).toMatch(/^main\.xp:2:12 module source "\.\/modules\/nope": no such directory \(ENOENT\)$/);
    expect(await errors('module "a" {\n  source = "registry.example/x"\n}\n')).toEqual(['main.xp:2:12 module source "registry.example/x" is not a local path']);
    expect(await errors('module "a" {\n  source = "../"\n}\n')).toEqual(['main.xp:2:12 module source "../" is outside the configuration directory']);
    expect(await errors('module "a" {\n  source = "./"\n}\n')).toEqual(['main.xp:2:12 module "a" calls its own module (./): modules cannot call themselves']);
    expect(await errors('variable "p" {\n  default = "x"\n}\nmodule "a" {\n  source = "./\${var.p}"\n}\n')).toEqual([
      "main.xp:5:12 source must be a string written out: a module's source is known before anything is evaluated",
    ]);
    expect(await errors('module "a" {}\n')).toEqual(['main.xp:1:1 missing required attribute "source" in module "a"']);
  });

  it('mistakes inside a module are located in its own file; root-only blocks are refused there', async () => {
    expect(
      await errors('module "m" {\n  source = "./m"\n}\n', {
        'm/main.xp': 'provider "p" {}\nrole "r" {\n  nmae = "x"\n}\noutput "o" {\n  value = var.nope\n}\n',
      }),
    ).toEqual([
      'm/main.xp:1:1 a provider block belongs in the root configuration, not in a module',
      'm/main.xp:3:3 unknown attribute "nmae" in role',
      'm/main.xp:6:11 unknown variable "nope"',
    ]);
  });

  it('path.module, path.root and path.cwd as Terraform defines them; file functions relative to the root, confined to it', async () => {
    const CONF = `
      variable "n" {
        type = string
      }
      module "inner" {
        source = "./inner"
      }
      output "paths" {
        value = [path.module, path.root, path.cwd]
      }
      output "own" {
        value = trimspace(file("\${path.module}/grants.sql"))
      }
      output "rendered" {
        value = templatefile("\${path.module}/t.tpl", { n = var.n })
      }
      output "exists" {
        value = [fileexists("\${path.module}/grants.sql"), fileexists("grants.sql")]
      }
      output "listed" {
        value = fileset(path.module, "*.sql")
      }
      output "shared" {
        value = trimspace(file("\${path.root}/shared/x.txt"))
      }
      output "inner" {
        value = module.inner.where
      }
    `;
    const r = await ok(
      `
      module "conf" {
        source = "./modules/conf"
        n      = "acme"
      }
      output "root" {
        value = [path.module, path.root, path.cwd]
      }
      output "conf" {
        value = module.conf
      }
    `,
      {
        'modules/conf/main.xp': CONF,
        'modules/conf/grants.sql': 'GRANT 1\n',
        'modules/conf/t.tpl': 'hello \${n}',
        'modules/conf/inner/main.xp': 'output "where" {\n  value = path.module\n}\n',
        'shared/x.txt': 'shared\n',
      },
    );
    const out = Object.fromEntries(r.config!.outputs.map((o) => [o.name, o.value]));
    expect(out['root']).toEqual(['.', '.', r.dir]);
    expect(out['conf']).toEqual({
      paths: ['modules/conf', '.', r.dir],
      own: 'GRANT 1',
      rendered: 'hello acme',
      exists: [true, false],
      listed: ['grants.sql'],
      shared: 'shared',
      inner: 'modules/conf/inner',
    });
    // still confined to the root configuration's directory, from a module too
    expect(
      await errors('module "m" {\n  source = "./m"\n}\n', {
        'm/main.xp': 'output "o" {\n  value = file("\${path.module}/../../x")\n}\n',
      }),
    ).toEqual(['m/main.xp:2:16 file: "m/../../x" is outside the configuration directory (paths are relative to it and must stay inside it)']);
    // a path needs an attribute it has; a template sees its variables only
    expect(await errors('output "o" {\n  value = path.modul\n}\n')).toEqual(['main.xp:2:11 unknown attribute "path.modul"']);
    expect(await errors('output "o" {\n  value = path\n}\n')).toEqual(['main.xp:2:11 "path" needs an attribute: path.module, path.root or path.cwd']);
    const template = (await load('output "o" {\n  value = templatefile("t.tpl", {})\n}\n', { 't.tpl': '${path.module}' })).diagnostics;
    expect(template.map((d) => `${d.range?.file}:${d.range?.start.line}:${d.range?.start.column} ${d.message}`)).toEqual([
      't.tpl:1:3 templatefile: a template cannot refer to path.module',
    ]);
  });

  it('a cycle across the module boundary names the resources and the module file', async () => {
    const r = await load(`
module "m" {
  source = "./m"
  peer   = role.outer.name
}
role "outer" {
  member_of = [module.m.inner]
}
`, { 'm/main.xp': 'variable "peer" {\n  type = string\n}\nrole "inner" {\n  member_of = [var.peer]\n}\noutput "inner" {\n  value = role.inner.name\n}\n' });
    expect(r.config).toBeUndefined();
    const messages = r.diagnostics.map((d) => `${d.message} ${d.hint ?? ''}`).join('\n');
    expect(messages).toContain('module.m.role.inner');
    expect(messages).toContain('role.outer');
    expect(messages).toMatch(/m\/main\.xp:4:1/);
  });

  it('references: an undeclared module, an output it does not have, an index it does not take', async () => {
    expect(await errors('output "o" {\n  value = module.nope.x\n}\n')).toEqual(['main.xp:2:11 reference to undeclared module module.nope']);
    const base = 'module "t" {\n  source = "./modules/tenant"\n  name   = "a"\n}\n';
    expect(await errors(`${base}output "o" {\n  value = module.t.app_usr\n}\n`)).toEqual(['main.xp:6:11 module.t has no output "app_usr"']);
    expect(await errors(`${base}output "o" {\n  value = module.t["x"].app_user\n}\n`)).toEqual(['main.xp:6:20 module.t has neither for_each nor count: it cannot be indexed']);
    const each = 'module "t" {\n  source   = "./modules/tenant"\n  for_each = toset(["a"])\n  name     = each.key\n}\n';
    expect(await errors(`${each}output "o" {\n  value = module.t["b"].app_user\n}\n`)).toEqual(['main.xp:7:20 module.t has no instance ["b"]']);
    expect(await errors(`${each}output "o" {\n  value = module.t.app_user\n}\n`)).toEqual(['main.xp:7:11 module.t has for_each: choose an instance first, module.t[KEY].app_user']);
  });

  it('a sensitive argument stays sensitive inside: an output that is not marked sensitive cannot show it', async () => {
    const files = { 'm/main.xp': 'variable "secret" {}\noutput "plain" {\n  value = var.secret\n}\n' };
    expect(await errors('variable "pw" {\n  default   = "hunter2"\n  sensitive = true\n}\nmodule "m" {\n  source = "./m"\n  secret = var.pw\n}\n', files)).toEqual([
      'm/main.xp:3:11 output "plain" contains a sensitive value',
    ]);
  });

  it('two instances that manage one name are refused, naming both addresses', async () => {
    const msgs = await errors('module "t" {\n  source   = "./modules/tenant"\n  for_each = toset(["a", "b"])\n  name     = "same"\n}\n');
    expect(msgs.some((m) => m.includes('module.t["b"].role.app and module.t["a"].role.app both manage the role "same_app"'))).toBe(true);
  });

  it('moved blocks into, out of and inside modules carry the module path', async () => {
    const { config } = await ok(
      `
      module "tenant" {
        source   = "./modules/tenant"
        for_each = toset(["acme"])
        name     = each.key
      }
      moved {
        from = role.app
        to   = module.tenant["acme"].role.app
      }
      moved {
        from = module.old
        to   = module.tenant
      }
    `,
      { 'modules/tenant/moves.xp': 'moved {\n  from = schema.old\n  to   = schema.s\n}\n' },
    );
    expect(config!.moved?.map(({ from, to }) => [from, to])).toEqual([
      ['role.app', 'module.tenant["acme"].role.app'],
      ['module.old', 'module.tenant'],
      ['module.tenant["acme"].schema.old', 'module.tenant["acme"].schema.s'],
    ]);
  });

  it('a call whose arguments read its own outputs, and moves to a module that is not declared, are refused', async () => {
    expect(await errors('module "t" {\n  source = "./modules/tenant"\n  name   = module.t.app_user\n}\n')).toEqual([
      'main.xp:1:1 the arguments of module.t refer to module.t itself',
    ]);
    expect(await errors('role "app" {}\nmoved {\n  from = module.old\n  to   = module.nope\n}\nmoved {\n  from = role.x\n  to   = module.nope["a"].role.app\n}\n')).toEqual([
      'main.xp:4:10 moved to module.nope: no such module is declared',
      'main.xp:8:10 moved to module.nope["a"].role.app: no such resource is declared',
    ]);
  });

  it('xp fmt of a directory formats the files of the modules it calls; xp graph draws module addresses', () => {
    const dir = tempDir({ 'main.xp': 'module "t" {\n  source = "./modules/t"\n}\n', 'modules/t/main.xp': 'role "r" {\nname="x"\n}\n', 'unused/x.xp': 'role "r" {\nname="x"\n}\n' });
    const bin = join(import.meta.dirname, '../../bin/xp.js');
    const r = spawnSync(process.execPath, [bin, 'fmt', '--check', '.'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toBe('modules/t/main.xp\n');
    expect(r.status).toBe(3);
    const each = tempDir({ 'main.xp': 'module "t" {\n  source   = "./m"\n  for_each = toset(["a"])\n}\nrole "top" {\n  member_of = [module.t["a"].r]\n}\n', 'm/main.xp': 'role "r" {}\noutput "r" {\n  value = role.r.name\n}\n' });
    const graph = spawnSync(process.execPath, [bin, 'graph', '.'], { cwd: each, encoding: 'utf8' });
    expect(graph.stdout).toContain('"module.t[\\"a\\"].role.r" -> "role.top";');
    const mermaid = spawnSync(process.execPath, [bin, 'graph', '--format', 'mermaid', '.'], { cwd: each, encoding: 'utf8' });
    expect(mermaid.stdout).toContain('["module.t[#quot;a#quot;].role.r"]');
  });
});

describe('addresses with a module path', () => {
  it('parse into module steps, the resource and its key; keys may hold any character', () => {
    expect(parseAddress('module.t["a.b\\"]"].module.u[3].role.app["k"]')).toEqual({
      modules: [{ name: 't', key: 'a.b"]' }, { name: 'u', key: 3 }],
      type: 'role',
      label: 'app',
      key: 'k',
    });
    expect(parseAddress('module.t')).toEqual({ modules: [{ name: 't' }] });
    expect(parseAddress('role.app')).toEqual({ modules: [], type: 'role', label: 'app' });
    expect(parseAddress('module.t["a"]role.x')).toBeUndefined();
    expect(resourcePart('module.t["a.b"].role.x[0]')).toBe('role.x[0]');
    expect(withoutInstanceKey('module.t["a"].role.x["k"]')).toBe('module.t["a"].role.x');
  });

  it('cover what they hold: a module all its instances, an instance everything in it', () => {
    expect(addressCovers('module.t', 'module.t["a"].role.x')).toBe(true);
    expect(addressCovers('module.t["a"]', 'module.t["a"].role.x["k"]')).toBe(true);
    expect(addressCovers('module.t["a"]', 'module.t["b"].role.x')).toBe(false);
    expect(addressCovers('module.t', 'module.tt.role.x')).toBe(false);
    expect(addressCovers('module.t["a"].role.x', 'module.t["a"].role.x["k"]')).toBe(true);
    expect(addressCovers('role.x', 'module.t.role.x')).toBe(false);
  });
});
