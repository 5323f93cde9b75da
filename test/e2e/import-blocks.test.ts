// `import { to, id }` blocks (docs/import.md, "import blocks"): the plan says "will be imported"
// (text and --json), apply records the objects as the stack's and changes nothing on the server
// (catalog snapshot before and after, the account's old password still works), the next plan
// shows what differs from the declaration as an ordinary update, and after it nothing. Refused:
// an object another stack owns (naming it), an id the server does not have (file:line:col), a
// `to` that names no declared resource.
import pg from 'pg';
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, serverUrl, unique, urlFor, withClient, writeConfig, xpIn } from './xp.js';

const ident = (s: string) => pg.escapeIdentifier(s);

interface PlanJson {
  summary: { add: number; change: number; destroy: number; forget: number; import?: number };
  errors: Array<{ code: string; message: string }>;
  resources: Array<{ address: string; action: string; importId?: string; reason?: string; changes: Array<{ path: string }>; drifted?: boolean }>;
}

async function snapshot(url: string, p: string, db: string): Promise<unknown> {
  return withClient(url, async (c) => {
    const roles = await c.query(
      `select rolname, rolcanlogin, rolconnlimit, shobj_description(oid, 'pg_authid') as comment,
              (select array_agg(g.rolname order by g.rolname) from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid) as groups
         from pg_roles r where rolname like $1 order by 1`,
      [`${p}%`],
    );
    const dbs = await c.query(`select datname, pg_get_userbyid(datdba) as owner, datacl::text from pg_database where datname = $1`, [db]);
    const inside = await withClient(urlFor(url, { database: db }), async (d) => ({
      schemas: (await d.query(`select nspname, pg_get_userbyid(nspowner) as owner, nspacl::text from pg_namespace where nspname like $1 order by 1`, [`${p}%`])).rows,
      tables: (await d.query(`select c.relname, c.relacl::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname like $1 order by 1`, [`${p}%`])).rows,
      defaults: (await d.query(`select pg_get_userbyid(defaclrole) as forrole, defaclobjtype, defaclacl::text from pg_default_acl order by 1, 2, 3`)).rows,
    }));
    return { roles: roles.rows, dbs: dbs.rows, inside };
  });
}

const records = (url: string, p: string) =>
  withClient(url, async (c) =>
    (await c.query<{ stack: string; kind: string; name: string }>(`select stack, kind::text as kind, name from xplane.managed_resources where name like $1 order by kind, name`, [`${p}%`])).rows,
  );

