// Custom conditions (src/config/conditions.ts): a variable's validation blocks, a resource
// lifecycle's precondition and postcondition blocks. They fail with the author's message at the
// condition (file:line:col), from `xp validate` and `xp plan` alike, before anything changes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { evaluate } from '../../src/config/evaluate.js';
import { loadConfiguration } from '../../src/config/load.js';
import { parse } from '../../src/dsl/index.js';
import { configOf, diagnosticsOf, loadFiles, resource, tempDir } from './fixture.js';

const tenants = (validations: string, def = '["acme", "globex"]') =>
  `variable "tenants" {\n  type    = list(string)\n  default = ${def}\n${validations}}\n`;
const nonEmpty = '  validation {\n    condition     = length(var.tenants) > 0\n    error_message = "At least one tenant is required."\n  }\n';
const lowerCase =
  '  validation {\n    condition     = alltrue([for t in var.tenants : can(regex("^[a-z]+$", t))])\n    error_message = "Tenant names are lower-case letters, got ${join(", ", var.tenants)}."\n  }\n';

describe('variable validation', () => {
  it('accepts a value every validation holds for', () => {
    const config = configOf(`${tenants(nonEmpty + lowerCase)}role "r" {\n  for_each = toset(var.tenants)\n  name = each.key\n}\n`);
    expect(config.resources.map((r) => r.address)).toEqual(['role.r["acme"]', 'role.r["globex"]']);
  });

  it('reports each failing validation with the author\'s message at its condition', () => {
    expect(diagnosticsOf(tenants(nonEmpty + lowerCase, '[]'))).toEqual([
      { message: 'invalid value for variable "tenants" (default): At least one tenant is required.', at: '5:5', hint: 'the value is at main.xp:3:13' },
    ]);
    expect(diagnosticsOf(tenants(nonEmpty + lowerCase, '["acme", "Globex"]'))).toEqual([
      {
        message: 'invalid value for variable "tenants" (default): Tenant names are lower-case letters, got acme, Globex.',
        at: '9:5',
        hint: 'the value is at main.xp:3:13',
      },
    ]);
  });

  it('checks the value converted to the variable\'s type, and says where it came from', async () => {
    const files = { 'main.xp': 'variable "n" {\n  type = number\n  validation {\n    condition     = var.n >= 1 && var.n <= 10\n    error_message = "n is from 1 to 10, got ${var.n}."\n  }\n}\n' };
    expect((await loadFiles(files, { vars: ['n=7'] })).diagnostics).toEqual([]);
    const fromVar = (await loadFiles(files, { vars: ['n=70'] })).diagnostics;
    expect(fromVar.map((d) => [d.message, d.range?.start.line, d.range?.start.column, d.hint])).toEqual([
      ['invalid value for variable "n" (--var n): n is from 1 to 10, got 70.', 4, 5, undefined],
    ]);
    const dir = tempDir({ ...files, 'v.xpvars': '\nn = 0\n' });
    const { diagnostics } = await loadFiles(files, { varFiles: [`${dir}/v.xpvars`] });
    expect(diagnostics.map((d) => [d.message, d.hint])).toEqual([[`invalid value for variable "n" (${dir}/v.xpvars): n is from 1 to 10, got 0.`, `the value is at ${dir}/v.xpvars:2:5`]]);
  });

  it('a failed variable is reported once: what uses it does not fail again', () => {
    const d = diagnosticsOf(`${tenants(nonEmpty, '[]')}locals {\n  first = var.tenants[0]\n}\nrole "r" {\n  name = local.first\n}\n`);
    expect(d.map((x) => x.message)).toEqual(['invalid value for variable "tenants" (default): At least one tenant is required.']);
  });

  it('may refer to the variable itself only, and must', () => {
    const d = diagnosticsOf(
      'variable "a" { default = 1 }\nlocals {\n  l = 2\n}\nvariable "n" {\n  default = 1\n  validation {\n    condition     = var.n > var.a && var.n < local.l\n    error_message = "${role.r.name}"\n  }\n  validation {\n    condition     = length([for x in [1] : x]) > 0\n    error_message = "x"\n  }\n}\nrole "r" {}\n',
    );
    const hint = 'a validation checks the value given for its variable; check other values where they are used';
    expect(d).toEqual([
      { message: 'the validation of variable "n" can only refer to var.n, not var.a', at: '8:29', hint },
      { message: 'the validation of variable "n" can only refer to var.n, not local.l', at: '8:46', hint },
      { message: 'the validation of variable "n" can only refer to var.n, not role.r', at: '9:24', hint },
      { message: 'the condition of a validation must refer to var.n', at: '12:21', hint: 'it checks the value given for the variable' },
    ]);
  });

  it('a condition that is not a bool, or fails, is a located error', () => {
    const v = (condition: string) => `variable "s" {\n  default = "x"\n  validation {\n    condition     = ${condition}\n    error_message = "bad"\n  }\n}\n`;
    expect(diagnosticsOf(v('var.s'))).toEqual([{ message: 'the condition of this validation must be a bool, got string', at: '4:21', hint: undefined }]);
    expect(diagnosticsOf(v('var.s == "x" ? null : true'))).toEqual([{ message: 'the condition of this validation must be true or false, got null', at: '4:21', hint: undefined }]);
    expect(diagnosticsOf(v('var.s[3] == "x"'))[0]).toMatchObject({ at: '4:27' });
    // "true" converts to a bool, as in HCL
    expect(configOf(v('"${var.s == "x"}"')).resources).toEqual([]);
  });

  it('checks the block itself: both attributes, no other, no label, a message that is not empty', () => {
    const d = diagnosticsOf(
      'variable "n" {\n  default = 1\n  validation "x" {\n    condition = var.n > 0\n    eror_message = "bad"\n  }\n  validation {\n    condition     = var.n > 0\n    error_message = ""\n  }\n  valdation {}\n}\n',
    );
    expect(d).toEqual([
      { message: 'a validation block takes no label', at: '3:3', hint: undefined },
      { message: 'unknown attribute "eror_message" in validation', at: '5:5', hint: 'did you mean "error_message"?' },
      { message: 'missing required attribute "error_message" in validation', at: '3:3', hint: 'validation { condition = …, error_message = "…" }' },
      { message: 'error_message must not be empty', at: '9:21', hint: 'say what is wrong and what to do' },
      { message: 'unexpected block "valdation" in variable', at: '11:3', hint: 'did you mean "validation"?' },
    ]);
  });

  it('never shows a message that holds a sensitive value', () => {
    const d = diagnosticsOf('variable "pw" {\n  default   = "short"\n  sensitive = true\n  validation {\n    condition     = length(var.pw) >= 12\n    error_message = "too short: ${var.pw}"\n  }\n}\n');
    expect(d).toEqual([
      { message: 'invalid value for variable "pw" (default): (the error message refers to sensitive values and is not shown)', at: '5:5', hint: 'the value is at main.xp:2:15' },
    ]);
    expect(JSON.stringify(d)).not.toContain('short');
  });
});

