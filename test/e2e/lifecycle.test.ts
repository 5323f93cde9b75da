// The life of a stack, through bin/xp.js as a user runs it: apply, an empty re-plan, drift made
// by hand and healed, a saved plan applied and a stale one refused, destroy.
import { expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { NODE_WARNING, XP, cleanEnv, configDir, expectOk, planSummary, unique, urlFor, withClient, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

function stackConfig(p: string, extra = ''): Record<string, string> {
  return {
    'main.xp': `
role "${p}_owner" {}

role "${p}_readers" {
  connection_limit = 10
}

database "${p}_db" {
  owner            = role.${p}_owner
  connection_limit = 50
  comment          = "lifecycle test"
}

schema "${p}_api" {
  database = database.${p}_db
  owner    = role.${p}_owner
  comment  = "the api"
}
${extra}
`,
  };
}

onEachServer('apply → plan → drift → destroy', { timeout: 300_000 }, () => {
  it('applies, re-plans empty, shows and heals drift made by hand, then destroys', async () => {
    const p = unique('lc');
    const dir = configDir(p, stackConfig(p));
    const run = xpIn(dir, url());

    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('Plan: 4 to add, 0 to change, 0 to destroy.');

    const apply = expectOk(await run(['apply', '--auto-approve']));
    expect(apply.stdout).toMatch(/Creation complete/);
    expect(await planSummary(run)).toMatchObject({ add: 0, change: 0, destroy: 0, changed: [] });
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    // drift, by hand
    await withClient(url(), async (c) => {
      await c.query(`alter database ${p}_db connection limit 7`);
      await c.query(`alter role ${p}_readers connection limit 3`);
      await c.query(`comment on database ${p}_db is 'changed by hand'`);
    });
    const drift = await run(['plan', '--detailed-exitcode']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/connection_limit\s+=\s+7 -> 50|connection_limit\s+=\s+7 → 50/);
    expect(drift.stdout).toContain('0 to add, 2 to change, 0 to destroy');
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select datconnlimit from pg_database where datname = $1`, [`${p}_db`]);
      expect(rows[0].datconnlimit).toBe(50);
    });

    // a schema someone dropped is re-created
    await withClient(url(), async (c) => {
      await c.query(`drop database ${p}_db`);
    });
    expect((await planSummary(run)).add).toBe(2);
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);

    const destroy = expectOk(await run(['destroy', '--auto-approve']));
    expect(destroy.stdout).toMatch(/Destruction complete|destroyed/i);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_roles where rolname like $1`, [`${p}%`]);
      expect(rows[0].n).toBe(0);
      const dbs = await c.query(`select count(*)::int as n from pg_database where datname = $1`, [`${p}_db`]);
      expect(dbs.rows[0].n).toBe(0);
    });
    expect((await planSummary(run, ['--destroy'])).destroy).toBe(0);
  });

  it('applies a saved plan as is, and refuses it when the server changed since', async () => {
    const p = unique('sp');
    const dir = configDir(p, stackConfig(p));
    const run = xpIn(dir, url());
    const out = join(dir, 'plan.json');

    expectOk(await run(['plan', '--out', out]));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const applied = expectOk(await run(['apply', out]));
    expect(applied.stdout).toMatch(/Creation complete/);
    expect((await planSummary(run)).changed).toEqual([]);

    // a change, planned and saved; then the server changes before it is applied
    writeConfig(dir, { 'main.xp': stackConfig(p)['main.xp']!.replace('connection_limit = 10', 'connection_limit = 20') });
    expectOk(await run(['plan', '--out', out]));
    await withClient(url(), (c) => c.query(`alter role ${p}_readers connection limit 5`));
    const stale = await run(['apply', out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale/i);
    expect(stale.stderr).toContain(`role.${p}_readers`);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select rolconnlimit from pg_roles where rolname = $1`, [`${p}_readers`]);
      expect(rows[0].rolconnlimit).toBe(5);
    });
    // planned again, it applies
    expectOk(await run(['plan', '--out', out]));
    expectOk(await run(['apply', out]));
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('adopts objects with comments without clearing them; comment = "" removes one', async () => {
    const p = unique('cm');
    const db = `${p}_db`;
    await withClient(url(), async (c) => {
      await c.query(`create database ${db}`);
      await c.query(`comment on database ${db} is 'db by hand'`);
      await c.query(`create role ${p}_r nologin`);
      await c.query(`comment on role ${p}_r is 'role by hand'`);
    });
    await withClient(urlFor(url(), { database: db }), (c) => c.query(`create schema s; comment on schema s is 'schema by hand'`));
    const config = (comment: string) => `database "${db}" {}\n\nrole "${p}_r" {}\n\nschema "s" {\n  database = database.${db}\n${comment}}\n`;
    const dir = configDir(p, { 'main.xp': config('') });
    const run = xpIn(dir, url());
    const comments = async () => ({
      db: await withClient(url(), async (c) => (await c.query(`select shobj_description(oid, 'pg_database') as d from pg_database where datname = $1`, [db])).rows[0]?.d),
      role: await withClient(url(), async (c) => (await c.query(`select shobj_description(oid, 'pg_authid') as d from pg_roles where rolname = $1`, [`${p}_r`])).rows[0]?.d),
      schema: await withClient(urlFor(url(), { database: db }), async (c) => (await c.query(`select obj_description('s'::regnamespace, 'pg_namespace') as d`)).rows[0]?.d),
    });
    // not declared: not managed, on adoption and after
    expect((await planSummary(run)).changed.join('\n')).not.toContain('comment');
    expectOk(await run(['apply', '--auto-approve']), 'adoption');
    expect(await comments()).toEqual({ db: 'db by hand', role: 'role by hand', schema: 'schema by hand' });
    expect((await planSummary(run)).changed).toEqual([]);
    // "" removes it, and then stays in sync
    writeConfig(dir, { 'main.xp': config('  comment  = ""\n') });
    expect((await planSummary(run)).changed).toEqual([`update schema.s [{"after":null,"before":"schema by hand","path":"comment"}]`]);
    expectOk(await run(['apply', '--auto-approve']), 'apply of comment = ""');
    expect(await comments()).toEqual({ db: 'db by hand', role: 'role by hand', schema: null });
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']), 'destroy');
  });

  it('renames a resource whose label is its PostgreSQL name in place (test/e2e/renames.test.ts has the rest)', async () => {
    const p = unique('rn');
    const dir = configDir(p, { 'main.xp': `role "${p}" {}\n` });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']), 'first apply');
    const oid = () => withClient(url(), async (c) => (await c.query(`select oid::text from pg_roles where rolname like $1`, [`${p}%`])).rows.map((r) => r.oid));
    const before = await oid();
    writeConfig(dir, { 'main.xp': `role "${p}" {\n  name = "${p}_2"\n}\n` });
    const plan = expectOk(await run(['plan']), 'plan of the rename').stdout;
    expect(plan).toContain(`# role.${p} will be updated in-place`);
    expect(plan).toContain(`~ name = "${p}" → "${p}_2" (renamed in place)`);
    expect(plan).not.toContain('will be destroyed');
    expectOk(await run(['apply', '--auto-approve']), 'apply of the rename');
    const roles = () =>
      withClient(url(), async (c) => (await c.query(`select rolname from pg_roles where rolname like $1 order by 1`, [`${p}%`])).rows.map((r) => r.rolname));
    expect(await roles()).toEqual([`${p}_2`]);
    expect(await oid()).toEqual(before);
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']), 'destroy');
    expect(await roles()).toEqual([]);
  });

  it('converges in one apply when a role grants on a schema it owns, names written as strings', async () => {
    // No declared dependency orders them: the role's grants find no schema at first
    // (dependency_not_ready), and the walk runs it again once the schema exists.
    const p = unique('cv');
    const dir = configDir(p, {
      'main.xp': `
role "${p}_owner" {
  grant {
    database   = "postgres"
    schema     = "${p}_s"
    on         = "schema"
    privileges = ["USAGE"]
  }
}
role "${p}_reader" {
  grant {
    database   = "postgres"
    schema     = "${p}_s"
    on         = "schema"
    privileges = ["USAGE"]
  }
}
schema "${p}_s" {
  database = "postgres"
  owner    = "${p}_owner"
}
`,
    });
    const run = xpIn(dir, url());
    const applied = expectOk(await run(['apply', '--auto-approve']), 'apply');
    expect(applied.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect((await planSummary(run)).changed).toEqual([]);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(
        `select nspowner::regrole::text as owner, has_schema_privilege($2, nspname, 'USAGE') as reader from pg_namespace where nspname = $1`,
        [`${p}_s`, `${p}_reader`],
      );
      expect(rows).toEqual([{ owner: `${p}_owner`, reader: true }]);
    });
    expectOk(await run(['destroy', '--auto-approve']), 'destroy');
  });

  it('does not call a resource whose create failed "deleted outside xp"', async () => {
    const p = unique('nc');
    // available, so planned; its create fails: it requires cube, which is not installed
    const dir = configDir(p, { 'main.xp': `database "${p}_db" {}\n\nextension "earthdistance" {\n  database = database.${p}_db\n}\n` });
    const run = xpIn(dir, url());
    const failed = await run(['apply', '--auto-approve']);
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toContain('required extension "cube" is not installed');
    const plan = JSON.parse(expectOk(await run(['plan', '--json'])).stdout) as { resources: Array<{ address: string; action: string; reason?: string }> };
    expect(plan.resources.filter((r) => r.action !== 'no-op')).toMatchObject([
      { address: 'extension.earthdistance', action: 'create', reason: 'not created yet: an earlier create failed' },
    ]);
    writeConfig(dir, { 'main.xp': '' });
    expectOk(await run(['apply', '--auto-approve']), 'removing it');
  });

  it('never prompts without a terminal: it names --auto-approve', async () => {
    const p = unique('tty');
    const dir = configDir(p, stackConfig(p));
    const r = await xpIn(dir, url())(['apply']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--auto-approve');
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_roles where rolname like $1`, [`${p}%`]);
      expect(rows[0].n).toBe(0);
    });
    expect(existsSync(join(dir, '.xp'))).toBe(false);
  });
});

onEachServer('the confirmation on a terminal', { timeout: 300_000 }, () => {
  /** xp under a pseudo-terminal (util-linux `script`), answering `answer` to the question. */
  function onTerminal(dir: string, args: string[], answer: string): Promise<{ code: number | null; out: string }> {
    const cmd = ['node', XP, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: cleanEnv({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let answered = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!answered && out.includes('Enter a value:')) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    return new Promise((res, rej) =>
      child.on('close', (code) => (NODE_WARNING.test(out) ? rej(new Error(`xp printed a Node warning:\n${out}`)) : res({ code, out }))),
    );
  }

  it('applies only after "yes"', async () => {
    const p = unique('yes');
    const dir = configDir(p, { 'main.xp': `role "${p}_r" {}\n` });
    const no = await onTerminal(dir, ['apply', '--database-url', url()], 'no');
    expect(no.out).toContain(`Do you want to perform these actions on stack "${p}"?`);
    expect(no.out).toContain('Apply cancelled: nothing was changed.');
    expect(no.code).toBe(1);
    const count = () => withClient(url(), async (c) => (await c.query(`select count(*)::int as n from pg_roles where rolname = $1`, [`${p}_r`])).rows[0].n);
    expect(await count()).toBe(0);
    const yes = await onTerminal(dir, ['apply', '--database-url', url()], 'yes');
    expect(yes.code, yes.out).toBe(0);
    expect(await count()).toBe(1);
    expectOk(await xpIn(dir, url())(['destroy', '--auto-approve']));
  });
});

onEachServer('variables', { timeout: 300_000 }, () => {
  it('takes --var and --var-file', async () => {
    const p = unique('vr');
    const dir = configDir(p, {
      'main.xp': `variable "names" {\n  type = list(string)\n  default = []\n}\nvariable "limit" {\n  type = number\n  default = 1\n}\nrole "r" {\n  for_each = toset(var.names)\n  name = "${p}_\${each.value}"\n  connection_limit = var.limit\n}\n`,
      'dev.xpvars': `limit = 7\n`,
    });
    const run = xpIn(dir, url());
    const plan = expectOk(await run(['plan', '--var', 'names=["a","b"]', '--var-file', 'dev.xpvars']));
    expect(plan.stdout).toContain('Plan: 2 to add');
    expect(plan.stdout).toMatch(/connection_limit\s+= 7/);
  });
});
