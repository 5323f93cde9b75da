// Loading a directory: every *.xp file, variables from every source, and their types.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load.js';
import { Sensitive } from '../../src/model/types.js';
import { loadFiles, tempDir } from './fixture.js';

const variables = `
variable "tenants" {
  type    = list(string)
  default = ["acme"]
}
variable "limit" {
  type    = number
  default = 5
}
variable "enabled" {
  type    = bool
  default = true
}
variable "labels" {
  type    = map(string)
  default = {}
}
variable "tags" {
  type    = set(string)
  default = []
}
variable "db" {
  type    = object({ name = string, size = number })
  default = { name = "app", size = 1 }
}
variable "anything" { default = null }
variable "word" { type = string }
output "all" {
  value = {
    tenants  = var.tenants
    limit    = var.limit
    enabled  = var.enabled
    labels   = var.labels
    tags     = var.tags
    db       = var.db
    anything = var.anything
    word     = var.word
  }
}
`;

const outputOf = (r: Awaited<ReturnType<typeof loadConfiguration>>) => {
  if (!r.config) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config.outputs[0]!.value;
};

describe('loading a directory', () => {
  it('reads every *.xp file together, in any order, and names the stack after the directory', async () => {
    const { dir, ...r } = await loadFiles({
      'b.xp': 'schema "s" {\n  database = database.d\n}',
      'a.xp': 'database "d" {}',
      'notes.txt': 'not configuration',
      '.xp/PG_VERSION': '18', // the embedded server's directory is not a configuration file
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.resources.map((x) => x.address)).toEqual(['database.d', 'schema.s']);
    expect(r.config!.stack).toBe(dir.split('/').pop());
    expect(r.graph!.order).toEqual(['database.d', 'schema.s']);
    expect([...r.sources.keys()]).toEqual([join(dir, 'a.xp'), join(dir, 'b.xp')]);
  });

  it('reports a missing directory and a directory without configuration', async () => {
    expect((await loadConfiguration('/nonexistent/xp')).diagnostics.map((d) => d.message)).toEqual([
      'cannot read the configuration directory "/nonexistent/xp": ENOENT',
    ]);
    expect((await loadConfiguration(tempDir({ 'x.txt': '' }))).diagnostics[0]!.message).toMatch(/^no configuration files \(\*\.xp\) in /);
  });

  it('reports syntax errors with file positions and stops before evaluation', async () => {
    const r = await loadFiles({ 'main.xp': 'role "a" {\n  comment = \n}\nrole "b" { nope = 1 }' });
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.range?.file.endsWith('main.xp'))).toBe(true);
    expect(r.diagnostics.some((d) => d.message.includes('nope'))).toBe(false);
  });

  it('reports expressions nested too deeply instead of crashing', async () => {
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const r = await loadFiles({ 'main.xp': `locals {\n  x = ${deep(20000)}\n}\n` });
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('names files with displayDir', async () => {
    const dir = tempDir({ 'main.xp': 'role "r" { bad = 1 }' });
    const r = await loadConfiguration(dir, { displayDir: 'conf' });
    expect(r.diagnostics[0]!.range!.file).toBe('conf/main.xp');
    expect(r.sources.has('conf/main.xp')).toBe(true);
  });
});

describe('variables', () => {
  it('uses defaults and converts them to their type', async () => {
    const r = await loadFiles({ 'main.xp': variables }, { vars: ['word=hi'] });
    expect(outputOf(r)).toEqual({
      tenants: ['acme'],
      limit: 5,
      enabled: true,
      labels: {},
      tags: [],
      db: { name: 'app', size: 1 },
      anything: null,
      word: 'hi',
    });
  });

  it('takes --var values, parsed as expressions unless the type is string or not declared', async () => {
    const r = await loadFiles(
      { 'main.xp': variables },
      {
        vars: [
          'tenants=["a", "b"]',
          'limit=12',
          'enabled=false',
          'labels={ team = "core" }',
          'tags=["x", "x", "y"]',
          'db={ name = "n", size = "3" }',
          'word=[not an expression]',
          'anything=upper("fn")',
        ],
      },
    );
    expect(outputOf(r)).toEqual({
      tenants: ['a', 'b'],
      limit: 12,
      enabled: false,
      labels: { team: 'core' },
      tags: ['x', 'y'],
      db: { name: 'n', size: 3 },
      anything: 'upper("fn")',
      word: '[not an expression]',
    });
  });

  it('reads XP_VAR_name, var files (HCL-like and JSON) and --var, later sources winning', async () => {
    const dir = tempDir({
      'vars.xpvars': 'tenants = ["from-file"]\nlimit = 7 # a comment\n',
      'vars.json': JSON.stringify({ limit: 9, labels: { a: 'b' } }),
    });
    const r = await loadFiles(
      { 'main.xp': variables },
      {
        env: { XP_VAR_word: 'env-word', XP_VAR_limit: '1', XP_VAR_enabled: 'false', XP_VAR_undeclared: 'ignored' },
        varFiles: [join(dir, 'vars.xpvars'), join(dir, 'vars.json')],
        vars: ['word=cli-word'],
      },
    );
    expect(outputOf(r)).toMatchObject({ tenants: ['from-file'], limit: 9, enabled: false, labels: { a: 'b' }, word: 'cli-word' });
    expect(r.diagnostics).toEqual([]);
  });

  it('reports type errors naming the source of the value', async () => {
    const r = await loadFiles({ 'main.xp': variables }, { vars: ['word=w', 'limit=[1]', 'tenants=["a", ["b"]]'] });
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'invalid value for variable "tenants" (--var tenants): expected string, got list at [1]',
      'invalid value for variable "limit" (--var limit): expected number, got list',
    ]);
    const d = await loadFiles({ 'main.xp': 'variable "n" {\n  type = number\n  default = "x"\n}' });
    expect(d.diagnostics).toMatchObject([
      { message: 'invalid value for variable "n" (default): expected number, got string', range: { start: { line: 3, column: 13 } } },
    ]);
  });

  it('requires a value for a variable without default, and refuses undeclared --var', async () => {
    const r = await loadFiles({ 'main.xp': 'variable "word" {}' }, { vars: ['wrod=x'] });
    expect(r.diagnostics.map((d) => [d.severity, d.message, d.hint])).toEqual([
      ['error', 'a value was given for undeclared variable "wrod" (--var wrod)', 'did you mean "word"?'],
      ['error', 'no value for required variable "word"', 'set it with --var word=…, a --var-file, XP_VAR_word, or give it a default'],
    ]);
    expect((await loadFiles({ 'main.xp': '' }, { vars: ['novalue'] })).diagnostics[0]!.message).toBe('invalid --var "novalue": expected name=value');
  });

  it('warns about undeclared variables in a var file and reports bad var files', async () => {
    const dir = tempDir({ 'a.xpvars': 'other = 1\n', 'b.json': '[1]', 'c.json': '{', 'd.xpvars': 'x {}\n' });
    const warn = await loadFiles({ 'main.xp': '' }, { varFiles: [join(dir, 'a.xpvars')] });
    expect(warn.config).toBeDefined();
    expect(warn.diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ['warning', `a value was given for undeclared variable "other" (${join(dir, 'a.xpvars')})`],
    ]);
    for (const [file, message] of [
      ['b.json', /must hold a JSON object of variable values/],
      ['c.json', /is not valid JSON/],
      ['d.xpvars', /unexpected block "x" in a var file/],
      ['missing.json', /cannot read var file .*ENOENT/],
    ] as const) {
      const r = await loadFiles({ 'main.xp': '' }, { varFiles: [join(dir, file)] });
      expect(r.config).toBeUndefined();
      expect(r.diagnostics[0]!.message).toMatch(message);
    }
  });

  it('takes values from --var, XP_VAR_* and var files as literals: no function, reference or operator is evaluated', async () => {
    const env = { XP_DATABASE_URL: 'postgres://admin:s3cret-admin@db/postgres' };
    const decl = `${variables}\nvariable "url" { type = list(string) }\n`;
    // the leak this guards against: env() read the admin URL into the plan
    for (const [raw, what] of [
      ['[env("XP_DATABASE_URL")]', 'a function call (env())'],
      ['[var.word]', 'a reference'],
      ['["${env("XP_DATABASE_URL")}"]', 'a template interpolation (${…})'],
      ['["a" == "a" ? "x" : "y"]', 'a conditional expression'],
      ['[for s in ["a"] : s]', 'a for expression'],
    ] as const) {
      for (const options of [{ vars: [`url=${raw}`], env }, { env: { ...env, XP_VAR_url: raw } }]) {
        const r = await loadFiles({ 'main.xp': decl }, { ...options, vars: [...(options.vars ?? []), 'word=w'] });
        const source = 'vars' in options && options.vars ? '--var url' : 'XP_VAR_url';
        expect(r.config).toBeUndefined();
        expect(r.diagnostics.map((d) => d.message)).toEqual([`variable "url" (${source}): ${what} is not allowed in a variable value`]);
        expect(r.diagnostics[0]!.hint).toMatch(/literals .* no function calls, references or operators/);
        expect(JSON.stringify(r.diagnostics)).not.toContain('s3cret-admin');
      }
    }
    const dir = tempDir({ 'bad.xpvars': 'word = "w"\nurl = [\n  "ok",\n  env("XP_DATABASE_URL"),\n]\n' });
    const r = await loadFiles({ 'main.xp': decl }, { varFiles: [join(dir, 'bad.xpvars')], env });
    expect(r.config).toBeUndefined();
    expect(r.diagnostics).toMatchObject([
      { severity: 'error', message: 'variable "url": a function call (env()) is not allowed in a variable value', range: { file: join(dir, 'bad.xpvars'), start: { line: 4, column: 3 } } },
    ]);
    // literals of every type still work, negative numbers and nested objects included
    const ok = await loadFiles(
      { 'main.xp': decl },
      { vars: ['url=["a", "b"]', 'limit=-3', 'db={ "name" = "n", size = (2) }', 'labels={ k = "v" }'], env: { XP_VAR_word: 'w', XP_VAR_enabled: 'true' } },
    );
    expect(ok.diagnostics).toEqual([]);
    expect(outputOf(ok)).toMatchObject({ limit: -3, enabled: true, db: { name: 'n', size: 2 }, labels: { k: 'v' } });
  });

  it('keeps sensitive variables sensitive', async () => {
    const r = await loadFiles(
      { 'main.xp': 'variable "pw" {\n  sensitive = true\n}\nservice_account "a" {\n  database = "d"\n  password = var.pw\n}' },
      { env: { XP_VAR_pw: 'hunter2' } },
    );
    expect(r.config!.resources[0]!.spec['password']).toEqual(new Sensitive('hunter2'));
  });

  it('refuses references to resources in variable defaults', async () => {
    const r = await loadFiles({ 'main.xp': 'role "r" {}\nvariable "v" { default = role.r }' });
    expect(r.diagnostics.map((d) => d.message)).toEqual(['a variable default cannot refer to a resource']);
  });
});