const role = (lifecycle: string, extra = '') => `variable "tenants" {\n  default = ["acme", "globex"]\n}\nrole "app" {\n  for_each = toset(var.tenants)\n  name     = "${'${each.key}'}_app"\n${extra}  lifecycle {\n${lifecycle}  }\n}\n`;

describe('precondition and postcondition', () => {
  it('pass silently, beside the other lifecycle settings', () => {
    const config = configOf(
      role(
        '    prevent_destroy = true\n    precondition {\n      condition     = length(each.key) > 2\n      error_message = "short"\n    }\n    postcondition {\n      condition     = self.connection_limit == -1 && self.name == "${each.key}_app"\n      error_message = "no"\n    }\n',
      ),
    );
    expect(resource(config, 'role.app["acme"]').lifecycle).toMatchObject({ prevent_destroy: true });
    expect(config.resources).toHaveLength(2);
  });

  it('a failing precondition gives the author\'s message, per instance, at its condition', () => {
    const d = diagnosticsOf(role('    precondition {\n      condition     = each.key != "acme"\n      error_message = "${each.key} is a reserved tenant name."\n    }\n'));
    expect(d).toEqual([{ message: 'precondition failed for role.app["acme"]: acme is a reserved tenant name.', at: '9:7', hint: undefined }]);
  });

  it('is checked before the attributes: what it guards against is not reported', () => {
    const d = diagnosticsOf(
      'variable "owners" {\n  default = []\n}\nschema "s" {\n  database = "postgres"\n  owner    = var.owners[0]\n  lifecycle {\n    precondition {\n      condition     = length(var.owners) > 0\n      error_message = "Name an owner."\n    }\n  }\n}\n',
    );
    expect(d).toEqual([{ message: 'precondition failed for schema.s: Name an owner.', at: '9:7', hint: undefined }]);
  });

  it('a postcondition reads the instance as self: its attributes, defaults filled', () => {
    const d = diagnosticsOf(
      role('    postcondition {\n      condition     = self.connection_limit >= 5\n      error_message = "${self.name} needs 5 connections, has ${self.connection_limit}."\n    }\n', '  connection_limit = each.key == "acme" ? 10 : 2\n'),
    );
    expect(d).toEqual([{ message: 'postcondition failed for role.app["globex"]: globex_app needs 5 connections, has 2.', at: '10:7', hint: undefined }]);
  });

  it('self is only for postconditions; an unknown attribute of self is located', () => {
    const d = diagnosticsOf(
      role('    precondition {\n      condition     = self.name != ""\n      error_message = "x"\n    }\n    postcondition {\n      condition     = self.nme != ""\n      error_message = "x"\n    }\n'),
    );
    expect(d).toEqual([
      {
        message: 'self is only available in a postcondition',
        at: '9:23',
        hint: "only a resource's postcondition reads the resource as self: a precondition is checked before what it guards",
      },
      // once, though both instances evaluate it
      { message: 'role has no attribute "nme"', at: '13:23', hint: 'did you mean "name"?' },
    ]);
  });

  it('a condition known only after apply is an error: it cannot be checked before changes', () => {
    const d = diagnosticsOf(
      'service_account "app" {\n  database = "postgres"\n  lifecycle {\n    postcondition {\n      condition     = length(self.password) >= 32\n      error_message = "short"\n    }\n  }\n}\n',
    );
    expect(d).toEqual([
      {
        message: 'the condition of this postcondition depends on values known only after apply',
        at: '5:23',
        hint: 'xp checks conditions before anything changes: they can use only what is known at plan time',
      },
    ]);
  });

  it('a condition that is not a bool, or an error_message that is not a string, is located', () => {
    const check = (condition: string, message: string) =>
      diagnosticsOf(`role "app" {\n  count = 1\n  lifecycle {\n    precondition {\n      condition     = ${condition}\n      error_message = ${message}\n    }\n  }\n}\n`);
    expect(check('count.index', '"x"')).toEqual([{ message: 'the condition of this precondition must be a bool, got number', at: '5:23', hint: undefined }]);
    expect(check('[true][1]', '"x"')).toEqual([{ message: 'index 1 is out of range (the list has 1 element)', at: '5:30', hint: undefined }]);
    expect(check('false', '["x"]')).toEqual([{ message: 'error_message: expected string, got list', at: '6:23', hint: undefined }]);
  });

  it('may refer to other resources, without making a dependency', () => {
    const text =
      'role "owner" {\n  connection_limit = 3\n}\nrole "app" {\n  lifecycle {\n    precondition {\n      condition     = role.owner.connection_limit > 1\n      error_message = "x"\n    }\n  }\n}\n';
    expect(resource(configOf(text), 'role.app').dependsOn).toEqual([]);
    expect(diagnosticsOf(text.replace('> 1', '> 5'))).toEqual([{ message: 'precondition failed for role.app: x', at: '7:7', hint: undefined }]);
  });

  it('checks the blocks: attributes, labels, nested blocks, and a misspelt block in lifecycle', () => {
    const d = diagnosticsOf(
      'role "app" {\n  lifecycle {\n    postcondition {\n      condition = true\n      extra     = 1\n    }\n    precondtion {}\n  }\n}\n',
    );
    expect(d).toEqual([
      { message: 'unknown attribute "extra" in postcondition', at: '5:7', hint: 'postcondition has: condition, error_message' },
      { message: 'missing required attribute "error_message" in postcondition', at: '3:5', hint: 'postcondition { condition = …, error_message = "…" }' },
      { message: 'unexpected block "precondtion" in lifecycle', at: '7:5', hint: 'did you mean "precondition"?' },
    ]);
  });

  it('an AST evaluated twice is checked twice (nothing is remembered between evaluations)', () => {
    const { ast } = parse('main.xp', 'role "app" {\n  lifecycle {\n    precondition {\n      condition = false\n    }\n  }\n}\n');
    for (let i = 0; i < 2; i++) {
      const r = evaluate([ast], { dir: tmpdir(), defaultStack: 't', variables: [], env: {} });
      expect(r.config).toBeUndefined();
      expect(r.diagnostics.map((d) => d.message)).toEqual(['missing required attribute "error_message" in precondition']);
    }
  });
});

