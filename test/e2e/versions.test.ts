// The access model on every supported major, PostgreSQL 14 to 18 (onEveryVersion): one
// configuration that uses each kind's observers and actions, applied through bin/xp.js; the
// catalog is then read the way a DBA would (pg_roles, pg_auth_members, pg_db_role_setting,
// has_*_privilege, pg_default_acl), a second plan is empty, drift made by hand is planned and
// healed, and destroy leaves nothing.
import { expect, it } from 'vitest';
import { configDir, expectOk, onEveryVersion, serverUrl, unique, urlFor, withClient, xpIn } from './xp.js';

function accessModel(p: string): Record<string, string> {
  return {
    'main.xp': `
role "${p}_owner" {}

role "${p}_readers" {
  connection_limit = 10
  createdb         = true
  settings = {
    statement_timeout = "30s"
  }
  grant {
    database   = database.${p}_db
    on         = "database"
    privileges = ["CONNECT"]
  }
  grant {
    database   = database.${p}_db
    schema     = schema.${p}_api
    on         = "schema"
    privileges = ["USAGE"]
  }
  grant {
    database   = database.${p}_db
    schema     = schema.${p}_api
    privileges = ["SELECT"]
    future     = true
  }
}

database "${p}_db" {
  owner = role.${p}_owner
}

schema "${p}_api" {
  database = database.${p}_db
  owner    = role.${p}_owner
}

extension "pgcrypto" {
  database = database.${p}_db
}

service_account "${p}_app" {
  database  = database.${p}_db
  password  = "app-password-${p}"
  member_of = [role.${p}_readers]
  schemas   = [schema.${p}_api]
}
`,
  };
}

onEveryVersion('the access model', { timeout: 300_000 }, () => {
  it('applies, reads back as declared, re-plans empty, heals drift and destroys', async () => {
    const p = unique('ver');
    const url = serverUrl();
    const run = xpIn(configDir(p, accessModel(p)), url);
    expectOk(await run(['apply', '--auto-approve']));
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    // a table created after the apply by xp's role: the future grant covers it
    await withClient(urlFor(url, { database: `${p}_db` }), (c) => c.query(`create table ${p}_api.items (id int)`));
    await withClient(url, async (c) => {
      const role = await c.query(`select rolcanlogin, rolcreatedb, rolconnlimit from pg_roles where rolname = $1`, [`${p}_readers`]);
      expect(role.rows).toEqual([{ rolcanlogin: false, rolcreatedb: true, rolconnlimit: 10 }]);
      const member = await c.query(
        `select r.rolname as role from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member where u.rolname = $1`,
        [`${p}_app`],
      );
      expect(member.rows).toEqual([{ role: `${p}_readers` }]);
      const settings = await c.query(
        `select s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = $1 and s.setdatabase = 0`,
        [`${p}_readers`],
      );
      expect(settings.rows).toEqual([{ setconfig: ['statement_timeout=30s'] }]);
    });
    await withClient(urlFor(url, { database: `${p}_db` }), async (c) => {
      const { rows } = await c.query(
        `select has_database_privilege($1, $2, 'CONNECT') as connect, has_schema_privilege($1, $3, 'USAGE') as usage,
                has_table_privilege($1, $4, 'SELECT') as select, has_table_privilege($1, $4, 'INSERT') as insert,
                (select array_agg(d.defaclrole::regrole::text || ':' || a.privilege_type order by 1) from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace,
                        aclexplode(d.defaclacl) a where n.nspname = $3 and a.grantee = $5::regrole) as defaults,
                (select extname from pg_extension where extname = 'pgcrypto') as ext`,
        [`${p}_app`, `${p}_db`, `${p}_api`, `${p}_api.items`, `${p}_readers`],
      );
      // future = true: for the tables xp's role creates, and those the schema's owner creates
      expect(rows).toEqual([{ connect: true, usage: true, select: true, insert: false, defaults: ['postgres:SELECT', `${p}_owner:SELECT`], ext: 'pgcrypto' }]);
    });
    // the account logs in with its declared password
    await withClient(urlFor(url, { user: `${p}_app`, password: `app-password-${p}`, database: `${p}_db` }), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from ${p}_api.items`);
      expect(rows[0].n).toBe(0);
    });

    // drift by hand: an attribute, a setting, a membership and a grant
    await withClient(url, async (c) => {
      await c.query(`alter role ${p}_readers nocreatedb connection limit 3`);
      await c.query(`alter role ${p}_readers set statement_timeout = '5s'`);
      await c.query(`revoke ${p}_readers from ${p}_app`);
    });
    await withClient(urlFor(url, { database: `${p}_db` }), (c) => c.query(`revoke usage on schema ${p}_api from ${p}_readers`));
    const r = await run(['plan', '--json']);
    const plan = JSON.parse(r.stdout) as { resources: Array<{ address: string; action: string; changes: Array<{ path: string }> }> };
    const drift = plan.resources.filter((x) => x.action !== 'no-op').map((x) => `${x.action} ${x.address}: ${x.changes.map((c) => c.path).join(', ')}`);
    expect(drift.sort()).toEqual([`update role.${p}_readers: createdb, connection_limit, settings, grants`, `update service_account.${p}_app: member_of`]);
    expectOk(await run(['apply', '--auto-approve']));
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    await withClient(url, async (c) => {
      const { rows } = await c.query(`select rolcreatedb, rolconnlimit, pg_has_role($2, $1, 'MEMBER') as member from pg_roles where rolname = $1`, [`${p}_readers`, `${p}_app`]);
      expect(rows).toEqual([{ rolcreatedb: true, rolconnlimit: 10, member: true }]);
    });

    // the same drift, healed by the in-database reconcile loop (no xp process)
    await withClient(url, async (c) => {
      await c.query(`alter role ${p}_readers nocreatedb`);
      await c.query(`revoke ${p}_readers from ${p}_app`);
      await c.query(`update xplane.managed_resources set next_reconcile_at = now() where stack = $1`, [p]);
      await c.query(`select xplane.reconcile_all($1)`, [p]);
      const { rows } = await c.query(`select rolcreatedb, pg_has_role($2, $1, 'MEMBER') as member from pg_roles where rolname = $1`, [`${p}_readers`, `${p}_app`]);
      expect(rows).toEqual([{ rolcreatedb: true, member: true }]);
    });
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    await withClient(url, async (c) => {
      const { rows } = await c.query(
        `select (select count(*)::int from pg_roles where rolname like $1) as roles, (select count(*)::int from pg_database where datname like $1) as databases`,
        [`${p}%`],
      );
      expect(rows).toEqual([{ roles: 0, databases: 0 }]);
    });
  });
});