describe('source files: bytes and sizes', () => {
  const invalid = Buffer.concat([Buffer.from('role "r" {\n  comment = "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]);

  it('an .xp file that is not UTF-8: an error at the first invalid byte, nothing evaluated', async () => {
    const dir = tempDir({ 'main.xp': 'role "ok" {}\n' });
    writeFileSync(join(dir, 'bad.xp'), invalid);
    const r = await loadConfiguration(dir, { displayDir: '.' });
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.map((d) => ({ message: d.message, at: `${d.range?.file}:${d.range?.start.line}:${d.range?.start.column}` }))).toEqual([
      { message: 'invalid UTF-8: 0xE9 is not a valid character', at: 'bad.xp:2:17' },
    ]);
  });

  it('a var file that is not UTF-8, and file() of one', async () => {
    const dir = tempDir({ 'main.xp': 'variable "v" {}\nrole "r" {\n  comment = file("latin1.txt")\n}\n' });
    writeFileSync(join(dir, 'v.xpvars'), Buffer.concat([Buffer.from('v = "'), Buffer.from([0xff]), Buffer.from('"\n')]));
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x61, 0x0a, 0x62, 0xe9]));
    const withBadVars = await loadConfiguration(dir, { varFiles: [join(dir, 'v.xpvars')] });
    expect(withBadVars.diagnostics.map((d) => [d.message, d.range?.start.line, d.range?.start.column])).toEqual([
      ['invalid UTF-8: 0xFF is not a valid character', 1, 6],
    ]);
    const r = await loadConfiguration(dir, { vars: ['v=x'] });
    expect(r.diagnostics.map((d) => [d.message, d.range?.start.line, d.range?.start.column])).toEqual([
      ['file: "latin1.txt" is not UTF-8: 0xE9 is not a valid character at 2:2', 3, 18],
    ]);
  });

  it('a 10 MB string literal is read as it is (the lexer once overflowed its stack: "nested too deeply")', async () => {
    const long = 'x'.repeat(10_000_000);
    const r = await loadFiles({ 'main.xp': `role "r" {\n  comment = "${long}"\n}\n` });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.resources[0]!.spec['comment']).toBe(long);
  });

  it('a long block comment full of * is a comment (its regular expression overflowed the stack too)', async () => {
    const r = await loadFiles({ 'main.xp': `/*${' *'.repeat(5_000_000)} */\nrole "r" {}\n` });
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.resources.map((x) => x.address)).toEqual(['role.r']);
  });
});