describe('output preconditions', () => {
  const output = (condition: string) =>
    `variable "tenants" {\n  default = []\n}\nrole "r" {}\noutput "first" {\n  value = "${'${var.tenants[0]}'}_${'${role.r.name}'}"\n  precondition {\n    condition     = ${condition}\n    error_message = "No tenant to show."\n  }\n}\n`;

  it('are checked before the value, which they guard, with the author\'s message', () => {
    expect(diagnosticsOf(output('length(var.tenants) > 0 && role.r.name != ""'))).toEqual([
      { message: 'precondition failed for output "first": No tenant to show.', at: '8:5', hint: undefined },
    ]);
    expect(configOf(output('true').replace('default = []', 'default = ["acme"]')).outputs).toMatchObject([{ name: 'first', value: 'acme_r' }]);
  });

  it('cannot use self', () => {
    expect(diagnosticsOf(output('self.name != ""').replace('default = []', 'default = ["acme"]')).map((d) => [d.message, d.at])).toEqual([['self is only available in a postcondition', '8:21']]);
  });
});

describe('the microservices-rbac example', () => {
  it('validates, and its validation and postcondition refuse what they are written against', async () => {
    const dir = 'examples/microservices-rbac';
    expect((await loadConfiguration(dir)).diagnostics).toEqual([]);
    const upper = (await loadConfiguration(dir, { vars: ['services={ Orders = { schema = "orders", writes = true } }'] })).diagnostics;
    expect(upper.map((d) => d.message)).toEqual([
      'invalid value for variable "services" (--var services): Service names are lower-case identifiers (they name login roles), got: Orders.',
    ]);
    const files = tempDir({ 'main.xp': readFileSync(`${dir}/main.xp`, 'utf8').replace('connection_limit = 10\n', 'connection_limit = 101\n') });
    const { diagnostics } = await loadConfiguration(files);
    expect(diagnostics.map((d) => d.message)).toEqual(
      ['orders', 'payments', 'reporting'].map((s) => `postcondition failed for service_account.svc["${s}"]: ${s}_svc may open more connections than the platform database allows.`),
    );
  });
});

describe('the commands', () => {
  const xp = (args: string[], cwd: string) =>
    spawnSync(process.execPath, [`${process.cwd()}/bin/xp.js`, ...args], {
      encoding: 'utf8',
      cwd,
      // plan must stop at the configuration, before it connects anywhere
      env: { ...process.env, NO_COLOR: '1', XP_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });

  it('xp validate and xp plan fail with exit code 1 and the message, before connecting', () => {
    const dir = tempDir({ 'main.xp': tenants(nonEmpty, '[]') });
    const expected = [
      'main.xp:5:5: error: invalid value for variable "tenants" (default): At least one tenant is required.',
      '5 |     condition     = length(var.tenants) > 0',
      '  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      'hint: the value is at main.xp:3:13',
    ].join('\n');
    for (const command of ['validate', 'plan']) {
      const r = xp([command], dir);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(expected);
      expect(r.stderr).not.toMatch(/connect|ECONNREFUSED/i);
    }
  });
});
