// Nothing is lost without an explicit yes; any name is legal; bad input stops before any
// connection is opened.
import { describe, expect, inject, it } from 'vitest';
import { configDir, expectOk, planSummary, unique, withClient, writeConfig, xp, xpIn } from './xp.js';

const url = () => inject('databaseUrl');

describe('safety', { timeout: 300_000 }, () => {
  it('refuses to drop a schema or database holding data without --allow-data-loss', async () => {
    const p = unique('dl');
    const full = `
database "${p}_db" {}
schema "${p}_s" {
  database = database.${p}_db
}
`;
    const dir = configDir(p, { 'main.xp': full });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    await withClient(url().replace(/\/[^/?]*(\?|$)/, `/${p}_db$1`), (c) => c.query(`create table ${p}_s.orders (id int); insert into ${p}_s.orders values (1)`));

    writeConfig(dir, { 'main.xp': `database "${p}_db" {}\n` });
    const plan = await run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toMatch(/--allow-data-loss/);
    expect(plan.stdout + plan.stderr).toContain(`${p}_s.orders`);
    const refused = await run(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_database where datname = $1`, [`${p}_db`]);
      expect(rows[0].n).toBe(1);
    });
    const destroyRefused = await run(['destroy', '--auto-approve']);
    expect(destroyRefused.code).toBe(1);
    expect(destroyRefused.stderr).toMatch(/--allow-data-loss/);

    expectOk(await run(['apply', '--auto-approve', '--allow-data-loss']));
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from pg_database where datname = $1`, [`${p}_db`]);
      expect(rows[0].n).toBe(0);
    });
  });

  it('honours prevent_destroy, deletion_policy = "orphan" and ignore_changes', async () => {
    const p = unique('lcy');
    const dir = configDir(p, {
      'main.xp': `
role "${p}_kept" {
  lifecycle {
    prevent_destroy = true
  }
}
role "${p}_orphan" {
  lifecycle {
    deletion_policy = "orphan"
  }
}
role "${p}_ignored" {
  connection_limit = 5
  lifecycle {
    ignore_changes = ["connection_limit"]
  }
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    await withClient(url(), (c) => c.query(`alter role ${p}_ignored connection limit 9`));
    expect((await planSummary(run)).changed).toEqual([]);

    const refused = await run(['destroy', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr + refused.stdout).toContain('prevent_destroy');

    expectOk(await run(['destroy', '--auto-approve', '--target', `role.${p}_orphan`, '--target', `role.${p}_ignored`]));
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select rolname from pg_roles where rolname like $1 order by 1`, [`${p}%`]);
      // the orphan is forgotten but left on the server; the ignored one is dropped
      expect(rows.map((r) => r.rolname)).toEqual([`${p}_kept`, `${p}_orphan`]);
      await c.query(`drop role ${p}_orphan`);
    });
    writeConfig(dir, { 'main.xp': `role "${p}_kept" {}\n` });
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('takes any name, quoted everywhere', async () => {
    const p = unique('hn');
    const hostile = [`${p} Robert'); drop table students;--`, `${p}"quoted"`, `${p}_ünïcødé ☃`, `${p}$$dollar$$`];
    const dir = configDir(p, {
      'main.xp': `
role "owner" {
  name = ${JSON.stringify(hostile[0])}
}
database "db" {
  name  = ${JSON.stringify(hostile[1])}
  owner = role.owner
}
schema "s" {
  name     = ${JSON.stringify(hostile[2])}
  database = database.db
  owner    = role.owner
}
service_account "app" {
  name     = ${JSON.stringify(hostile[3])}
  database = database.db
  schemas  = [schema.s]
  grant {
    schema     = schema.s
    privileges = ["SELECT"]
  }
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);
    await withClient(url(), async (c) => {
      const roles = await c.query(`select rolname from pg_roles where rolname = any($1) order by 1`, [[hostile[0], hostile[3]]]);
      expect(roles.rows).toHaveLength(2);
      const dbs = await c.query(`select datname from pg_database where datname = $1`, [hostile[1]]);
      expect(dbs.rows).toHaveLength(1);
    });
    expectOk(await run(['destroy', '--auto-approve']));
    await withClient(url(), async (c) => {
      const roles = await c.query(`select count(*)::int as n from pg_roles where rolname like $1`, [`${p}%`]);
      expect(roles.rows[0].n).toBe(0);
    });
  });

  it('reports a bad configuration with file:line:col and exits 1 before any connection', async () => {
    const p = unique('bad');
    const cases: Record<string, string> = {
      syntax: `role "${p}" {\n  inherit = \n}\n`,
      unknownAttribute: `role "${p}" {\n  ownr = "x"\n}\n`,
      unknownReference: `schema "${p}" {\n  database = database.nope\n}\n`,
      cycle: `role "a" {\n  member_of = [role.b]\n}\nrole "b" {\n  member_of = [role.a]\n}\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const dir = configDir(`${p}_${name}`, { 'main.xp': text });
      // a server that does not exist: reaching it would be a different error
      const r = await xp(['plan', '--database-url', 'postgres://nobody:x@127.0.0.1:1/none'], { cwd: dir });
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(/main\.xp:\d+:\d+/);
      expect(r.stderr, name).not.toMatch(/cannot connect|ECONNREFUSED|internal error/);
      const a = await xp(['apply', '--auto-approve', '--database-url', 'postgres://nobody:x@127.0.0.1:1/none'], { cwd: dir });
      expect(a.code, name).toBe(1);
      expect(a.stderr, name).not.toMatch(/cannot connect|internal error/);
    }
  });
});
