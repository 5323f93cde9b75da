// Nothing is lost without an explicit yes; any name is legal; bad input stops before any
// connection is opened.
import { expect, it } from 'vitest';
import { configDir, expectOk, planSummary, unique, withClient, writeConfig, xp, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

onEachServer('safety', { timeout: 300_000 }, () => {
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

  it('counts every kind of object a drop would destroy, lists it in the plan and refuses there', async () => {
    const p = unique('dlk');
    const [made, adopted, third] = [`${p}_made`, `${p}_adopted`, `${p}_third`];
    const dbUrl = (db: string) => url().replace(/\/[^/?]*(\?|$)/, `/${db}$1`);
    // A view, a sequence at 1000, a function, an enum type and a large object: no table.
    const noTable = `create view v as select 1 as x; create sequence seq; select setval('seq', 1000);
      create function f() returns int language sql as 'select 1'; create type mood as enum ('ok', 'sad');
      select lo_create(4242)`;
    await withClient(url(), (c) => c.query(`create database "${adopted}"`));
    const all = `
database "${made}" {}
database "${adopted}" {}
database "${third}" {}
schema "only_f" {
  database = database.${third}
}
extension "citext" {
  database = database.${third}
}
`;
    const dir = configDir(p, { 'main.xp': all });
    const run = xpIn(dir, url());
    try {
      expectOk(await run(['apply', '--auto-approve']));
      for (const db of [made, adopted]) await withClient(dbUrl(db), (c) => c.query(noTable));
      await withClient(dbUrl(third), (c) =>
        c.query(`create function only_f.g() returns int language sql as 'select 2'; create table public.users (id int, email citext)`),
      );

      // Only the third database stays declared, without its schema and extension.
      writeConfig(dir, { 'main.xp': `database "${third}" {}\n` });
      const plan = await run(['plan']);
      expect(plan.code).toBe(1);
      const out = plan.stdout + plan.stderr;
      const what = '1 function, 1 large object, 1 sequence, 1 type, 1 view (large object 4242, public.f(), public.mood, public.seq, public.v)';
      for (const db of [made, adopted]) {
        expect(out).toContain(`  # database.${db} will be destroyed\n  # (no longer declared)\n  # WARNING: DATA LOSS: this drops ${what} — refused without --allow-data-loss`);
        expect(out).toContain(`Error: database.${db}: Dropping database "${db}" would destroy ${what}.`);
      }
      expect(out).toContain(`Error: schema.only_f: Dropping schema "only_f" in database "${third}" would destroy 1 function (only_f.g()).`);
      expect(out).toContain(`Error: extension.citext: Dropping extension "citext" in database "${third}" would destroy 1 table column (public.users.email).`);

      const json = await run(['plan', '--json']);
      expect(json.code).toBe(1);
      const resources = (JSON.parse(json.stdout) as { resources: Array<{ address: string; dataLoss?: unknown }> }).resources;
      expect(resources.find((r) => r.address === `database.${adopted}`)?.dataLoss).toEqual({
        checked: true,
        tables: 0,
        objects: 5,
        kinds: { function: 1, 'large object': 1, sequence: 1, type: 1, view: 1 },
        examples: ['large object 4242', 'public.f()', 'public.mood', 'public.seq', 'public.v'],
        allowed: false,
      });

      // Refused at plan time: apply changes nothing.
      const refused = await run(['apply', '--auto-approve']);
      expect(refused.code).toBe(1);
      for (const db of [made, adopted]) {
        const seq = await withClient(dbUrl(db), (c) => c.query(`select last_value::int as v, (select count(*)::int from pg_largeobject_metadata where oid = 4242) as lo from seq`));
        expect(seq.rows[0]).toEqual({ v: 1000, lo: 1 });
      }
      const left = await withClient(dbUrl(third), (c) =>
        c.query(`select (select count(*)::int from pg_proc where proname = 'g') as g, (select count(*)::int from pg_extension where extname = 'citext') as citext`),
      );
      expect(left.rows[0]).toEqual({ g: 1, citext: 1 });
    } finally {
      writeConfig(dir, { 'main.xp': all });
      await run(['destroy', '--auto-approve', '--allow-data-loss']);
      await withClient(url(), (c) => c.query(`drop database if exists "${adopted}" with (force)`));
    }
  });

  it('destroys without --allow-data-loss a database holding only what the stack manages', async () => {
    const p = unique('dlm');
    const dir = configDir(p, {
      'main.xp': `
database "${p}_db" {}
schema "app" {
  database = database.${p}_db
}
extension "pgcrypto" {
  database = database.${p}_db
  schema   = schema.app.name
}
`,
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const plan = await run(['plan', '--destroy']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('DATA LOSS');
    expectOk(await run(['destroy', '--auto-approve']));
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