onEachServer('import blocks', { timeout: 300_000 }, () => {
  it('plan shows "will be imported", apply records without changing anything, the next plan updates what differs', async () => {
    const url = serverUrl();
    const p = unique('ib');
    const db = `${p}_db`;
    const password = `pw-${p}-Secret1`;
    const stack = `${p}-stack`;
    try {
      await withClient(url, async (c) => {
        await c.query(`create role ${ident(`${p}_readers`)} connection limit 5`);
        await c.query(`comment on role ${ident(`${p}_readers`)} is 'old'`);
        await c.query(`create role ${ident(`${p}_app`)} login password '${password}'`);
        await c.query(`grant ${ident(`${p}_readers`)} to ${ident(`${p}_app`)}`);
        await c.query(`create database ${ident(db)}`);
        await c.query(`grant connect on database ${ident(db)} to ${ident(`${p}_app`)}`);
      });
      await withClient(urlFor(url, { database: db }), (d) =>
        d.query(`create schema ${ident(`${p}_s`)}; grant usage on schema ${ident(`${p}_s`)} to ${ident(`${p}_app`)};
                 create table ${ident(`${p}_s`)}.t (id int); grant select on ${ident(`${p}_s`)}.t to ${ident(`${p}_readers`)}`),
      );

      const dir = configDir(stack, {
        'main.xp': `stack "${stack}" {}

database "${p}-db" {}

schema "${p}-s" {
  database = database.${p}-db
}

role "${p}-readers" {
  connection_limit = 5
  comment          = "new"

  grant {
    database   = database.${p}-db
    schema     = schema.${p}-s
    privileges = ["INSERT", "SELECT"]
    future     = true
  }
}

service_account "${p}-app" {
  database  = database.${p}-db
  schemas   = [schema.${p}-s]
  member_of = [role.${p}-readers]
}

import {
  to = database.${p}-db
  id = "${db}"
}

import {
  to = schema.${p}-s
  id = "${p}_s"
}

import {
  to = role.${p}-readers
  id = "${p}_readers"
}

import {
  to = service_account.${p}-app
  id = "${p}_app"
}
`,
      });
      const run = xpIn(dir, url);
      const before = await snapshot(url, p, db);

      const json = JSON.parse(expectOk(await run(['plan', '--json'])).stdout) as PlanJson;
      expect(json.errors).toEqual([]);
      expect(json.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0, import: 4 });
      for (const r of json.resources) {
        expect(r.action, r.address).toBe('import');
        expect(r.changes, r.address).toEqual([]);
      }
      expect(json.resources.find((r) => r.address === `role.${p}-readers`)).toMatchObject({ importId: `${p}_readers`, reason: expect.stringContaining('(comment, grants)') });
      const text = expectOk(await run(['plan'])).stdout;
      expect(text).toContain(`# role.${p}-readers will be imported`);
      expect(text).toContain(`id = "${p}_readers"`);
      expect(text).toContain('Plan: 4 to import, 0 to add, 0 to change, 0 to destroy.');

      const applied = expectOk(await run(['apply', '--auto-approve']));
      expect(applied.stdout).toContain('Apply complete! Resources: 4 imported, 0 added, 0 changed, 0 destroyed.');
      expect(await snapshot(url, p, db), 'nothing changed on the server').toEqual(before);
      expect(await records(url, p)).toEqual([
        { stack, kind: 'Database', name: db },
        { stack, kind: 'Role', name: `${p}_readers` },
        { stack, kind: 'Schema', name: `${p}_s` },
        { stack, kind: 'ServiceAccount', name: `${p}_app` },
      ]);
      // the account keeps its password
      await withClient(urlFor(url, { user: `${p}_app`, password, database: db }), (c) => c.query('select 1'));

      // the import blocks stay; the differences are now an ordinary update
      const next = JSON.parse(expectOk(await run(['plan', '--json'])).stdout) as PlanJson;
      expect(next.summary).toEqual({ add: 0, change: 1, destroy: 0, forget: 0 });
      const role = next.resources.find((r) => r.action !== 'no-op')!;
      expect(role).toMatchObject({ address: `role.${p}-readers`, action: 'update' });
      expect(role.changes.map((c) => c.path)).toEqual(['comment', 'grants']);
      expect(role.reason).toBeUndefined();
      expect(role.drifted).toBeUndefined();
      expectOk(await run(['apply', '--auto-approve']));
      expect(expectOk(await run(['plan'])).stdout).toContain('No changes.');
      expect(await withClient(url, async (c) => (await c.query(`select shobj_description(oid, 'pg_authid') as c from pg_roles where rolname = $1`, [`${p}_readers`])).rows[0].c)).toBe('new');
      const held = await withClient(urlFor(url, { database: db }), async (d) =>
        (await d.query(`select string_agg(privilege_type, ',' order by privilege_type) as p from information_schema.role_table_grants where grantee = $1 and table_schema = $2`, [`${p}_readers`, `${p}_s`])).rows[0].p,
      );
      expect(held).toBe('INSERT,SELECT');

      // another stack cannot import them: refused, naming the owner
      const other = configDir(`${p}-other`, {
        'main.xp': `role "${p}-readers" {\n  connection_limit = 5\n  comment          = "new"\n}\n\nimport {\n  to = role.${p}-readers\n  id = "${p}_readers"\n}\n`,
      });
      const refused = await xpIn(other, url)(['plan']);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain(`role "${p}_readers" is owned by stack "${stack}"`);
      expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    } finally {
      await withClient(url, async (c) => {
        await c.query(`drop database if exists ${ident(db)} with (force)`);
        for (const r of [`${p}_app`, `${p}_readers`]) await c.query(`drop role if exists ${ident(r)}`);
      });
    }
  });

  it('refuses an id the server does not have (at the block), a to that names nothing, and an id that is not the declared name', async () => {
    const url = serverUrl();
    const p = unique('ib');
    const dir = configDir(`${p}-stack`, {
      'main.xp': `role "${p}-ghost" {}\n\nimport {\n  to = role.${p}-ghost\n  id = "${p}_ghost"\n}\n`,
    });
    const run = xpIn(dir, url);
    const missing = await run(['plan']);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toContain(`main.xp:3:1: cannot import role.${p}-ghost: role "${p}_ghost" does not exist on the server.`);
    expect(missing.stdout).not.toContain('will be created');
    const json = JSON.parse((await run(['plan', '--json'])).stdout) as PlanJson;
    expect(json.errors.map((e) => e.code)).toEqual(['import_not_found']);
    expect(await withClient(url, async (c) => (await c.query('select 1 from pg_roles where rolname = $1', [`${p}_ghost`])).rowCount)).toBe(0);

    writeConfig(dir, {
      'main.xp': `role "${p}-a" {}\n\nimport {\n  to = role.${p}-b\n  id = "${p}_b"\n}\n\nimport {\n  to = role.${p}-a\n  id = "${p}_other"\n}\n`,
    });
    const bad = await run(['plan']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`main.xp:4:8: error: import to role.${p}-b: no such resource is declared`);
    expect(bad.stderr).toContain(`main.xp:10:8: error: import to role.${p}-a: id "${p}_other" is not the name it declares ("${p}_a")`);
  });
});
