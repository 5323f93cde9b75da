// Renames without loss (docs/language.md, "Renames without loss"), through the CLI: a changed
// `name` of a database, schema, role and service account renames each in place (same oid),
// keeping the rows of the schema, the grants and memberships of the role and the password of
// the account (whose connection secret names the new user); a `moved` block moves a record to
// another address, also between for_each keys; a rename onto a taken name is refused at plan.
// After each apply, two plans with --detailed-exitcode exit 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, serverUrl, unique, urlFor, withClient, writeConfig, xpIn } from './xp.js';

const ident = (s: string) => pg.escapeIdentifier(s);

interface PlanJson {
  summary: { add: number; change: number; destroy: number };
  errors: Array<{ code: string; message: string }>;
  resources: Array<{ address: string; action: string; name: string; renamedFrom?: string; movedFrom?: string; changes: Array<{ path: string; before?: unknown; after?: unknown; renamed?: boolean }> }>;
}

function config(p: string, stack: string, n: { db: string; s: string; r: string; a: string }): string {
  return `stack "${stack}" {}

database "db" {
  name = "${n.db}"
}

schema "s" {
  database = database.db
  name     = "${n.s}"
}

role "readers" {
  name = "${n.r}"

  grant {
    database   = database.db
    schema     = schema.s
    privileges = ["SELECT"]
    future     = true
  }
}

service_account "app" {
  name      = "${n.a}"
  database  = database.db
  schemas   = [schema.s]
  member_of = [role.readers]

  connection_secret {
    path   = "secrets/app.env"
    format = "dotenv"
  }
}
`;
}

/** Two plans in a row with --detailed-exitcode: both exit 0 (nothing left to do). */
async function settled(run: ReturnType<typeof xpIn>): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const r = await run(['plan', '--detailed-exitcode']);
    expect(r.code, `plan ${i + 1} after apply:\n${r.stdout}\n${r.stderr}`).toBe(0);
  }
}

/** The service account's dotenv connection secret, as variables. */
const secretOf = (dir: string) =>
  Object.fromEntries(
    readFileSync(join(dir, 'secrets/app.env'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2).map((v) => v.replace(/^'|'$/g, ''))),
  ) as Record<string, string>;

const oids = (url: string, names: string[]) =>
  withClient(url, async (c) => (await c.query<{ rolname: string; oid: string }>(`select rolname, oid::text from pg_roles where rolname = any ($1) order by 1`, [names])).rows.map((r) => r.oid));

onEachServer('renames without loss', { timeout: 300_000 }, () => {
  it('renames a database, schema, role and service account in place, keeping data, grants, memberships and the password', async () => {
    const url = serverUrl();
    const p = unique('rn');
    const stack = `${p}-stack`;
    const before = { db: `${p}_db`, s: `${p}_s`, r: `${p}_r`, a: `${p}_a` };
    const after = { db: `${p}_db2`, s: `${p}_s2`, r: `${p}_r2`, a: `${p}_a2` };
    try {
      const dir = configDir(stack, { 'main.xp': config(p, stack, before) });
      const run = xpIn(dir, url);
      expectOk(await run(['apply', '--auto-approve']));
      await withClient(urlFor(url, { database: before.db }), (d) => d.query(`create table ${ident(before.s)}.t (id int); insert into ${ident(before.s)}.t values (1), (2), (3)`));
      // the table is new since the apply: the role's grant on it converges
      expectOk(await run(['apply', '--auto-approve']));
      await settled(run);
      const roleOids = await oids(url, [before.a, before.r]);
      const secretBefore = secretOf(dir);
      expect(secretBefore['PGUSER']).toBe(before.a);
      const dbOid = await withClient(url, async (c) => (await c.query(`select oid::text from pg_database where datname = $1`, [before.db])).rows[0].oid);

      writeConfig(dir, { 'main.xp': config(p, stack, after) });
      const json = JSON.parse(expectOk(await run(['plan', '--json'])).stdout) as PlanJson;
      expect(json.errors).toEqual([]);
      expect(json.summary).toMatchObject({ add: 0, destroy: 0 });
      for (const [address, from, to] of [
        ['database.db', before.db, after.db],
        ['schema.s', before.s, after.s],
        ['role.readers', before.r, after.r],
        ['service_account.app', before.a, after.a],
      ] as const) {
        const r = json.resources.find((x) => x.address === address)!;
        expect(r, address).toMatchObject({ action: 'update', name: to, renamedFrom: from });
        // only the name: references to the renamed objects (grants, membership, database,
        // schemas) follow them on the server, so the plan shows no change there, as apply makes none
        expect(r.changes, address).toEqual([{ path: 'name', before: from, after: to, renamed: true }]);
      }
      const text = expectOk(await run(['plan'])).stdout;
      expect(text).toContain(`~ name = "${before.s}" → "${after.s}" (renamed in place)`);
      expect(text).not.toMatch(/will be destroyed|must be replaced|will be created/);

      expectOk(await run(['apply', '--auto-approve']));
      await settled(run);
      // the same objects, under their new names
      expect(await oids(url, [after.a, after.r])).toEqual(roleOids);
      expect(await withClient(url, async (c) => (await c.query(`select oid::text from pg_database where datname = $1`, [after.db])).rows[0]?.oid)).toBe(dbOid);
      expect(await withClient(url, async (c) => (await c.query(`select 1 from pg_roles where rolname = any ($1)`, [[before.a, before.r]])).rowCount)).toBe(0);
      // the account logs in with its secret, which names the new user, and reads the rows through the renamed role
      const env = secretOf(dir);
      expect(env['PGUSER']).toBe(after.a);
      // the same password: the secret is rewritten with the new user name, not regenerated
      expect(env['PGPASSWORD']).toBe(secretBefore['PGPASSWORD']);
      expect(env['PGDATABASE']).toBe(after.db);
      const rows = await withClient(urlFor(url, { user: env['PGUSER']!, password: env['PGPASSWORD']!, database: after.db }), async (c) =>
        (await c.query(`select count(*)::int as n from ${ident(after.s)}.t`)).rows[0].n,
      );
      expect(rows).toBe(3);
      const member = await withClient(url, async (c) => (await c.query(`select pg_has_role($1, $2, 'MEMBER') as m`, [after.a, after.r])).rows[0].m);
      expect(member).toBe(true);

      // a rename onto a name the server has is refused at plan, and nothing changes
      await withClient(url, (c) => c.query(`create role ${ident(`${p}_taken`)}`));
      writeConfig(dir, { 'main.xp': config(p, stack, { ...after, r: `${p}_taken` }) });
      const refused = await run(['plan']);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain(`role.readers: cannot rename role "${after.r}" to "${p}_taken": role "${p}_taken" already exists on the server.`);
      writeConfig(dir, { 'main.xp': config(p, stack, after) });
      await settled(run);
      expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    } finally {
      await withClient(url, async (c) => {
        for (const db of [before.db, after.db]) await c.query(`drop database if exists ${ident(db)} with (force)`);
        for (const r of [before.a, after.a, before.r, after.r, `${p}_taken`]) await c.query(`drop role if exists ${ident(r)}`);
      });
    }
  });

  it('moved blocks: a new label, and another for_each key with another name, keep the object', async () => {
    const url = serverUrl();
    const p = unique('mv');
    const stack = `${p}-stack`;
    const v1 = `role "old" {\n  name = "${p}_same"\n}\n\nrole "tenant" {\n  for_each = toset(["a"])\n  name     = "${p}_t_\${each.key}"\n  member_of = [role.old]\n}\n`;
    const v2 = `role "new" {\n  name = "${p}_same"\n}\n\nrole "tenant" {\n  for_each = toset(["b"])\n  name     = "${p}_t_\${each.key}"\n  member_of = [role.new]\n}\n\nmoved {\n  from = role.old\n  to   = role.new\n}\n\nmoved {\n  from = role.tenant["a"]\n  to   = role.tenant["b"]\n}\n`;
    try {
      const dir = configDir(stack, { 'main.xp': v1 });
      const run = xpIn(dir, url);
      expectOk(await run(['apply', '--auto-approve']));
      const oidsBefore = await oids(url, [`${p}_same`, `${p}_t_a`]);

      writeConfig(dir, { 'main.xp': v2 });
      const json = JSON.parse(expectOk(await run(['plan', '--json'])).stdout) as PlanJson;
      expect(json.errors).toEqual([]);
      expect(json.resources.map((r) => [r.address, r.action, r.movedFrom, r.renamedFrom])).toEqual([
        ['role.new', 'update', 'role.old', undefined],
        ['role.tenant["b"]', 'update', 'role.tenant["a"]', `${p}_t_a`],
      ]);
      const text = expectOk(await run(['plan'])).stdout;
      expect(text).toContain('# role.old has moved to role.new');
      expect(text).toContain('# (moved from role.tenant["a"])');
      expect(text).toContain(`~ name = "${p}_t_a" → "${p}_t_b" (renamed in place)`);

      expectOk(await run(['apply', '--auto-approve']));
      await settled(run);
      expect(await oids(url, [`${p}_same`, `${p}_t_b`])).toEqual(oidsBefore);
      expect(await withClient(url, async (c) => (await c.query(`select pg_has_role($1, $2, 'MEMBER') as m`, [`${p}_t_b`, `${p}_same`])).rows[0].m)).toBe(true);
      const recorded = await withClient(url, async (c) => (await c.query(`select address from xplane.managed_resources where stack = $1 order by address`, [stack])).rows.map((r) => r.address));
      expect(recorded).toEqual(['role.new', 'role.tenant["b"]']);

      // the errors, at the block
      writeConfig(dir, { 'main.xp': `${v2}\nrole "old" {\n  name = "${p}_other"\n}\n` });
      const bad = await run(['plan']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/main\.xp:12:10: error: moved from role\.old: role\.old is still declared/);
      writeConfig(dir, { 'main.xp': v2 });
      expectOk(await run(['destroy', '--auto-approve']));
    } finally {
      await withClient(url, async (c) => {
        for (const r of [`${p}_t_a`, `${p}_t_b`, `${p}_same`]) await c.query(`drop role if exists ${ident(r)}`);
      });
    }
  });
});
